package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.lokiappender.core.reliability.FaultRig.T0;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "Overload": a producer faster than Loki accepts. The buffer never holds more than
 * bufferMaxBytes, each policy drops exactly what it says (DROP_NEWEST keeps the oldest, DROP_OLDEST
 * the newest), every drop is counted, and BLOCK holds the caller at most blockTimeoutMs.
 *
 * <p>Memory is asserted through the buffer's own byte count (the sum of event weights, what
 * bufferMaxBytes limits), sampled from a watcher thread; the benchmarks module measures the heap.
 */
class OverloadTest {

    /** Every line has this many characters, so every event weighs the same. */
    private static final int LINE_CHARS = 100;
    /** What each event counts against bufferMaxBytes. */
    private static final int WEIGHT = io.github.lokiappender.core.LokiEvent.of(0, line(0),
            labels("app", "overload")).weight();
    private final FaultRig rig = new FaultRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static String line(int seq) {
        StringBuilder sb = new StringBuilder(FaultRig.line("o", seq));
        while (sb.length() < LINE_CHARS) {
            sb.append('.');
        }
        return sb.toString();
    }

    private static io.github.lokiappender.core.LokiEvent event(LokiPipeline p, LabelSet l, int seq) {
        return io.github.lokiappender.core.LokiEvent.of(T0 + seq * 1_000L, line(seq), p.labelSets().intern(l));
    }

    private List<String> deliveredLines() {
        return rig.loki.entries().stream().map(FakeLoki.Entry::line).collect(Collectors.toList());
    }

    private static List<String> lines(IntStream seqs) {
        return seqs.mapToObj(OverloadTest::line).collect(Collectors.toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"DROP_NEWEST", "DROP_OLDEST", "BLOCK"})
    void bufferNeverHoldsMoreThanItsBudgetAndEveryDropIsCounted(String policy) throws Exception {
        long budget = 64 * 1024;
        int events = 5_000;
        rig.loki.setDelay(Duration.ofMillis(10)); // about 100 events per 10 ms: far slower than the producer
        // BLOCK: room comes once per request (10 ms or more), so a caller waiting 2 ms for it gives up
        LokiPipeline p = rig.start(b -> b.overflowPolicy(policy).blockTimeoutMs(2).bufferMaxBytes(budget)
                .batchMaxEvents(100).requestTimeoutMs(5_000));
        LabelSet l = labels("app", "overload");

        AtomicLong maxSeen = new AtomicLong();
        AtomicLong samples = new AtomicLong();
        CompletableFuture<Void> producerDone = new CompletableFuture<>();
        Thread watcher = new Thread(() -> {
            while (!producerDone.isDone()) {
                long b = p.bufferedBytes();
                maxSeen.accumulateAndGet(b, Math::max);
                samples.incrementAndGet();
                Thread.onSpinWait();
            }
        }, "buffer-watcher");
        watcher.start();
        List<Integer> accepted = new ArrayList<>();
        try {
            for (int i = 0; i < events; i++) {
                if (p.offer(event(p, l, i))) {
                    accepted.add(i);
                }
            }
        } finally {
            producerDone.complete(null);
            watcher.join(TimeUnit.SECONDS.toMillis(10));
        }

        System.out.printf("overload, %s: max buffered %,d of %,d bytes over %,d samples%n",
                policy, maxSeen.get(), budget, samples.get());
        assertThat(samples.get()).isPositive();
        assertThat(maxSeen.get()).isLessThanOrEqualTo(budget);
        assertThat(maxSeen.get()).isGreaterThan(budget - 2 * WEIGHT); // the budget was actually reached
        assertThat(p.flush(Duration.ofSeconds(30))).isTrue();
        StatsSnapshot s = p.stats();
        assertThat(s.offered()).isEqualTo(events);
        assertThat(s.droppedTotal()).isEqualTo(s.dropped(DropReason.BUFFER_FULL)).isPositive();
        assertThat(s.delivered() + s.droppedTotal()).isEqualTo(events);
        List<String> delivered = deliveredLines();
        assertThat(delivered).hasSize((int) s.delivered()).doesNotHaveDuplicates().isSorted();
        if (policy.equals("DROP_OLDEST")) {
            assertThat(accepted).hasSize(events); // room was made by evicting older events
            int keptAtEnd = (int) (budget / WEIGHT) - 1;
            assertThat(delivered).containsSubsequence(lines(IntStream.range(events - keptAtEnd, events)));
        } else {
            // the caller was told, event by event, what was dropped
            assertThat(s.droppedTotal()).isEqualTo(events - accepted.size());
            assertThat(delivered).containsExactlyElementsOf(accepted.stream().map(OverloadTest::line)
                    .collect(Collectors.toList()));
        }
    }

