package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.batch.BatchAssembler;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.github.lokiappender.core.reliability.FaultRig.T0;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, "Bad input never escapes to the caller": whatever the application logs, offer returns
 * normally, and what Loki can take arrives; what it cannot is reported and counted.
 */
class BadInputTest {

    private static final String MARKER = BatchAssembler.TRUNCATION_MARKER;
    private final FaultRig rig = new FaultRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static String repeat(String s, int n) {
        StringBuilder sb = new StringBuilder(s.length() * n);
        for (int i = 0; i < n; i++) {
            sb.append(s);
        }
        return sb.toString();
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private List<String> storedLines() {
        return rig.loki.entries().stream().map(FakeLoki.Entry::line).collect(Collectors.toList());
    }

    @Test
    void hugeLinesAreCutToMaxLineBytesWithTheMarkerWithoutSplittingACharacter() {
        LokiPipeline p = rig.start(b -> b.maxLineBytes(1_000));
        LabelSet l = p.labelSets().intern(labels("app", "bad"));
        String ascii = repeat("a", 1 << 20);
        String twoByte = repeat("\u00e9", 1 << 20);
        String fourByte = repeat("\uD83D\uDE00", 1 << 19);
        for (String line : new String[]{ascii, twoByte, fourByte, "short"}) {
            assertThat(p.offer(LokiEvent.of(T0, line, l))).isTrue();
        }
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();

        assertThat(storedLines()).containsExactly(
                repeat("a", 1_000 - MARKER.length()) + MARKER,
                repeat("\u00e9", (1_000 - MARKER.length()) / 2) + MARKER,
                repeat("\uD83D\uDE00", (1_000 - MARKER.length()) / 4) + MARKER,
                "short");
        assertThat(storedLines()).allSatisfy(s -> assertThat(utf8(s)).isLessThanOrEqualTo(1_000));
        StatsSnapshot s = p.stats();
        assertThat(s.linesTruncated()).isEqualTo(3);
        assertThat(s.delivered()).isEqualTo(4);
    }

    @Test
    void byDefaultLinesAreCutToLokisOwnLimitSoLokiAcceptsThem() {
        LokiPipeline p = rig.start(b -> { });
        assertThat(p.config().maxLineBytes()).isEqualTo(LokiConfig.LOKI_MAX_LINE_BYTES);
        LabelSet l = p.labelSets().intern(labels("app", "bad"));
        assertThat(p.offer(LokiEvent.of(T0, repeat("x", 300 * 1024), l))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(storedLines()).singleElement().satisfies(line -> {
            assertThat(line).hasSize(LokiConfig.LOKI_MAX_LINE_BYTES).endsWith(MARKER);
        });
        assertThat(p.stats().delivered()).isEqualTo(1);
    }

    @Test
    void invalidUtf16ControlCharactersAndNullsArriveAsValidEntries() {
        LokiPipeline p = rig.start(b -> { });
        LabelSet l = p.labelSets().intern(labels("app", "bad", "odd", "v\uD800\u0001\"\\\n"));
        String control = "\u0000nul \u0001\u001b[31mred\u001b[0m \u007f \ttab \r\n\u2028end";
        Object[][] cases = {
                {"a\uD800b", "a\uFFFDb"},
                {"\uDC00x", "\uFFFDx"},
                {"x\uDC00\uD800", "x\uFFFD\uFFFD"},
                {"ends high \uD83D", "ends high \uFFFD"},
                {"pair \uD83D\uDE00 kept", "pair \uD83D\uDE00 kept"},
                {control, control},
                {null, ""},
        };
        for (int i = 0; i < cases.length; i++) {
            assertThat(p.offer(LokiEvent.of(T0 + i, (String) cases[i][0], l,
                    new String[]{"trace_id", i == 0 ? "t\uDBFF" : null, "user", i == 1 ? "" : "u" + i}))).isTrue();
        }
        assertThat(p.offer(null)).isFalse(); // an adapter bug still does not throw: counted as unsendable
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        List<FakeLoki.Entry> entries = rig.loki.entries();
        assertThat(entries).extracting(FakeLoki.Entry::line)
                .containsExactly((String[]) java.util.Arrays.stream(cases).map(c -> c[1]).toArray(String[]::new));
        assertThat(entries.get(0).labels()).containsEntry("odd", "v\uFFFD\u0001\"\\\n");
        // null and empty metadata values are left out; lone surrogates in metadata are replaced too
        assertThat(entries.get(0).structuredMetadata()).containsExactly(Map.entry("trace_id", "t\uFFFD"), Map.entry("user", "u0"));
        assertThat(entries.get(1).structuredMetadata()).isEmpty();
        assertThat(entries.get(2).structuredMetadata()).containsExactly(Map.entry("user", "u2"));
        StatsSnapshot s = p.stats();
        assertThat(s.delivered()).isEqualTo(cases.length);
        assertThat(s.dropped(DropReason.UNSENDABLE)).isEqualTo(1);
        assertThat(s.offered()).isEqualTo(s.delivered() + s.droppedTotal());
    }

    @Test
    void labelValuesPastLokisLimitAreCutSoTheStreamIsAccepted() {
        LokiPipeline p = rig.start(b -> { });
        String ascii = repeat("v", 5_000);
        String twoByte = repeat("\u00e9", 1_500); // 3,000 bytes: cut between characters, at 2,048
        LabelSet l = p.labelSets().intern(labels("app", "bad", "long", ascii, "wide", twoByte));
        assertThat(p.offer(LokiEvent.of(T0, "long labels", l))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(rig.loki.entries()).singleElement().satisfies(e -> {
            assertThat(e.labels().get("long")).isEqualTo(repeat("v", LabelSet.MAX_VALUE_BYTES));
            assertThat(e.labels().get("wide")).isEqualTo(repeat("\u00e9", LabelSet.MAX_VALUE_BYTES / 2));
        });
        assertThat(p.stats().delivered()).isEqualTo(1);
    }

    /**
     * More than Loki's 15 label names: the core does not cap names (the limit is Loki's per-tenant
     * {@code max_label_names_per_series}; the adapters warn at configuration). Loki rejects that
     * stream with a 400, stores the other streams of the same request, and the appender reports
     * Loki's reason once, does not retry, and counts the whole batch as REJECTED: events of valid
     * streams in the same batch may be stored although counted as not delivered.
     */
    @Test
    void tooManyLabelsIsRejectedByLokiReportedOnceAndNotRetried() {
        LokiPipeline p = rig.start(b -> b.maxRetries(5));
        String[] kv = new String[32];
        for (int i = 0; i < 16; i++) {
            kv[2 * i] = "l" + (char) ('a' + i);
            kv[2 * i + 1] = "v";
        }
        LabelSet sixteen = p.labelSets().intern(labels(kv));
        LabelSet fine = p.labelSets().intern(labels("app", "bad"));
        assertThat(p.offer(LokiEvent.of(T0, "sixteen labels", sixteen))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0 + 1, "fine", fine))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status).containsExactly(400);
        assertThat(storedLines()).containsExactly("fine");
        StatsSnapshot s = p.stats();
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(2);
        assertThat(s.retries()).isZero();
        assertThat(rig.status.messages.stream().filter(m -> m.startsWith("ERROR"))).singleElement()
                .satisfies(m -> assertThat(m).startsWith("ERROR Loki rejected a batch of 2 events with HTTP 400")
                        .contains("has 16 label names; limit 15"));
    }

    @Test
    void timestampsOlderThanLokiAcceptsAreSentOnceReportedOnceAndDoNotHoldBackNewerOnes() {
        LokiPipeline p = rig.start(b -> b.maxRetries(5));
        LabelSet l = p.labelSets().intern(labels("app", "bad"));
        long eightDaysAgo = T0 - TimeUnit.DAYS.toNanos(8);
        assertThat(p.offer(LokiEvent.of(eightDaysAgo, "from last week", l))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0, "today", l))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        List<FakeLoki.Request> requests = rig.loki.requests();
        assertThat(requests).extracting(FakeLoki.Request::status).containsExactly(400, 204);
        assertThat(requests.get(0).decodedBodyText()).contains("from last week"); // sent as it was, not dropped early
        assertThat(storedLines()).containsExactly("today");
        StatsSnapshot s = p.stats();
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(1);
        assertThat(s.delivered()).isEqualTo(1);
        assertThat(s.retries()).isZero();
        assertThat(rig.status.messages.stream().filter(m -> m.startsWith("ERROR"))).singleElement()
                .satisfies(m -> assertThat(m).startsWith("ERROR Loki rejected a batch of 1 events with HTTP 400")
                        .contains("timestamp too old"));
    }

    /**
     * Loki stores the acceptable entries of a request it answers with 400. The appender cannot
     * tell which, so it counts the whole batch as REJECTED: a documented undercount of delivered.
     */
    @Test
    void aBatchMixingOldAndCurrentEntriesIsPartlyStoredByLokiButCountedAsRejected() {
        LokiPipeline p = rig.start(b -> { });
        LabelSet l = p.labelSets().intern(labels("app", "bad"));
        assertThat(p.offer(LokiEvent.of(T0 - TimeUnit.DAYS.toNanos(8), "from last week", l))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0, "today", l))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status).containsExactly(400);
        assertThat(storedLines()).containsExactly("today");
        assertThat(p.stats().dropped(DropReason.REJECTED)).isEqualTo(2);
        assertThat(p.stats().delivered()).isZero();
    }
}
