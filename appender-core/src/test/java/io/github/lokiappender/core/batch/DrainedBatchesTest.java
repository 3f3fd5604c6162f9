package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.encode.JsonPushEncoder;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.encode.PushEncoders;
import io.github.lokiappender.core.encode.PushFormat;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shipper's path without objects per event: buffer, drain into an {@link EventList}, cut a
 * {@link Batch}, encode. The drained events refer to the buffer's chunks, so what they read must
 * be right while new events arrive, and again after the chunks were released and filled anew.
 */
class DrainedBatchesTest {

    private static final LabelSet INFO = LabelSet.of(new String[]{"app", "level"}, new String[]{"shop", "INFO"});
    private static final LabelSet WARN = LabelSet.of(new String[]{"app", "level"}, new String[]{"shop", "WARN"});
    private static final long T0 = 1_732_400_000_000_000_000L;

    private final PipelineStats stats = new PipelineStats();

    /** One expected entry: what the test offered. */
    private static final class Sent {
        final long ts;
        final String line;
        final LabelSet labels;
        final String[] md;

        Sent(long ts, String line, LabelSet labels, String[] md) {
            this.ts = ts;
            this.line = line;
            this.labels = labels;
            this.md = md;
        }
    }

    private static Sent event(int round, int i) {
        LabelSet labels = i % 5 == 3 ? WARN : INFO;
        String[] md = i % 4 == 1 ? new String[]{"trace_id", "t" + round + "-" + i} : null;
        // lengths vary so that records end at different places in the chunks from round to round
        String line = "round " + round + " event " + i + " " + "abcdefghij".repeat((i * 7 + round * 3) % 13);
        return new Sent(T0 + round * 1_000_000_000L + i * 1_000L, line, labels, md);
    }

