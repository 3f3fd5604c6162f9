package io.github.lokiappender.core.buffer;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.EventList;
import io.github.lokiappender.core.labels.LabelSet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte storage behind {@link EventBuffer}: records across chunk boundaries, label sets and
 * metadata kept in step with the bytes, the budget charged for unused chunk ends, views that stay
 * valid until released, and chunk reuse.
 */
class RecordChunksTest {

    private final LabelSet a = LabelSet.of(new String[]{"app"}, new String[]{"a"});
    private final LabelSet b = LabelSet.of(new String[]{"app"}, new String[]{"b"});

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void append(RecordChunks r, long ts, String line, LabelSet set, String[] md) {
        byte[] bytes = utf8(line);
        String[] compact = LokiEvent.compactMetadata(md);
        r.append(ts, bytes, 0, bytes.length, set, compact, LokiEvent.chars(compact));
    }

    @Test
    void chunkSizeIsTheBudgetForSmallBuffersAnd64KiBForLargeOnes() {
        assertThat(RecordChunks.chunkSizeFor(100)).isEqualTo(1024);
        assertThat(RecordChunks.chunkSizeFor(6_000)).isEqualTo(8192);
        assertThat(RecordChunks.chunkSizeFor(8192)).isEqualTo(8192);
        assertThat(RecordChunks.chunkSizeFor(64L << 20)).isEqualTo(65536);
        // two batches of 1 MiB plus 10,000 headers each (35.7 chunks of 64 KiB), plus two
        assertThat(RecordChunks.spareChunksFor(64L << 20, 10_000, 1 << 20)).isEqualTo(37);
    }

    /** What the test expects of one record. */
    private static final class Expected {
        final long ts;
        final String line;
        final LabelSet labels;
        final String[] metadata;
        final int content;

        Expected(long ts, String line, LabelSet labels, String[] metadata) {
            this.ts = ts;
            this.line = line;
            this.labels = labels;
            this.metadata = metadata;
            this.content = utf8(line).length + (metadata == null ? 0 : LokiEvent.chars(metadata));
        }

        int weight() {
            return RecordChunks.HEADER_BYTES + content;
        }
    }

    /**
     * Random lines (ASCII, Latin-1, CJK, emoji; empty to longer than a chunk), label sets that change
     * now and then, metadata on some records, interleaved reads, evictions and releases: every record
     * comes back exactly once, in order, with its own timestamp, labels and metadata, every view
     * still reads its own record until it is released, and the accounting returns to zero.
     */
    @Test
    void recordsComeBackInOrderWithTheirLabelsAndMetadataAcrossManyChunks() {
        RecordChunks r = new RecordChunks(1024, 4, 4);
        Random random = new Random(42);
        String[] alphabet = {"a", "é", "中", "😀", " ", "\""};
        ArrayDeque<Expected> model = new ArrayDeque<>();
        List<LokiEvent> views = new ArrayList<>();
        List<Expected> viewed = new ArrayList<>();
        long ts = 0;
        long bytes = 0;
        int evicted = 0;
        int large = 0;
        for (int round = 0; round < 20_000; round++) {
            int op = random.nextInt(10);
            if (op < 6 || model.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                int len = random.nextInt(50) == 0 ? 600 + random.nextInt(800) : random.nextInt(60);
                for (int i = 0; i < len; i++) {
                    sb.append(alphabet[random.nextInt(alphabet.length)]);
                }
                LabelSet set = random.nextInt(8) == 0 ? b : a;
                String[] md = random.nextInt(5) == 0 ? new String[]{"trace_id", "t" + round} : null;
                Expected x = new Expected(++ts, sb.toString(), set, md);
                large += x.weight() > 1024 ? 1 : 0;
                append(r, x.ts, x.line, set, md);
                model.addLast(x);
                bytes += x.weight();
            } else if (op < 8) {
                Expected x = model.pollFirst();
                // the drain's content limit: a record above it stays, one at it is taken
                EventList none = new EventList(1);
                assertThat(r.take(none, x.content - 1)).isEqualTo(-1);
                assertThat(none.size()).isZero();
                assertThat(r.count()).isEqualTo(model.size() + 1);
                EventList one = new EventList(1);
                assertThat(r.take(one, x.content)).isEqualTo(x.content);
                LokiEvent e = one.event(0);
                assertView(e, x);
                views.add(e);
                viewed.add(x);
                bytes -= x.weight();
            } else if (op == 8) {
                bytes -= model.pollFirst().weight();
                r.skip();
                evicted++;
            } else {
                // every view handed out since the last release still reads its own record
                for (int i = 0; i < views.size(); i++) {
                    assertView(views.get(i), viewed.get(i));
                }
                views.clear();
                viewed.clear();
                r.releaseRetired(0);
                assertThat(r.spareChunks()).isLessThanOrEqualTo(4);
            }
            assertThat(r.count()).isEqualTo(model.size());
            // an unused chunk end is charged on top of the records until the reader passes it
            assertThat(r.bytes()).isGreaterThanOrEqualTo(bytes);
            assertThat(r.bytes() - bytes).isLessThanOrEqualTo(model.isEmpty() ? 0 : 1024L * (model.size() + 1));
        }
        while (!model.isEmpty()) {
            assertView(take(r), model.pollFirst());
        }
        assertThat(evicted).isGreaterThan(1_000);
        assertThat(large).isGreaterThan(100); // records larger than a chunk were part of it
        assertThat(r.count()).isZero();
        assertThat(r.bytes()).isZero();
        assertThat(r.contentSize()).isZero();
    }

