package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FaultyProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static io.github.lokiappender.core.reliability.FaultRig.event;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static io.github.lokiappender.core.reliability.FaultRig.seqOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "Outage": Loki is unreachable while the application keeps logging below the buffer
 * budget; once it is back every event arrives exactly once, in order within its stream.
 *
 * <p>The issue asks for a 30 s outage; this runs about 3 s (3,000 events paced at one per
 * millisecond) to keep the suite short. Nothing in the pipeline depends on the length: retries
 * are unbounded here (maxRetries is large), and the buffer budget is what would end a longer
 * outage, which {@link OverloadTest} covers.
 */
class OutageTest {

    private static final String[] STREAMS = {"a", "b", "c"};
    private final FaultRig rig = new FaultRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    /** REFUSE: Loki's host is down (connection refused). RESET: something in between resets every connection. */
    @ParameterizedTest
    @EnumSource(value = FaultyProxy.Mode.class, names = {"REFUSE", "RESET"})
    void everyEventLoggedDuringAnOutageIsDeliveredOnceAndInOrder(FaultyProxy.Mode outage) throws Exception {
        LokiPipeline p = rig.start(b -> b.maxRetries(100_000).batchMaxEvents(200).bufferMaxBytes(4L << 20));
        LabelSet[] streams = new LabelSet[STREAMS.length];
        for (int s = 0; s < STREAMS.length; s++) {
            streams[s] = labels("app", "outage", "stream", STREAMS[s]);
        }
        int[] seq = new int[1];

        log(p, streams, seq, 300, false);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue(); // idle at the switch: nothing in flight
        assertThat(rig.loki.entryCount()).isEqualTo(300);

        rig.proxy.mode(outage);
        log(p, streams, seq, 3_000, true); // about 3 s of steady logging into the outage
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().retries() >= 3);
        assertThat(p.stats().delivered()).isEqualTo(300);
        assertThat(rig.loki.entryCount()).isEqualTo(300);

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        log(p, streams, seq, 300, false);
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();

        StatsSnapshot s = p.close(Duration.ofSeconds(5));
        assertThat(s.offered()).isEqualTo(3_600);
        assertThat(s.delivered()).isEqualTo(3_600);
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.pending()).isZero();

        List<FakeLoki.Entry> entries = rig.loki.entries();
        assertThat(entries).hasSize(3_600);
        assertThat(entries).extracting(FakeLoki.Entry::line).doesNotHaveDuplicates();
        assertThat(rig.loki.duplicatesDropped()).isZero(); // not even sent twice
        Map<String, List<FakeLoki.Entry>> byStream = rig.loki.streams();
        assertThat(byStream).hasSize(3);
        for (int st = 0; st < STREAMS.length; st++) {
            List<Integer> seqs = byStream.get("{app=\"outage\", stream=\"" + STREAMS[st] + "\"}").stream()
                    .map(e -> seqOf(e.line())).collect(Collectors.toList());
            assertThat(seqs).hasSize(1_200).isSorted();
            assertThat(seqs.get(0)).isEqualTo(st);
            assertThat(seqs.get(seqs.size() - 1)).isEqualTo(3_597 + st);
        }
    }

    /** Past the buffer budget the newest events are dropped: exactly those, each counted, the rest delivered once. */
    @Test
    void anOutageOutlastingTheBufferDropsExactlyTheOverflowAndCountsIt() {
        LokiPipeline p = rig.start(b -> b.maxRetries(100_000).batchMaxEvents(100).bufferMaxEvents(500));
        LabelSet l = labels("app", "outage", "stream", "a");
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            LokiEvent e = event(p, l, "a", i);
            if (p.offer(e)) {
                accepted.add(e.line());
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().retries() >= 2);
        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();

        StatsSnapshot s = p.close(Duration.ofSeconds(5));
        assertThat(accepted.size()).isBetween(500, 600); // the buffer plus at most the one batch taken out before
        assertThat(s.dropped(DropReason.BUFFER_FULL)).isEqualTo(2_000 - accepted.size());
        assertThat(s.delivered()).isEqualTo(accepted.size());
        assertThat(rig.loki.entries()).extracting(FakeLoki.Entry::line).containsExactlyElementsOf(accepted);
        assertThat(rig.status.messages).contains("INFO Loki appender 'reliability' stopped: " + accepted.size()
                + " events delivered, " + (2_000 - accepted.size()) + " not delivered {BUFFER_FULL="
                + (2_000 - accepted.size()) + "}");
    }

    /** Round-robin over the streams; paced logging parks a millisecond per event (rate, not synchronisation). */
    private static void log(LokiPipeline p, LabelSet[] streams, int[] seq, int n, boolean paced) {
        for (int i = 0; i < n; i++) {
            int k = seq[0]++;
            int s = k % streams.length;
            assertThat(p.offer(event(p, streams[s], STREAMS[s], k))).isTrue();
            if (paced) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
    }
}
