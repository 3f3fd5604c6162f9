package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.http.Http1PushTransport;
import io.github.lokiappender.core.http.PushResponse;
import io.github.lokiappender.core.http.PushTransport;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** Every wire format through the whole core into the in-process Loki, which decodes it as Loki does. */
class PushFormatsEndToEndTest {

    enum Wire {
        JSON("json", "none", "application/json", null),
        JSON_GZIP("json", "gzip", "application/json", "gzip"),
        PROTOBUF("protobuf", "none", "application/x-protobuf", null);

        final String format;
        final String compression;
        final String contentType;
        final String contentEncoding;

        Wire(String format, String compression, String contentType, String contentEncoding) {
            this.format = format;
            this.compression = compression;
            this.contentType = contentType;
            this.contentEncoding = contentEncoding;
        }
    }

    private static final long T0 = System.currentTimeMillis() * 1_000_000L;
    private final RecordingStatus status = new RecordingStatus();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private FakeLoki loki(FakeLoki.Builder b) {
        FakeLoki loki = b.start();
        toClose.add(loki);
        return loki;
    }

    private LokiPipeline pipeline(FakeLoki loki, Wire wire, long batchMaxBytes) {
        LokiConfig config = LokiConfig.builder().url(loki.url()).name("formats")
                .format(wire.format).compression(wire.compression)
                .batchMaxBytes(batchMaxBytes).flushIntervalMs(600_000)
                .maxRetries(0).build();
        LokiPipeline p = LokiPipeline.start(config, status);
        toClose.add(() -> p.close(Duration.ofSeconds(5)));
        return p;
    }

