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
}