    @Test
    void aRecordThatDoesNotFitTheLastChunkStartsANewOneAndTheUnusedEndIsChargedUntilRead() {
        RecordChunks r = new RecordChunks(1024, 4, 4);
        append(r, 1, "x".repeat(1000), a, null); // 1012 of 1024 bytes
        append(r, 2, "y".repeat(20), a, null); // does not fit the 12 left: a new chunk
        assertThat(r.bytes()).isEqualTo(1012 + 12 + 32);
        assertThat(r.cost(100)).isEqualTo(112); // fits the second chunk
        assertThat(take(r).line()).isEqualTo("x".repeat(1000));
        assertThat(r.bytes()).isEqualTo(12 + 32); // the reader has not passed the unused end yet
        assertThat(take(r).line()).isEqualTo("y".repeat(20));
        assertThat(r.bytes()).isZero();
        // an empty buffer starts afresh when the next record does not fit: nothing is charged for the rest
        assertThat(r.cost(1000)).isEqualTo(1012);
    }

    @Test
    void chunksAreReusedOnlyAfterTheReaderReleasedThem() {
        RecordChunks r = new RecordChunks(1024, 2, 2);
        for (int i = 0; i < 30; i++) {
            append(r, i, "line-" + i + "-" + "z".repeat(100), a, null);
        }
        List<LokiEvent> drained = new ArrayList<>();
        while (r.count() > 0) {
            drained.add(take(r));
        }
        // more writes: the chunks the views point into are retired, not reused
        for (int i = 0; i < 30; i++) {
            append(r, 100 + i, "w".repeat(110), b, null);
        }
        for (int i = 0; i < 30; i++) {
            assertThat(drained.get(i).line()).isEqualTo("line-" + i + "-" + "z".repeat(100));
        }
        assertThat(r.spareChunks()).isZero();
        r.releaseRetired(0);
        assertThat(r.spareChunks()).isEqualTo(2); // at most the bound is kept
        for (int i = 0; i < 20; i++) {
            append(r, 200 + i, "v".repeat(110), a, null); // 2,440 bytes need new chunks: spare ones are taken first
        }
        assertThat(r.spareChunks()).isZero();
        for (int i = 0; i < 30; i++) {
            assertThat(take(r).line()).isEqualTo("w".repeat(110));
        }
        LokiEvent e = take(r);
        assertThat(e.line()).isEqualTo("v".repeat(110));
        assertThat(e.labels()).isSameAs(a);
    }

    @Test
    void clearDropsEverythingAndTheNextRecordCarriesItsLabels() {
        RecordChunks r = new RecordChunks(1024, 2, 2);
        append(r, 1, "one", a, new String[]{"k", "v"});
        append(r, 2, "two", a, null);
        r.clear();
        assertThat(r.count()).isZero();
        assertThat(r.bytes()).isZero();
        append(r, 3, "three", a, null);
        LokiEvent e = take(r);
        assertThat(e.line()).isEqualTo("three");
        assertThat(e.labels()).isSameAs(a);
        assertThat(e.metadataCount()).isZero();
    }

    /** Removes the oldest record as an event object (a view on its chunk). */
    /**
     * Released chunks are reused newest first (the one the shipper read last is the likeliest still
     * in a cache), and when more are released than are kept, the oldest are the ones let go.
     */
    @Test
    void theMostRecentlyReadChunksAreReusedFirstAndTheOldestLetGo() {
        RecordChunks r = new RecordChunks(1024, 2, 2);
        String half = "x".repeat(500); // 12 + 500 bytes: two records per 1 KiB chunk
        for (int i = 0; i < 8; i++) {
            append(r, i, half, a, null);
        }
        byte[][] read = chunksOfNext(r, 8);
        // chunks 1-3 were read past (retired); chunk 4 still takes writes
        r.releaseRetired(0);
        assertThat(r.spareChunks()).isEqualTo(2);

        for (int i = 0; i < 6; i++) { // the buffer is empty: a fresh chunk first, then spare ones
            append(r, i, half, a, null);
        }
        byte[][] reused = chunksOfNext(r, 6);
        assertThat(reused[0]).isSameAs(read[4]); // the newest of the spare ones: chunk 3
        assertThat(reused[2]).isSameAs(read[2]); // then chunk 2; chunk 1 was let go
        assertThat(reused[4]).isNotSameAs(read[0]).isNotSameAs(read[2]).isNotSameAs(read[4]);
    }

