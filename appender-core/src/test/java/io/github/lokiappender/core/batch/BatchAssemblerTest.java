package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BatchAssemblerTest {

    private static final LabelSet A = LabelSet.of(new String[]{"app"}, new String[]{"a"});
    private static final LabelSet B = LabelSet.of(new String[]{"app"}, new String[]{"b"});
    private final PipelineStats stats = new PipelineStats();

    private static EventList events(int n, int lineLength) {
        EventList q = new EventList();
        for (int i = 0; i < n; i++) {
            q.add(LokiEvent.of(i, "x".repeat(lineLength), i % 2 == 0 ? A : B));
        }
        return q;
    }

    @Test
    void groupsByLabelSetKeepingOrder() {
        EventList q = events(5, 3);
        Batch batch = new Batch();
        new BatchAssembler(100, 1_000, 6_000, 0, stats).fill(q, batch);
        assertThat(batch.eventCount()).isEqualTo(5);
        assertThat(batch.streamCount()).isEqualTo(2);
        assertThat(batch.stream(0).labels()).isSameAs(A);
        assertThat(batch.stream(0).events()).extracting(LokiEvent::timestampNanos).containsExactly(0L, 2L, 4L);
        assertThat(batch.stream(1).events()).extracting(LokiEvent::timestampNanos).containsExactly(1L, 3L);
        assertThat(batch.lineBytes()).isEqualTo(15);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void cutsByCount() {
        EventList q = events(10, 1);
        Batch batch = new Batch();
        BatchAssembler a = new BatchAssembler(4, 1_000, 6_000, 0, stats);
        a.fill(q, batch);
        assertThat(batch.eventCount()).isEqualTo(4);
        assertThat(q.size()).isEqualTo(6);
        batch.clear();
        assertThat(batch.isEmpty()).isTrue();
        assertThat(batch.streamCount()).isZero();
        a.fill(q, batch);
        assertThat(batch.streams()).extracting(s -> s.events().get(0).timestampNanos()).containsExactly(4L, 5L);
        assertThat(q.size()).isEqualTo(2);
        // the last two, from where the drain list's head has moved to, all fit: taken over
        batch.clear();
        assertThat(a.fill(q, batch)).isZero();
        assertThat(batch.eventCount()).isEqualTo(2);
        assertThat(batch.lineBytes()).isEqualTo(2);
        assertThat(batch.streams()).extracting(s -> s.events().get(0).timestampNanos()).containsExactly(8L, 9L);
        assertThat(q.isEmpty()).isTrue();
    }

    /**
     * The assembler moves events in slices of 256: drops and limits that fall on either side of a
     * slice's end must come out exactly as in one pass.
     */
    @Test
    void limitsAndDropsAcrossSliceBoundaries() {
        EventList q = new EventList();
        for (int i = 0; i < 1_000; i++) {
            boolean oversized = i == 255 || i == 256 || i == 511;
            q.add(LokiEvent.of(i, oversized ? "x".repeat(200) : "y", i % 3 == 0 ? A : B));
        }
        Batch batch = new Batch();
        BatchAssembler a = new BatchAssembler(600, 100_000, 100, 0, stats); // 200-byte lines are over Loki's limit
        assertThat(a.fill(q, batch)).isEqualTo(3);
        assertThat(batch.eventCount()).isEqualTo(600);
        assertThat(q.size()).isEqualTo(397); // 600 taken, 3 dropped
        java.util.List<Long> taken = new java.util.ArrayList<>();
        batch.streams().forEach(s -> s.events().forEach(e -> taken.add(e.timestampNanos())));
        assertThat(taken).hasSize(600).doesNotContain(255L, 256L, 511L).contains(0L, 254L, 257L, 510L, 512L, 602L)
                .doesNotContain(603L);
        assertThat(stats.snapshot().dropped(DropReason.UNSENDABLE)).isEqualTo(3);

        batch.clear();
        BatchAssembler bytes = new BatchAssembler(10_000, 300, 6_000, 0, stats); // 300 one-byte lines
        assertThat(bytes.fill(q, batch)).isZero();
        assertThat(batch.eventCount()).isEqualTo(300);
        assertThat(batch.lineBytes()).isEqualTo(300);
        assertThat(q.size()).isEqualTo(97);
    }

    @Test
    void cutsByBytesNeverExceedingTheLimit() {
        EventList q = events(10, 30); // 30 bytes each
        Batch batch = new Batch();
        BatchAssembler a = new BatchAssembler(100, 100, 6_000, 0, stats);
        a.fill(q, batch);
        assertThat(batch.eventCount()).isEqualTo(3);
        assertThat(batch.lineBytes()).isEqualTo(90);
        assertThat(q.size()).isEqualTo(7);
    }

    @Test
    void exactFitEndsTheBatch() {
        EventList q = events(10, 25);
        Batch batch = new Batch();
        new BatchAssembler(100, 100, 6_000, 0, stats).fill(q, batch);
        assertThat(batch.lineBytes()).isEqualTo(100);
        assertThat(batch.eventCount()).isEqualTo(4);
    }

    @Test
    void anOversizedEventTravelsAloneIfLokiCouldTakeIt() {
        EventList q = new EventList();
        q.add(LokiEvent.of(1, "x".repeat(10), A));
        q.add(LokiEvent.of(2, "y".repeat(500), A));
        q.add(LokiEvent.of(3, "z", A));
        BatchAssembler a = new BatchAssembler(100, 100, 6_000, 0, stats);
        Batch batch = new Batch();
        a.fill(q, batch);
        assertThat(batch.eventCount()).isEqualTo(1);
        batch.clear();
        a.fill(q, batch);
        assertThat(batch.eventCount()).isEqualTo(1);
        assertThat(batch.lineBytes()).isEqualTo(500);
        batch.clear();
        a.fill(q, batch);
        assertThat(batch.stream(0).get(0).line()).isEqualTo("z");
    }

    @Test
    void anEventLargerThanLokiCouldEverTakeIsDroppedAndCounted() {
        EventList q = new EventList();
        q.add(LokiEvent.of(1, "x".repeat(700), A));
        q.add(LokiEvent.of(2, "ok", A));
        Batch batch = new Batch();
        int dropped = new BatchAssembler(100, 100, 600, 0, stats).fill(q, batch);
        assertThat(dropped).isEqualTo(1);
        assertThat(batch.eventCount()).isEqualTo(1);
        assertThat(batch.stream(0).get(0).line()).isEqualTo("ok");
        assertThat(stats.snapshot().dropped(DropReason.UNSENDABLE)).isEqualTo(1);
    }

    @Test
    void longLinesAreCutWithAMarkerAndLoneSurrogatesReplaced() {
        EventList q = new EventList();
        q.add(LokiEvent.of(1, "é".repeat(100), A)); // 200 bytes
        q.add(LokiEvent.of(2, "bad\uD800", A));
        Batch batch = new Batch();
        new BatchAssembler(100, 10_000, 60_000, 64, stats).fill(q, batch);
        String cut = batch.stream(0).get(0).line();
        assertThat(cut).isEqualTo("é".repeat(25) + BatchAssembler.TRUNCATION_MARKER);
        assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(64);
        assertThat(batch.stream(0).get(1).line()).isEqualTo("bad\uFFFD");
        assertThat(stats.snapshot().linesTruncated()).isEqualTo(1);
    }

    @Test
    void cutsNeverSplitAFourByteCharacterAndNeverWriteIntoTheMemoryAViewSharesWithOthers() {
        EventList q = new EventList();
        q.add(LokiEvent.of(1, "a" + "😀".repeat(100), A));
        // a view on the middle of a shared array, as the buffer hands out: the bytes around it belong to other events
        byte[] line = ("b" + "日".repeat(100)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] shared = new byte[line.length + 20];
        java.util.Arrays.fill(shared, (byte) 'x');
        System.arraycopy(line, 0, shared, 10, line.length);
        byte[] before = shared.clone();
        q.add(LokiEvent.ofUtf8(2, shared, 10, line.length, A, null));
        Batch batch = new Batch();
        new BatchAssembler(100, 10_000, 60_000, 64, stats).fill(q, batch);
        // 64 - 14 marker bytes = 50: "a" and 12 emoji (49 bytes); "b" and 16 CJK characters (49 bytes)
        assertThat(batch.stream(0).get(0).line()).isEqualTo("a" + "😀".repeat(12) + BatchAssembler.TRUNCATION_MARKER);
        assertThat(batch.stream(0).get(1).line()).isEqualTo("b" + "日".repeat(16) + BatchAssembler.TRUNCATION_MARKER);
        assertThat(batch.stream(0).get(1).lineUtf8Length()).isEqualTo(63);
        assertThat(batch.lineBytes()).isEqualTo(63 + 63);
        assertThat(stats.snapshot().linesTruncated()).isEqualTo(2);
        assertThat(shared).isEqualTo(before);
    }

    @Test
    void countsMetadataBytes() {
        EventList q = new EventList();
        q.add(LokiEvent.of(1, "abc", A, new String[]{"trace_id", "1234", "empty", ""}));
        Batch batch = new Batch();
        new BatchAssembler(100, 10_000, 60_000, 0, stats).fill(q, batch);
        assertThat(batch.lineBytes()).isEqualTo(3 + 8 + 4);
        assertThat(batch.stream(0).get(0).metadataCount()).isEqualTo(1);
    }

    private static java.util.List<Long> timestamps(Batch.Stream s) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        s.events().forEach(e -> out.add(e.timestampNanos()));
        return out;
    }

    /**
     * Drained events that all fit are taken over by the batch without a copy (the common case), with
     * the same streams, order and byte count as the event-by-event path, across slices of 256; the
     * drain list is left empty and usable, and nothing it receives next changes the batch.
     */
    @Test
    void aBatchTakesOverDrainedEventsThatAllFitAndTheDrainListStaysSeparate() {
        EventList q = new EventList();
        for (int i = 0; i < 700; i++) {
            q.add(LokiEvent.of(i, "line " + i, i % 3 == 0 ? A : B, i == 300 ? new String[]{"k", "vv"} : null));
        }
        long bytes = 0;
        for (int i = 0; i < 700; i++) {
            bytes += ("line " + i).length();
        }
        bytes += 3; // metadata k=vv
        Batch batch = new Batch();
        // exactly at the byte limit with the last event: all of them, as the event-by-event loop takes them
        BatchAssembler a = new BatchAssembler(700, bytes, 60_000, 0, stats);
        int drainCapacity = q.capacity();
        assertThat(a.fill(q, batch)).isZero();
        assertThat(q.isEmpty()).isTrue();
        // taken over, not copied: the drain list now has the batch's former (small, empty) columns
        assertThat(drainCapacity).isGreaterThanOrEqualTo(700);
        assertThat(q.capacity()).isEqualTo(new EventList().capacity());
        assertThat(batch.eventCount()).isEqualTo(700);
        assertThat(batch.lineBytes()).isEqualTo(bytes);
        assertThat(batch.streams()).extracting(Batch.Stream::labels).containsExactly(A, B);
        java.util.List<Long> inA = new java.util.ArrayList<>();
        java.util.List<Long> inB = new java.util.ArrayList<>();
        for (long i = 0; i < 700; i++) {
            (i % 3 == 0 ? inA : inB).add(i);
        }
        assertThat(timestamps(batch.stream(0))).isEqualTo(inA);
        assertThat(timestamps(batch.stream(1))).isEqualTo(inB);
        assertThat(batch.stream(0).get(100).line()).isEqualTo("line 300");
        assertThat(batch.stream(0).get(100).metadataPairs()).containsExactly("k", "vv");

        // the drain list is filled again while the batch is being sent: the batch does not change
        for (int i = 0; i < 5; i++) {
            q.add(LokiEvent.of(1_000 + i, "next " + i, B));
        }
        assertThat(timestamps(batch.stream(1))).isEqualTo(inB);
        assertThat(batch.stream(0).get(0).line()).isEqualTo("line 0");
        batch.clear();
        assertThat(a.fill(q, batch)).isZero();
        assertThat(batch.streams()).extracting(Batch.Stream::labels).containsExactly(B);
        assertThat(timestamps(batch.stream(0))).containsExactly(1_000L, 1_001L, 1_002L, 1_003L, 1_004L);
        assertThat(q.isEmpty()).isTrue();
    }

    /**
     * One event in the way (a line to cut, an event to drop, one past the byte limit) and the events
     * go one by one: exactly what that path takes, and what it leaves.
     */
    @Test
    void oneEventInTheWayAndTheEventsGoOneByOne() {
        EventList q = events(5, 10);
        q.add(LokiEvent.of(5, "x".repeat(200), A)); // over Loki's limit of 100: dropped
        q.add(LokiEvent.of(6, "y", A));
        Batch batch = new Batch();
        assertThat(new BatchAssembler(100, 1_000, 100, 0, stats).fill(q, batch)).isEqualTo(1);
        assertThat(batch.eventCount()).isEqualTo(6);
        assertThat(batch.lineBytes()).isEqualTo(51);
        assertThat(q.isEmpty()).isTrue();

        batch.clear();
        q = events(5, 10);
        assertThat(new BatchAssembler(100, 45, 6_000, 0, stats).fill(q, batch)).isZero(); // 4 fit 45 bytes
        assertThat(batch.eventCount()).isEqualTo(4);
        assertThat(q.size()).isEqualTo(1);

        batch.clear();
        q = events(3, 10);
        q.add(LokiEvent.of(3, "z".repeat(30), B));
        assertThat(new BatchAssembler(100, 1_000, 6_000, 20, stats).fill(q, batch)).isZero(); // the last is cut
        assertThat(batch.eventCount()).isEqualTo(4);
        assertThat(batch.stream(1).get(1).line()).endsWith(BatchAssembler.TRUNCATION_MARKER);
        assertThat(batch.lineBytes()).isEqualTo(30 + 20);
    }
}
