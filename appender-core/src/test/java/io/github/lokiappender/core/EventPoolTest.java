package io.github.lokiappender.core;

import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Recycled events: what is kept, within which bounds, and that a refilled event holds only its new content. */
class EventPoolTest {

    private static final LabelSet A = LabelSet.of(new String[]{"app"}, new String[]{"a"});
    private static final LabelSet B = LabelSet.of(new String[]{"app"}, new String[]{"b"});

    @Test
    void aRecycledEventIsHandedOutAgainAndHoldsOnlyItsNewContent() {
        EventPool pool = new EventPool(10, 1 << 20);
        LokiEvent first = pool.claim().set(1, "a fairly long first line", A, new String[]{"trace_id", "t1"});
        assertThat(first.isPooled()).isTrue();
        first.recycle();
        assertThat(pool.size()).isEqualTo(1);

        LokiEvent again = pool.claim().set(2, new StringBuilder("short"), B, null);

        assertThat(again).isSameAs(first);
        assertThat(pool.size()).isZero();
        assertThat(again.timestampNanos()).isEqualTo(2);
        assertThat(again.line()).isEqualTo("short");
        assertThat(again.lineUtf8Length()).isEqualTo(5);
        assertThat(again.labels()).isSameAs(B);
        assertThat(again.metadataCount()).isZero();
        assertThat(again.contentSize()).isEqualTo(5);
    }

    @Test
    void linesAreHeldAsUtf8WithLoneSurrogatesReplaced() {
        EventPool pool = new EventPool(10, 1 << 20);
        String text = "ascii é 日本 😀 lone\uD800 end\uDC00";
        LokiEvent e = pool.claim().set(1, new StringBuilder(text), A, null);
        byte[] expected = "ascii é 日本 😀 lone\uFFFD end\uFFFD".getBytes(StandardCharsets.UTF_8);

        assertThat(e.lineUtf8Length()).isEqualTo(expected.length);
        assertThat(java.util.Arrays.copyOf(e.lineBytes(), e.lineUtf8Length())).isEqualTo(expected);
        e.recycle();
        LokiEvent ascii = pool.claim().set(2, "x", A, null);
        assertThat(ascii.line()).isEqualTo("x");
    }

    @Test
    void givingAnEventBackTwiceKeepsItOnce() {
        EventPool pool = new EventPool(10, 1 << 20);
        LokiEvent e = pool.claim().set(1, "l", A, null);
        e.recycle();
        e.recycle();
        assertThat(pool.size()).isEqualTo(1);
        assertThat(pool.claim()).isSameAs(e);
        assertThat(pool.claim()).isNotSameAs(e);
    }

    @Test
    void keepsAtMostItsEventAndByteBounds() {
        EventPool byCount = new EventPool(3, 1 << 20);
        List<LokiEvent> claimed = claim(byCount, 5, "0123456789");
        claimed.forEach(LokiEvent::recycle);
        assertThat(byCount.size()).isEqualTo(3);

        int one = LokiEvent.OVERHEAD_BYTES + claimed.get(0).lineBytes().length;
        EventPool byBytes = new EventPool(100, 2L * one);
        claim(byBytes, 5, "0123456789").forEach(LokiEvent::recycle);
        assertThat(byBytes.size()).isEqualTo(2);
        assertThat(byBytes.retainedBytes()).isEqualTo(2L * one).isLessThanOrEqualTo(byBytes.maxBytes());

        EventPool none = new EventPool(0, 0);
        LokiEvent e = none.claim().set(1, "x", A, null);
        e.recycle();
        assertThat(none.size()).isZero();
        assertThat(none.claim()).isNotSameAs(e);
        // without recycling a line array is never larger than its line: the buffer charges no headroom
        assertThat(none.claim().set(1, "y".repeat(110), A, null).weight()).isEqualTo(LokiEvent.OVERHEAD_BYTES + 110);
        assertThat(none.claim().set(1, new StringBuilder("é".repeat(50)), A, null).weight())
                .isEqualTo(LokiEvent.OVERHEAD_BYTES + 100);
    }

    @Test
    void aRecycledArrayMuchLargerThanTheNextLineIsReplacedSoTheBudgetIsNotChargedForIt() {
        EventPool pool = new EventPool(10, 10L << 20);
        LokiEvent e = pool.claim().set(1, "x".repeat(10_000), A, null);
        e.recycle();
        LokiEvent reused = pool.claim().set(2, "short line", A, null);
        assertThat(reused).isSameAs(e);
        assertThat(reused.line()).isEqualTo("short line");
        assertThat(reused.weight()).isLessThanOrEqualTo(LokiEvent.OVERHEAD_BYTES + 10 + 10 / 8 + 16);
    }

    @Test
    void aHugeLineArrayIsNotKept() {
        EventPool pool = new EventPool(10, 10L << 20);
        LokiEvent big = pool.claim().set(1, "x".repeat(EventPool.MAX_RETAINED_LINE_BYTES + 1), A, null);
        big.recycle();
        assertThat(pool.size()).isEqualTo(1);
        assertThat(pool.retainedBytes()).isEqualTo(LokiEvent.OVERHEAD_BYTES); // the event, without its array
        assertThat(pool.claim().set(2, "small", A, null).line()).isEqualTo("small");
    }

    @Test
    void aFinishedBatchGivesItsEventsBack() {
        EventPool pool = new EventPool(100, 1 << 20);
        Batch batch = new Batch();
        for (int i = 0; i < 6; i++) {
            LokiEvent e = pool.claim().set(i, "line " + i, i % 2 == 0 ? A : B, null);
            batch.add(e, e.lineUtf8Length());
        }
        batch.add(LokiEvent.of(7, "standalone", A), 10);
        batch.clear();
        assertThat(pool.size()).isEqualTo(6);
    }

    @Test
    void eventsTheBufferDropsGoBack() {
        PipelineStats stats = new PipelineStats();
        EventPool pool = new EventPool(100, 1 << 20);
        EventBuffer newest = new EventBuffer(Long.MAX_VALUE, 2, OverflowPolicy.DROP_NEWEST, 0, 100, Long.MAX_VALUE, stats);
        for (LokiEvent e : claim(pool, 5, "n")) {
            newest.offer(e);
        }
        assertThat(pool.size()).isEqualTo(3); // the three rejected
        assertThat(newest.discardAll()).isEqualTo(2);
        assertThat(pool.size()).isEqualTo(5);

        EventBuffer oldest = new EventBuffer(Long.MAX_VALUE, 2, OverflowPolicy.DROP_OLDEST, 0, 100, Long.MAX_VALUE, stats);
        List<LokiEvent> five = claim(pool, 5, "o");
        assertThat(pool.size()).isZero();
        for (int i = 0; i < 5; i++) {
            oldest.offer(five.get(i).set(i, "o" + i, A, null));
        }
        assertThat(pool.size()).isEqualTo(3); // three evicted
        List<LokiEvent> left = new ArrayList<>();
        oldest.drainTo(left, 10);
        assertThat(left).extracting(LokiEvent::line).containsExactly("o3", "o4");

        oldest.close();
        oldest.offer(pool.claim().set(9, "late", A, null));
        assertThat(pool.size()).isEqualTo(3);
        assertThat(stats.snapshot().dropped(DropReason.BUFFER_FULL)).isEqualTo(6);
        assertThat(stats.snapshot().dropped(DropReason.CLOSED)).isEqualTo(1);
    }

    private static List<LokiEvent> claim(EventPool pool, int n, String line) {
        List<LokiEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool.claim().set(i, line, A, null));
        }
        return out;
    }
}