    /**
     * A buffer that fills and empties again and again (callers faster than the shipper for a
     * while, then slower) reuses its chunks: it allocates only when it grows past its largest size.
     * With spare chunks bounded by the floor alone, every round would allocate most of its chunks.
     */
    @Test
    void aBufferThatGrowsAndShrinksAgainAllocatesOnlyPastItsLargestSize() {
        RecordChunks r = new RecordChunks(1024, 2, 16);
        String half = "x".repeat(500); // two records per 1 KiB chunk
        java.util.Set<byte[]> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int round = 0; round < 10; round++) {
            int records = round < 5 ? 20 : 12; // ten chunks, then six
            for (int i = 0; i < records; i++) {
                append(r, i, half, a, null);
            }
            seen.addAll(java.util.Arrays.asList(chunksOfNext(r, records)));
            r.releaseRetired(round);
        }
        // ten chunks in use, plus the one still being written to when the others were released
        assertThat(seen).hasSize(11);
        assertThat(r.spareChunks()).isEqualTo(10); // the eleventh takes writes
    }

    /**
     * Spare chunks beyond the floor that no write took for a whole interval are let go at its end,
     * the coldest first; the ones taken in it stay for the next; the floor stays however long.
     */
    @Test
    void spareChunksUnusedForAWholeIntervalAreLetGoDownToTheFloor() {
        RecordChunks r = new RecordChunks(1024, 2, 16);
        r.trimInterval(100);
        String half = "x".repeat(500);
        for (int i = 0; i < 20; i++) {
            append(r, i, half, a, null);
        }
        byte[] tenth = chunksOfNext(r, 20)[19];
        r.releaseRetired(0); // the first release starts the interval: nothing is let go yet
        assertThat(r.spareChunks()).isEqualTo(9); // the tenth chunk still takes writes
        assertThat(r.nanosUntilTrim(60)).isEqualTo(40);

        for (int i = 0; i < 6; i++) { // at 60: three spare chunks taken (the tenth is retired)
            append(r, i, half, a, null);
        }
        assertThat(r.spareChunks()).isEqualTo(6);
        byte[][] taken = chunksOfNext(r, 6); // two records in each of the three
        r.releaseRetired(60);
        assertThat(r.spareChunks()).isEqualTo(9); // not due yet: nothing let go

        r.releaseRetired(100); // due: six went unused since 0 (nine less the three taken)
        assertThat(r.spareChunks()).isEqualTo(3);
        // the ones kept are the warm ones, released at 60 (the third taken then still takes writes)
        for (int i = 0; i < 6; i++) {
            append(r, i, half, a, null);
        }
        byte[][] reused = chunksOfNext(r, 6);
        assertThat(reused[0]).isSameAs(taken[2]);
        assertThat(reused[2]).isSameAs(taken[0]);
        assertThat(reused[4]).isSameAs(tenth);
        assertThat(r.spareChunks()).isZero();
        r.releaseRetired(100); // gives back the three (the fourth, retired by the writes above, too)
        assertThat(r.spareChunks()).isEqualTo(3);
        assertThat(r.nanosUntilTrim(150)).isEqualTo(50);
        r.trimSpare(200); // all three were taken since 100: they stay
        assertThat(r.spareChunks()).isEqualTo(3);
        r.trimSpare(300); // nothing taken since: all but the floor go
        assertThat(r.spareChunks()).isEqualTo(2);
        assertThat(r.nanosUntilTrim(300)).isEqualTo(-1); // at the floor: nothing to wake for
        r.trimSpare(10_000);
        assertThat(r.spareChunks()).isEqualTo(2);
    }

    /** Takes {@code n} records; returns the chunk each one's line is in. */
    private static byte[][] chunksOfNext(RecordChunks r, int n) {
        byte[][] chunks = new byte[n][];
        for (int i = 0; i < n; i++) {
            EventList one = new EventList(1);
            r.take(one);
            chunks[i] = one.lineBytes(0);
        }
        return chunks;
    }

    private static LokiEvent take(RecordChunks r) {
        EventList one = new EventList(1);
        r.take(one);
        return one.event(0);
    }

    private static void assertView(LokiEvent e, Expected x) {
        assertThat(e.timestampNanos()).isEqualTo(x.ts);
        assertThat(e.line()).isEqualTo(x.line);
        assertThat(e.labels()).isSameAs(x.labels);
        if (x.metadata == null) {
            assertThat(e.metadataCount()).isZero();
        } else {
            assertThat(e.metadataPairs()).containsExactly(x.metadata);
        }
    }
}
