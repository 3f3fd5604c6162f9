package io.github.lokiappender.core.buffer;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.encode.Utf8Scratch;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EventBufferTest {

    private static final LabelSet LABELS = LabelSet.of(new String[]{"app"}, new String[]{"t"});
    private final PipelineStats stats = new PipelineStats();

    private static LokiEvent event(int i) {
        return LokiEvent.of(i, "line-" + i, LABELS);
    }

    /** A buffer holding at most {@code events} events, with a huge byte budget. */
    private EventBuffer byCount(int events, OverflowPolicy policy, long blockMs) {
        return new EventBuffer(Long.MAX_VALUE, events, policy, TimeUnit.MILLISECONDS.toNanos(blockMs), 1_000, Long.MAX_VALUE, stats);
    }

    private static List<Long> drainTimestamps(EventBuffer b) {
        List<LokiEvent> out = new ArrayList<>();
        b.drainTo(out, Integer.MAX_VALUE);
        List<Long> ts = new ArrayList<>();
        out.forEach(e -> ts.add(e.timestampNanos()));
        return ts;
    }

    @Test
    void dropNewestKeepsTheFirstEventsAndCountsTheRest() {
        EventBuffer b = byCount(3, OverflowPolicy.DROP_NEWEST, 0);
        for (int i = 0; i < 10; i++) {
            b.offer(event(i));
        }
        assertThat(drainTimestamps(b)).containsExactly(0L, 1L, 2L);
        assertThat(stats.snapshot().dropped(DropReason.BUFFER_FULL)).isEqualTo(7);
    }

    @Test
    void linesOfEveryKindArriveAsTheirExactUtf8WithTheCallersScratchOrWithout() {
        EventBuffer b = byCount(100, OverflowPolicy.DROP_NEWEST, 0);
        Utf8Scratch scratch = new Utf8Scratch();
        String huge = "y".repeat(Utf8Scratch.MAX_KEPT_CHARS + 10) + "é";
        List<String> lines = List.of("plain", "café", "日本語 😀", "", huge, "a\uD800b");
        for (int i = 0; i < lines.size(); i++) {
            assertThat(b.offer(i, new StringBuilder(lines.get(i)), LABELS, null, scratch)).isTrue();
            assertThat(scratch.bytes()).as("released once copied").isNull();
            assertThat(b.offer(100 + i, lines.get(i), LABELS, null)).isTrue();
        }
        List<LokiEvent> out = new ArrayList<>();
        b.drainTo(out, Integer.MAX_VALUE);
        List<String> got = new ArrayList<>();
        out.forEach(e -> got.add(new String(e.lineBytes(), e.lineOffset(), e.lineUtf8Length(), StandardCharsets.UTF_8)));
        List<String> expected = new ArrayList<>();
        for (String l : lines) {
            String clean = l.replace('\uD800', '\uFFFD');
            expected.add(clean);
            expected.add(clean);
        }
        assertThat(got).isEqualTo(expected);

        // no scratch of the caller's: the buffer's own per-thread arrays
        assertThat(b.offer(200, "naïve", LABELS, null, null)).isTrue();
        out.clear();
        b.drainTo(out, Integer.MAX_VALUE);
        assertThat(out).hasSize(1);
        assertThat(new String(out.get(0).lineBytes(), out.get(0).lineOffset(), out.get(0).lineUtf8Length(),
                StandardCharsets.UTF_8)).isEqualTo("naïve");
    }

    /** A drain stops exactly at the event limit and at the content limit, wherever they fall. */
    @Test
    void aLongDrainStopsExactlyAtEitherLimit() {
        EventBuffer b = byCount(10_000, OverflowPolicy.DROP_NEWEST, 0);
        for (int i = 0; i < 1_000; i++) {
            assertThat(b.offer(i, String.format("line-%04d", i), LABELS, null)).isTrue(); // 9 bytes each
        }
        List<LokiEvent> out = new ArrayList<>();
        assertThat(b.drainTo(out, 700, Long.MAX_VALUE)).isEqualTo(700);
        assertThat(b.drainTo(out, Integer.MAX_VALUE, 9 * 280 + 8)).isEqualTo(280); // the 281st would pass it
        assertThat(b.drainTo(out, Integer.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(20);
        assertThat(out).hasSize(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(out.get(i).timestampNanos()).isEqualTo(i);
            assertThat(out.get(i).line()).isEqualTo(String.format("line-%04d", i));
        }
    }

    @Test
    void dropOldestKeepsTheLastEventsAndCountsEvictions() {
        EventBuffer b = byCount(3, OverflowPolicy.DROP_OLDEST, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(b.offer(event(i))).isTrue();
        }
        assertThat(drainTimestamps(b)).containsExactly(7L, 8L, 9L);
        assertThat(stats.snapshot().dropped(DropReason.BUFFER_FULL)).isEqualTo(7);
    }

    @Test
    void backloggedOnceMoreThanHalfOfEitherBudgetIsWaiting() {
        int w = event(0).weight(); // "line-0".."line-9": all the same weight
        EventBuffer bytes = new EventBuffer(8L * w, 1_000, OverflowPolicy.DROP_NEWEST, 0, 1_000, Long.MAX_VALUE, stats);
        for (int i = 0; i < 4; i++) {
            bytes.offer(event(i));
        }
        assertThat(bytes.isBacklogged()).as("exactly half").isFalse();
        bytes.offer(event(4));
        assertThat(bytes.isBacklogged()).isTrue();
        assertThat(bytes.drainTo(new ArrayList<>(), 1)).isEqualTo(1); // drained events no longer wait
        assertThat(bytes.isBacklogged()).isFalse();

        EventBuffer count = new EventBuffer(Long.MAX_VALUE, 6, OverflowPolicy.DROP_NEWEST, 0, 1_000, Long.MAX_VALUE, stats);
        for (int i = 0; i < 3; i++) {
            count.offer(event(i));
        }
        assertThat(count.isBacklogged()).isFalse();
        count.offer(event(3));
        assertThat(count.isBacklogged()).isTrue();
    }

    @Test
    void backloggedOnceMoreThanFourBatchesAreWaitingByEventsOrByContent() {
        assertThat(EventBuffer.BACKLOG_BATCHES).isEqualTo(4);
        // budgets far from half full: the batch size decides
        EventBuffer events = new EventBuffer(1L << 40, 1_000_000, OverflowPolicy.DROP_NEWEST, 0, 2, Long.MAX_VALUE, stats);
        for (int i = 0; i < 8; i++) {
            events.offer(event(i));
        }
        assertThat(events.isBacklogged()).as("exactly four batches of 2").isFalse();
        events.offer(event(8));
        assertThat(events.isBacklogged()).isTrue();
        assertThat(events.drainTo(new ArrayList<>(), 2)).isEqualTo(2);
        assertThat(events.isBacklogged()).isFalse();

        int line = event(0).lineUtf8Length(); // "line-0".."line-9": 6 bytes each
        EventBuffer content = new EventBuffer(1L << 40, 1_000_000, OverflowPolicy.DROP_NEWEST, 0, 1_000, 3L * line, stats);
        for (int i = 0; i < 10; i++) {
            content.offer(event(i));
        }
        assertThat(content.isBacklogged()).as("10 lines, 4 batches of 3 lines' bytes").isFalse();
        content.offer(event(0));
        content.offer(event(1));
        assertThat(content.isBacklogged()).as("exactly four batches' content").isFalse();
        content.offer(event(2));
        assertThat(content.isBacklogged()).isTrue();
    }

    @Test
    void byteBudgetLimitsLikeTheEventBudget() {
        int w = event(0).weight();
        EventBuffer b = new EventBuffer(3L * w, 1_000, OverflowPolicy.DROP_NEWEST, 0, 1_000, Long.MAX_VALUE, stats);
        for (int i = 0; i < 5; i++) {
            b.offer(event(i));
        }
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.bytes()).isEqualTo(3L * w);
        assertThat(stats.snapshot().dropped(DropReason.BUFFER_FULL)).isEqualTo(2);
    }

    @Test
    void eventLargerThanTheWholeBudgetIsDroppedEvenUnderDropOldest() {
        EventBuffer b = new EventBuffer(200, 1_000, OverflowPolicy.DROP_OLDEST, 0, 1_000, Long.MAX_VALUE, stats);
        b.offer(event(1));
        assertThat(b.offer(LokiEvent.of(2, "x".repeat(500), LABELS))).isFalse();
        assertThat(drainTimestamps(b)).containsExactly(1L);
        assertThat(stats.snapshot().dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
    }

    @Test
    void blockWaitsForRoomThenSucceeds() throws Exception {
        EventBuffer b = byCount(1, OverflowPolicy.BLOCK, 30_000);
        b.offer(event(0));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            return b.offer(event(1));
        });
        started.await();
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !blocked.isDone());
        assertThat(drainTimestamps(b)).containsExactly(0L);
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(drainTimestamps(b)).containsExactly(1L);
        assertThat(stats.snapshot().droppedTotal()).isZero();
    }

    @Test
    void blockGivesUpAfterTheTimeoutAndCounts() {
        EventBuffer b = byCount(1, OverflowPolicy.BLOCK, 50);
        b.offer(event(0));
        long t0 = System.nanoTime();
        assertThat(b.offer(event(1))).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(stats.snapshot().dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
    }

    @Test
    void closeReleasesBlockedCallersAndRejectsLaterOffers() throws Exception {
        EventBuffer b = byCount(1, OverflowPolicy.BLOCK, 60_000);
        b.offer(event(0));
        CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> b.offer(event(1)));
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2)).until(() -> !blocked.isDone());
        b.close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(b.offer(event(2))).isFalse();
        assertThat(stats.snapshot().dropped(DropReason.CLOSED)).isEqualTo(2);
        assertThat(b.isClosed()).isTrue();
    }

    @Test
    void awaitReadyReturnsAtOnceForAFullBatch() throws Exception {
        EventBuffer b = new EventBuffer(Long.MAX_VALUE, 100, OverflowPolicy.DROP_NEWEST, 0, 3, Long.MAX_VALUE, stats);
        for (int i = 0; i < 3; i++) {
            b.offer(event(i));
        }
        long t0 = System.nanoTime();
        assertThat(b.awaitReady(TimeUnit.SECONDS.toNanos(60))).isTrue();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
    }

    @Test
    void awaitReadyWaitsForTheLingerTimeWithAPartialBatch() throws Exception {
        EventBuffer b = new EventBuffer(Long.MAX_VALUE, 100, OverflowPolicy.DROP_NEWEST, 0, 50, Long.MAX_VALUE, stats);
        b.offer(event(0));
        long t0 = System.nanoTime();
        assertThat(b.awaitReady(TimeUnit.MILLISECONDS.toNanos(100))).isTrue();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
    }

    /** A shipper thread waiting in {@link EventBuffer#awaitReady(long)} with that linger time. */
    private static CompletableFuture<Boolean> shipperAwaitingReady(EventBuffer b, long lingerNanos) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return b.awaitReady(lingerNanos);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void shipperSleepingOnAnEmptyBufferIsWokenByTheFirstEventAndByABatchCrossing() throws Exception {
        EventBuffer b = new EventBuffer(Long.MAX_VALUE, 100, OverflowPolicy.DROP_NEWEST, 0, 2, Long.MAX_VALUE, stats);
        CompletableFuture<Boolean> shipper = shipperAwaitingReady(b, TimeUnit.HOURS.toNanos(1));
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2)).until(() -> !shipper.isDone());
        b.offer(event(0)); // wakes the shipper, which then lingers (an hour)
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2)).until(() -> !shipper.isDone());
        b.offer(event(1)); // a full batch: wakes it for good
        assertThat(shipper.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aLingeringShipperIsWokenWhenTheEventsWaitingReachABatchsBytes() throws Exception {
        // batches of up to 100 events or 50 bytes of content: the second 30-byte line crosses
        EventBuffer b = new EventBuffer(Long.MAX_VALUE, 1000, OverflowPolicy.DROP_NEWEST, 0, 100, 50, stats);
        b.offer(1, "a".repeat(30), LABELS, null);
        CompletableFuture<Boolean> shipper = shipperAwaitingReady(b, TimeUnit.HOURS.toNanos(1));
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2)).until(() -> !shipper.isDone());
        b.offer(2, "b".repeat(30), LABELS, null);
        assertThat(shipper.get(5, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * After a burst the buffer keeps its chunks for reuse; once none is taken for an interval, a
     * shipper sleeping on the empty buffer wakes and lets go of them (all but about two batches).
     */
    @Test
    void anIdleShipperLetsGoOfSpareMemoryNoWriteTook() throws Exception {
        // 1 MiB budget: 64 KiB chunks; batches of 10 events or 1 KiB keep a floor of two chunks
        EventBuffer b = new EventBuffer(1 << 20, Integer.MAX_VALUE, OverflowPolicy.DROP_NEWEST, 0, 10, 1024, stats);
        b.spareTrimInterval(TimeUnit.MILLISECONDS.toNanos(50));
        String line = "z".repeat(1000);
        for (int i = 0; i < 512; i++) { // 512 records of 1,012 bytes: 64 to a chunk, eight chunks
            assertThat(b.offer(i, line, LABELS, null)).isTrue();
        }
        List<LokiEvent> out = new ArrayList<>();
        assertThat(b.drainTo(out, Integer.MAX_VALUE)).isEqualTo(512);
        b.releaseDrained();
        assertThat(b.spareChunks()).isEqualTo(7); // the eighth still takes writes

        CompletableFuture<Boolean> shipper = shipperAwaitingReady(b, TimeUnit.SECONDS.toNanos(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.spareChunks() == 2);
        assertThat(shipper).isNotDone(); // it went back to sleep: nothing to ship
        b.close();
        assertThat(shipper.get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void awaitReadyReturnsFalseOnlyWhenClosedAndEmpty() throws Exception {
        EventBuffer b = byCount(10, OverflowPolicy.DROP_NEWEST, 0);
        b.offer(event(0));
        b.close();
        assertThat(b.awaitReady(TimeUnit.HOURS.toNanos(1))).isTrue();
        b.drainTo(new ArrayList<>(), 10);
        assertThat(b.awaitReady(TimeUnit.HOURS.toNanos(1))).isFalse();
    }

    @Test
    void flushMakesTheBatchDueAndWaitsForCompletion() throws Exception {
        EventBuffer b = new EventBuffer(Long.MAX_VALUE, 100, OverflowPolicy.DROP_NEWEST, 0, 50, Long.MAX_VALUE, stats);
        b.offer(event(0));
        b.offer(event(1));
        CompletableFuture<Boolean> flusher = CompletableFuture.supplyAsync(() -> {
            try {
                return b.flush(TimeUnit.SECONDS.toNanos(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(b.awaitReady(TimeUnit.HOURS.toNanos(1))).isTrue(); // due because of the flush
        List<LokiEvent> out = new ArrayList<>();
        assertThat(b.drainTo(out, 100)).isEqualTo(2);
        assertThat(flusher.isDone()).isFalse();
        b.completed(2);
        assertThat(flusher.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(b.flush(0)).isTrue(); // nothing outstanding
    }

    @Test
    void flushTimesOutWhenNothingCompletes() throws Exception {
        EventBuffer b = byCount(10, OverflowPolicy.DROP_NEWEST, 0);
        b.offer(event(0));
        assertThat(b.flush(TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
    }

    @Test
    void discardAllEmptiesAndCompletes() throws Exception {
        EventBuffer b = byCount(10, OverflowPolicy.DROP_NEWEST, 0);
        b.offer(event(0));
        b.offer(event(1));
        assertThat(b.discardAll()).isEqualTo(2);
        assertThat(b.size()).isZero();
        assertThat(b.bytes()).isZero();
        assertThat(b.flush(0)).isTrue();
    }

    @Test
    void concurrentProducersLoseNothingUnderTheBudget() throws Exception {
        EventBuffer b = byCount(1_000_000, OverflowPolicy.DROP_NEWEST, 0);
        int threads = 4;
        int per = 25_000;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * per;
            fs.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < per; i++) {
                    b.offer(event(base + i));
                }
            }));
        }
        go.countDown();
        List<LokiEvent> out = new ArrayList<>();
        CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        b.drainTo(out, Integer.MAX_VALUE);
        assertThat(out).hasSize(threads * per);
        assertThat(out.stream().mapToLong(LokiEvent::timestampNanos).distinct().count()).isEqualTo(threads * per);
    }
}
