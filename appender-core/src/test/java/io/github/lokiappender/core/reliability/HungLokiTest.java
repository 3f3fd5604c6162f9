package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FaultyProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.github.lokiappender.core.reliability.FaultRig.event;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static io.github.lokiappender.core.reliability.FaultRig.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "Hung Loki": the server accepts connections and reads requests but never answers.
 * Callers never wait, requests time out, the pipeline recovers when Loki answers again, and close
 * ends within shutdownTimeoutMs accounting for every event.
 */
class HungLokiTest {

    private static final int EVENTS = 100_000;
    private static final int BUFFER_EVENTS = 1_000;
    private static final long SHUTDOWN_MS = 1_000;
    private final FaultRig rig = new FaultRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DROP_NEWEST", "DROP_OLDEST"})
    void callersNeverBlockRequestsTimeOutAndThePipelineRecovers(String policy) {
        LokiPipeline p = rig.start(b -> b.overflowPolicy(policy).requestTimeoutMs(300).maxRetries(100_000)
                .bufferMaxEvents(BUFFER_EVENTS).batchMaxEvents(100).shutdownTimeoutMs(SHUTDOWN_MS));
        LabelSet l = labels("app", "hung");
        rig.proxy.mode(FaultyProxy.Mode.HANG);

        // 100,000 offers against a hung Loki: they must all return; the bound is generous on purpose
        // (a busy 2-core machine), a blocking caller would take 100,000 x requestTimeoutMs
        Set<Integer> accepted = new HashSet<>();
        LokiEvent[] events = new LokiEvent[EVENTS]; // built beforehand: the timing is of offer alone
        for (int i = 0; i < EVENTS; i++) {
            events[i] = event(p, l, "h", i);
        }
        long offerStart = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < EVENTS; i++) {
                if (p.offer(events[i])) {
                    accepted.add(i);
                }
            }
        });
        long offersMs = (System.nanoTime() - offerStart) / 1_000_000;
        StatsSnapshot during = p.stats();
        assertThat(during.offered()).isEqualTo(EVENTS);
        assertThat(during.delivered()).isZero();
        if (policy.equals("DROP_NEWEST")) {
            // the rejected ones are exactly the ones counted, and the buffer kept the first ones
            assertThat(during.dropped(DropReason.BUFFER_FULL)).isEqualTo(EVENTS - accepted.size());
            assertThat(accepted).contains(0, BUFFER_EVENTS - 1);
        } else {
            assertThat(accepted).hasSize(EVENTS); // room is made by evicting, counted below
        }

        // requests time out and are retried, rather than waiting forever
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().retries() >= 2);
        assertThat(rig.status.messages).anyMatch(m -> m.startsWith("WARN push to Loki failed (HttpTimeoutException"));

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
        StatsSnapshot after = p.stats();
        assertThat(after.delivered() + after.dropped(DropReason.BUFFER_FULL)).isEqualTo(EVENTS);
        assertThat(after.droppedTotal()).isEqualTo(after.dropped(DropReason.BUFFER_FULL));
        assertThat(after.delivered()).isBetween((long) BUFFER_EVENTS, (long) BUFFER_EVENTS + 200);
        List<String> lines = rig.loki.entries().stream().map(FakeLoki.Entry::line).collect(Collectors.toList());
        assertThat(lines).hasSize((int) after.delivered()).doesNotHaveDuplicates();
        if (policy.equals("DROP_NEWEST")) {
            assertThat(lines).containsExactlyElementsOf(
                    accepted.stream().sorted().map(i -> line("h", i)).collect(Collectors.toList()));
        } else {
            // the newest survive: the buffer's last content was the last BUFFER_EVENTS offered
            for (int i = EVENTS - BUFFER_EVENTS; i < EVENTS; i++) {
                assertThat(lines).contains(line("h", i));
            }
        }

        // hung again with events buffered and one request in flight: close still keeps its deadline
        rig.proxy.mode(FaultyProxy.Mode.HANG);
        for (int i = EVENTS; i < EVENTS + 500; i++) {
            assertThat(p.offer(event(p, l, "h", i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.proxy.openConnections() >= 1 && p.buffered() < 500);
        long start = System.nanoTime();
        StatsSnapshot end = p.close(Duration.ofMillis(SHUTDOWN_MS));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("hung Loki, %s: %,d offers took %d ms; close took %d ms (shutdownTimeoutMs %d)%n",
                policy, EVENTS, offersMs, tookMs, SHUTDOWN_MS);
        assertThat(tookMs).isLessThan(SHUTDOWN_MS + 1_000); // margin for a busy machine
        assertThat(end.offered()).isEqualTo(EVENTS + 500);
        assertThat(end.delivered()).isEqualTo(after.delivered());
        assertThat(end.dropped(DropReason.SHUTDOWN_TIMEOUT)).isEqualTo(500);
        assertThat(end.offered()).isEqualTo(end.delivered() + end.droppedTotal());
        assertThat(end.pending()).isZero();
        assertThat(rig.loki.entryCount()).isEqualTo((int) end.delivered());
        assertThat(rig.status.messages).contains("INFO Loki appender 'reliability' stopped: " + end.delivered()
                + " events delivered, " + end.droppedTotal() + " not delivered " + end.droppedByReason());
    }
}