    private static LabelSet labels(LokiPipeline p, String... kv) {
        String[] n = new String[kv.length / 2];
        String[] v = new String[kv.length / 2];
        for (int i = 0; i < n.length; i++) {
            n[i] = kv[2 * i];
            v[i] = kv[2 * i + 1];
        }
        return p.labelSets().intern(LabelSet.of(n, v));
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void storesExactLinesLabelsMetadataAndTimestamps(Wire wire) {
        FakeLoki loki = loki(FakeLoki.builder());
        LokiPipeline p = pipeline(loki, wire, 1024 * 1024);
        LabelSet info = labels(p, "app", "shop", "level", "info");
        LabelSet odd = labels(p, "app", "shop", "path", "C:\\logs\\\"x\"");

        p.offer(LokiEvent.of(T0 + 1, "order placed", info, new String[]{"trace_id", "4bf92f35", "user", "åsa"}));
        p.offer(LokiEvent.of(T0 + 2, "ünïcödé \uD83D\uDE00 \"quoted\" \\ tab\there", info));
        p.offer(LokiEvent.of(T0 + 3, "first\nsecond", odd, new String[]{"bad", "x\uD800y", "empty", ""}));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(loki.entries())
                .extracting(FakeLoki.Entry::labels, FakeLoki.Entry::timestampNanos, FakeLoki.Entry::line,
                        FakeLoki.Entry::structuredMetadata)
                .containsExactlyInAnyOrder(
                        tuple(Map.of("app", "shop", "level", "info"), T0 + 1, "order placed",
                                Map.of("trace_id", "4bf92f35", "user", "åsa")),
                        tuple(Map.of("app", "shop", "level", "info"), T0 + 2, "ünïcödé \uD83D\uDE00 \"quoted\" \\ tab\there",
                                Map.of()),
                        tuple(Map.of("app", "shop", "path", "C:\\logs\\\"x\""), T0 + 3, "first\nsecond",
                                Map.of("bad", "x\uFFFDy")));
        assertThat(loki.requests()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.contentType()).isEqualTo(wire.contentType);
            assertThat(r.contentEncoding()).isEqualTo(wire.contentEncoding);
            assertThat(r.entryCount()).isEqualTo(3);
        });
        StatsSnapshot s = p.stats();
        assertThat(s.delivered()).isEqualTo(3);
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.bytesSent()).isEqualTo(loki.requests().get(0).body().length);
        assertThat(status.messages).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void batchLargerThanTheBurstIsSplitIntoRequestsWithinIt(Wire wire) {
        // each event charges 100 line bytes + 2 metadata bytes; the server's burst fits exactly 10
        FakeLoki loki = loki(FakeLoki.builder().ingestionBurstBytes(1_020));
        LokiPipeline p = pipeline(loki, wire, 1_020);
        LabelSet l = labels(p, "app", "split");
        for (int i = 0; i < 95; i++) {
            String line = String.format("%03d", i) + "x".repeat(97);
            assertThat(p.offer(LokiEvent.of(T0 + i, line, l, new String[]{"k", "v"}))).isTrue();
        }
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();

        assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsOnly(204);
        assertThat(loki.requests()).extracting(FakeLoki.Request::entryCount)
                .containsExactly(10, 10, 10, 10, 10, 10, 10, 10, 10, 5);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::timestampNanos).hasSize(95).doesNotHaveDuplicates();
        assertThat(loki.entries()).allSatisfy(e -> {
            assertThat(e.line()).hasSize(100);
            assertThat(e.structuredMetadata()).isEqualTo(Map.of("k", "v"));
        });
        assertThat(p.stats().delivered()).isEqualTo(95);
        assertThat(p.stats().droppedTotal()).isZero();
    }

    @Test
    void jsonMetadataOnLoki28FailsWithAHintAboutTheVersion() {
        FakeLoki loki = loki(FakeLoki.builder().lokiVersion("2.8.0"));
        LokiPipeline p = pipeline(loki, Wire.JSON, 1024 * 1024);
        p.offer(LokiEvent.of(T0, "with metadata", labels(p, "app", "old"), new String[]{"trace_id", "abc"}));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(loki.entryCount()).isZero();
        assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(400);
        assertThat(status.messages).containsExactly("ERROR Loki rejected a batch of 1 events with HTTP 400: "
                + "array must contains 2 values (this Loki does not accept structured metadata: it needs Loki 2.9+"
                + " with allow_structured_metadata; remove the structuredMetadata option or upgrade Loki)");
        assertThat(p.stats().dropped(io.github.lokiappender.core.stats.DropReason.REJECTED)).isEqualTo(1);
    }

    @Test
    void protobufMetadataOnLoki28IsIgnoredByTheServerWithoutFailing() {
        FakeLoki loki = loki(FakeLoki.builder().lokiVersion("2.8.0"));
        LokiPipeline p = pipeline(loki, Wire.PROTOBUF, 1024 * 1024);
        p.offer(LokiEvent.of(T0, "with metadata", labels(p, "app", "old"), new String[]{"trace_id", "abc"}));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(loki.entries()).extracting(FakeLoki.Entry::line, FakeLoki.Entry::structuredMetadata)
                .containsExactly(tuple("with metadata", Map.of()));
        assertThat(status.messages).isEmpty();
    }

    @Test
    void theConfiguredGzipLevelIsWhatIsSent() {
        FakeLoki loki = loki(FakeLoki.builder());
        int[] bodyBytes = new int[2];
        int[] levels = {1, 9};
        for (int k = 0; k < 2; k++) {
            LokiPipeline p = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("gzip-" + levels[k])
                    .compression("gzip").compressionLevel(levels[k]).flushIntervalMs(600_000).build(), status);
            toClose.add(() -> p.close(Duration.ofSeconds(5)));
            LabelSet l = labels(p, "app", "gzip");
            for (int i = 0; i < 2_000; i++) {
                p.offer(LokiEvent.of(T0 + i, "GET /api/orders/" + (10_000 + i % 97) + " completed in " + (i % 13) + " ms", l));
            }
            assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
            List<FakeLoki.Request> r = loki.requests();
            assertThat(r).hasSize(k + 1);
            bodyBytes[k] = r.get(k).body().length;
            assertThat(r.get(k).decodedBody()).isEqualTo(r.get(0).decodedBody()); // same JSON, other deflate
        }
        assertThat(loki.entryCount()).isEqualTo(2_000); // the second push repeats the first: Loki drops exact duplicates
        // level 9 finds longer matches than level 1 in this repetitive text: a pipeline that ignored the
        // option would send the same bytes twice
        assertThat(bodyBytes[1]).isLessThan(bodyBytes[0]);
    }

    /** Far from half full with the backlogs below: only the four-batch rule makes the buffer backlogged. */
    private static final long BACKLOG_BUDGET = 1024 * 1024;

    /** gzip, a buffer of {@code budget} bytes, batches of 100 events, no flush by time. */
    private static LokiConfig backlogConfig(FakeLoki loki, String name, long budget,
                                            UnaryOperator<LokiConfig.Builder> more) {
        return more.apply(LokiConfig.builder().url(loki.url()).name(name)
                .compression("gzip").bufferMaxBytes(budget).batchMaxEvents(100).flushIntervalMs(600_000)
                .requestTimeoutMs(30_000)).build();
    }

    private LokiPipeline backlogPipeline(FakeLoki loki, String name, UnaryOperator<LokiConfig.Builder> more) {
        LokiPipeline p = LokiPipeline.start(backlogConfig(loki, name, BACKLOG_BUDGET, more), status);
        toClose.add(() -> p.close(Duration.ofSeconds(5)));
        return p;
    }

    /**
     * Logs 100 events, waits until the stand-in holds their push (batch 0), then logs {@code waiting}
     * more, all of one length; returns all the lines. The stand-in is left hanging.
     */
    private List<String> buildABacklogBehindAHeldPush(FakeLoki loki, LokiPipeline p, int waiting) {
        LabelSet l = labels(p, "app", "backlog");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100 + waiting; i++) {
            lines.add(String.format("GET /api/orders/%05d completed in 7 ms", i));
        }
        loki.hang(true);
        for (int i = 0; i < 100; i++) {
            assertThat(p.offer(LokiEvent.of(T0 + i, lines.get(i), l))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> loki.pendingPushes() == 1);
        for (int i = 100; i < lines.size(); i++) {
            assertThat(p.offer(LokiEvent.of(T0 + i, lines.get(i), l))).isTrue();
        }
        // the records, and the unused end (shorter than a record) of each full 64 KiB chunk: a record
        // does not span chunks
        long records = (long) waiting * EventBuffer.weight(lines.get(0).length(), 0);
        long fullChunks = records / (64 * 1024);
        assertThat(p.bufferedBytes()).isBetween(records,
                records + fullChunks * (EventBuffer.weight(lines.get(0).length(), 0) - 1));
        return lines;
    }

    /** Per request: whether its gzip body is stored (larger than what it decodes to). */
    private static List<Boolean> storedBodies(FakeLoki loki) {
        List<Boolean> stored = new ArrayList<>();
        for (FakeLoki.Request r : loki.requests()) {
            assertThat(r.contentEncoding()).isEqualTo("gzip");
            stored.add(r.body().length > r.decodedBody().length);
        }
        return stored;
    }

    @Test
    void whileTheBufferIsBackloggedGzipBodiesAreStoredAndCounted() {
        FakeLoki loki = loki(FakeLoki.builder());
        LokiPipeline p = backlogPipeline(loki, "backlog", b -> b);
        List<String> lines = buildABacklogBehindAHeldPush(loki, p, 1_000);
        // one 64 KiB chunk holds them all: exactly 1,000 records
        assertThat(p.bufferedBytes()).isEqualTo(1_000L * EventBuffer.weight(lines.get(0).length(), 0))
                .isLessThan(BACKLOG_BUDGET / 2);
        loki.hang(false);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        // batch k (k >= 1) is cut with 1,000 - 100 k events left waiting: batches 1 to 5 are cut under
        // backlog (more than four batches, 400 events, wait). The first of them is stored, the second
        // deflated (each encoding is timed once), the next three the faster of the two (on loopback
        // with 100-event batches, either); none after
        List<Boolean> stored = storedBodies(loki);
        assertThat(stored).hasSize(11);
        assertThat(stored.subList(0, 3)).containsExactly(false, true, false);
        assertThat(stored.subList(6, 11)).containsOnly(false);
        assertThat(p.stats().backlogBatches()).isEqualTo(stored.stream().filter(x -> x).count());
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactlyElementsOf(lines);
        assertThat(p.stats().delivered()).isEqualTo(1_100);
        assertThat(status.messages).isEmpty();
    }

    @Test
    void whereTheLinkIsTheLimitABacklogStaysDeflated() {
        FakeLoki loki = loki(FakeLoki.builder());
        LokiConfig config = backlogConfig(loki, "slow-link", 256 * 1024, b -> b);
        PushTransport direct = new Http1PushTransport(config.http(), "slow-link");
        PushTransport slowLink = new PushTransport() {
            @Override
            public PushResponse push(EncodedRequest request, long timeoutNanos) throws IOException, InterruptedException {
                Thread.sleep(request.length() / 100); // the behaviour under test: 100 bytes per millisecond
                return direct.push(request, timeoutNanos);
            }

            @Override
            public void close() {
                direct.close();
            }
        };
        LokiPipeline p = LokiPipeline.startWith(config, status, slowLink, LokiPipeline.DEFAULT_OVERFLOW_LABELS);
        toClose.add(() -> p.close(Duration.ofSeconds(30)));
        List<String> lines = buildABacklogBehindAHeldPush(loki, p, 4_000);
        loki.hang(false);
        assertThat(p.flush(Duration.ofSeconds(30))).isTrue();

        // 35 batches are cut under backlog (while more than four batches, 400 events, wait), fewer than
        // PROBE_EVERY. Stored is tried once (about 6 KB: 60 ms on this link), deflated once
        // (under 2 KB: under 20 ms), and deflated wins the rest
        List<Boolean> stored = storedBodies(loki);
        assertThat(stored).hasSize(41);
        assertThat(stored.subList(0, 3)).containsExactly(false, true, false);
        assertThat(stored.subList(3, 41)).containsOnly(false);
        assertThat(p.stats().backlogBatches()).isEqualTo(1);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactlyElementsOf(lines);
    }

    @Test
    void batchesMovedToTheSpoolWhileLokiFailsStayCompressedThoughTheBufferIsBacklogged(@TempDir Path spool) {
        FakeLoki loki = loki(FakeLoki.builder());
        LokiPipeline p = backlogPipeline(loki, "backlog-spool",
                b -> b.retryMinBackoffMs(10).retryMaxBackoffMs(20).spoolDirectory(spool.toString()));
        List<String> lines = buildABacklogBehindAHeldPush(loki, p, 1_000);
        loki.setDown(true); // the held push is answered 503: batch 0 goes to the spool, and the rest after it
        loki.hang(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().spooled() == 1_100);
        loki.setDown(false);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactlyElementsOf(lines);
        assertThat(p.stats().backlogBatches()).isZero();
        for (FakeLoki.Request r : loki.requests()) {
            if (r.status() == 204) {
                assertThat(r.body().length).as("a delivered body is deflated").isLessThan(r.decodedBody().length / 2);
            }
        }
    }
}