    /**
     * Deterministic policy semantics: one batch of 10 is in flight at a hung Loki, the buffer holds
     * exactly 100 events (by bytes), and 990 more are offered.
     */
    @ParameterizedTest
    @ValueSource(strings = {"DROP_NEWEST", "DROP_OLDEST"})
    void dropNewestKeepsTheFirstAndDropOldestKeepsTheNewest(String policy) {
        LokiPipeline p = fillBehindAHungLoki(policy, 0);
        List<Boolean> results = new ArrayList<>();
        for (int i = 10; i < 1_000; i++) {
            results.add(p.offer(event(p, labels("app", "overload"), i)));
        }
        assertThat(p.buffered()).isEqualTo(100);
        assertThat(p.bufferedBytes()).isEqualTo(100L * WEIGHT);
        assertThat(p.stats().dropped(DropReason.BUFFER_FULL)).isEqualTo(890);

        rig.loki.hang(false);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        StatsSnapshot s = p.stats();
        assertThat(s.delivered()).isEqualTo(110);
        assertThat(s.droppedTotal()).isEqualTo(890);
        if (policy.equals("DROP_NEWEST")) {
            assertThat(results.subList(0, 100)).containsOnly(true);
            assertThat(results.subList(100, 990)).containsOnly(false);
            assertThat(deliveredLines()).containsExactlyElementsOf(lines(IntStream.range(0, 110)));
        } else {
            assertThat(results).containsOnly(true);
            assertThat(deliveredLines()).containsExactlyElementsOf(
                    lines(IntStream.concat(IntStream.range(0, 10), IntStream.range(900, 1_000))));
        }
    }

    @Test
    void blockHoldsTheCallerUpToBlockTimeoutAndReleasesItWhenRoomAppears() throws Exception {
        long blockMs = 1_000;
        LokiPipeline p = fillBehindAHungLoki("BLOCK", blockMs);
        LabelSet l = labels("app", "overload");
        for (int i = 10; i < 110; i++) {
            assertThat(p.offer(event(p, l, i))).isTrue(); // room: no wait
        }

        long start = System.nanoTime();
        boolean full = p.offer(event(p, l, 110));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(full).isFalse();
        System.out.printf("BLOCK: a caller on a full buffer waited %d ms (blockTimeoutMs %d)%n", waitedMs, blockMs);
        assertThat(waitedMs).isBetween(blockMs - 5, blockMs + 3_000); // the whole timeout, then gives up
        assertThat(p.stats().dropped(DropReason.BUFFER_FULL)).isEqualTo(1);

        // a caller blocked on a full buffer goes on as soon as Loki takes a batch
        CompletableFuture<Boolean> blocked = new CompletableFuture<>();
        Thread caller = new Thread(() -> blocked.complete(p.offer(event(p, l, 111))), "blocked-caller");
        caller.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
        rig.loki.hang(false);
        assertThat(blocked.get(blockMs + 5_000, TimeUnit.MILLISECONDS)).isTrue();

        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        StatsSnapshot s = p.stats();
        assertThat(s.offered()).isEqualTo(112);
        assertThat(s.delivered()).isEqualTo(111);
        assertThat(s.dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
        assertThat(deliveredLines()).containsExactlyElementsOf(
                lines(IntStream.concat(IntStream.range(0, 110), IntStream.of(111))));
    }

    /** Sends events 0..9 as one batch that hangs at Loki; the buffer (100 events by bytes) is then empty. */
    private LokiPipeline fillBehindAHungLoki(String policy, long blockMs) {
        rig.loki.hang(true);
        LokiPipeline p = rig.start(b -> b.overflowPolicy(policy).blockTimeoutMs(blockMs)
                .bufferMaxBytes(100L * WEIGHT).batchMaxEvents(10).flushIntervalMs(60_000).requestTimeoutMs(30_000));
        LabelSet l = labels("app", "overload");
        for (int i = 0; i < 10; i++) {
            assertThat(p.offer(event(p, l, i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.loki.pendingPushes() == 1 && p.buffered() == 0);
        return p;
    }
}