    /** The JSON Loki should get for these events in one batch (lines need no escaping). */
    private static String expectedJson(List<Sent> events) {
        List<LabelSet> order = new ArrayList<>();
        for (Sent e : events) {
            if (!order.contains(e.labels)) {
                order.add(e.labels);
            }
        }
        StringBuilder sb = new StringBuilder("{\"streams\":[");
        for (int s = 0; s < order.size(); s++) {
            LabelSet l = order.get(s);
            sb.append(s > 0 ? "," : "").append("{\"stream\":{\"app\":\"shop\",\"level\":\"")
                    .append(l.value(1)).append("\"},\"values\":[");
            boolean first = true;
            for (Sent e : events) {
                if (e.labels != l) {
                    continue;
                }
                sb.append(first ? "" : ",").append("[\"").append(e.ts).append("\",\"").append(e.line).append('"');
                if (e.md != null) {
                    sb.append(",{\"").append(e.md[0]).append("\":\"").append(e.md[1]).append("\"}");
                }
                sb.append(']');
                first = false;
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    private static String json(EncodedRequest r) {
        return new String(r.body(), 0, r.length(), StandardCharsets.UTF_8);
    }

    @Test
    void drainedEventsReadTheirOwnBytesWhileNewEventsArriveAndAfterTheChunksAreReused() {
        // a 4 KiB budget: chunks of 4 KiB, a few of them in use and reused round after round
        EventBuffer buffer = new EventBuffer(4_096, 1_000, OverflowPolicy.DROP_NEWEST, 0, 1_000, Long.MAX_VALUE, stats);
        BatchAssembler assembler = new BatchAssembler(1_000, 1 << 20, 1 << 20, 0, stats);
        JsonPushEncoder encoder = new JsonPushEncoder();
        EventList pending = new EventList(4);
        Batch batch = new Batch();
        Batch other = new Batch();
        Set<byte[]> chunksSeen = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean reused = false;

        for (int round = 0; round < 12; round++) {
            List<Sent> sent = offerAbout(buffer, 2_500, round * 10);
            assertThat(buffer.drainTo(pending, 1_000, Long.MAX_VALUE)).isEqualTo(sent.size());
            for (int i = 0; i < pending.size(); i++) {
                // a chunk of an earlier round holding this round's first record at its start: filled again
                reused |= pending.lineOffset(i) == 12 && chunksSeen.contains(pending.lineBytes(i));
                chunksSeen.add(pending.lineBytes(i));
            }
            assembler.fill(pending, batch);
            assertThat(pending.isEmpty()).isTrue();

            // more events arrive, several buffers full, and are shipped before the batch is finished:
            // without a release no chunk may be filled again, so the batch's lines stay as they were
            for (int k = 1; k <= 5; k++) {
                List<Sent> meanwhile = offerAbout(buffer, 2_500, round * 10 + k);
                assertThat(buffer.drainTo(pending, 1_000, Long.MAX_VALUE)).isEqualTo(meanwhile.size());
                assembler.fill(pending, other);
                assertThat(json(encoder.encode(other))).isEqualTo(expectedJson(meanwhile));
                other.clear();
            }
            assertThat(json(encoder.encode(batch))).isEqualTo(expectedJson(sent));
            batch.clear();
            buffer.releaseDrained();
        }
        assertThat(reused).as("chunks were filled again after release").isTrue();
        assertThat(buffer.size()).isZero();
    }

    /** Offers events of round {@code round} until the buffer holds {@code bytes}; returns them. */
    private static List<Sent> offerAbout(EventBuffer buffer, long bytes, int round) {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; buffer.bytes() < bytes; i++) {
            Sent e = event(round, i);
            assertThat(buffer.offer(e.ts, e.line, e.labels, e.md)).isTrue();
            sent.add(e);
        }
        return sent;
    }

    @Test
    void aLineCutToTheLimitGetsItsOwnBytesAndItsNeighboursKeepTheirs() {
        EventBuffer buffer = new EventBuffer(4_096, 1_000, OverflowPolicy.DROP_NEWEST, 0, 1_000, Long.MAX_VALUE, stats);
        BatchAssembler assembler = new BatchAssembler(1_000, 1 << 20, 1 << 20, 40, stats);
        EventList pending = new EventList();
        Batch batch = new Batch();
        buffer.offer(T0, "short", INFO, null);
        buffer.offer(T0 + 1, "x".repeat(100), INFO, new String[]{"k", "v"});
        buffer.offer(T0 + 2, "after", INFO, null);
        buffer.drainTo(pending, 10, Long.MAX_VALUE);
        byte[] chunk = pending.lineBytes(0);
        byte[] before = chunk.clone();

        assembler.fill(pending, batch);

        String cut = "x".repeat(40 - BatchAssembler.TRUNCATION_MARKER.length()) + BatchAssembler.TRUNCATION_MARKER;
        assertThat(json(new JsonPushEncoder().encode(batch))).isEqualTo("{\"streams\":[{\"stream\":{\"app\":\"shop\",\"level\":\"INFO\"},"
                + "\"values\":[[\"" + T0 + "\",\"short\"],[\"" + (T0 + 1) + "\",\"" + cut + "\",{\"k\":\"v\"}],[\"" + (T0 + 2)
                + "\",\"after\"]]}]}");
        assertThat(chunk).isEqualTo(before);
        assertThat(batch.lineBytes()).isEqualTo(5 + 40 + 2 + 5);
        assertThat(stats.snapshot().linesTruncated()).isEqualTo(1);
    }

    /**
     * After warm-up, draining, batching and encoding allocate (close to) nothing per event on the
     * shipper's thread: what is left is per batch (the request object, a map entry per stream).
     */
    @ParameterizedTest
    @EnumSource(Format.class)
    void steadyStateShippingAllocatesNothingPerEvent(Format format) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        int batchEvents = 500;
        EventBuffer buffer = new EventBuffer(1 << 20, 100_000, OverflowPolicy.DROP_NEWEST, 0, batchEvents, 1 << 20, stats);
        BatchAssembler assembler = new BatchAssembler(batchEvents, 1 << 20, 1 << 20, 200, stats);
        PushEncoder encoder = PushEncoders.create(format.format, format.compression);
        EventList pending = new EventList();
        Batch batch = new Batch();
        StringBuilder[] lines = new StringBuilder[16];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = new StringBuilder("GET /api/items/" + i + " 200 \"ok\" in " + (i * 37) + " ms; user=ü" + i);
        }
        String[] md = {"trace_id", "4bf92f3577b34da6"};

        long allocated = 0;
        long shipped = 0;
        long t = T0;
        int rounds = 1_200;
        int warmUp = 400;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < batchEvents; i++) {
                buffer.offer(t += 1_000, lines[i & 15], (i & 7) == 0 ? WARN : INFO, (i & 3) == 0 ? md : null);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            int n = buffer.drainTo(pending, batchEvents, 1 << 20);
            int inBatches = 0;
            while (!pending.isEmpty()) {
                assembler.fill(pending, batch);
                inBatches += batch.eventCount();
                encoder.encode(batch);
                batch.clear();
            }
            buffer.releaseDrained();
            long after = threads.getCurrentThreadAllocatedBytes();
            assertThat(inBatches).isEqualTo(n).isEqualTo(batchEvents);
            if (round >= warmUp) {
                allocated += after - before;
                shipped += n;
            }
        }
        double perEvent = (double) allocated / shipped;
        assertThat(perEvent).as("bytes allocated per event shipped (%s)", format).isLessThan(8.0);
    }

    enum Format {
        JSON(PushFormat.JSON, Compression.NONE),
        JSON_GZIP(PushFormat.JSON, Compression.GZIP),
        PROTOBUF(PushFormat.PROTOBUF, Compression.NONE);

        final PushFormat format;
        final Compression compression;

        Format(PushFormat format, Compression compression) {
            this.format = format;
            this.compression = compression;
        }
    }
}
