package io.github.lokiappender.core.buffer;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.EventList;
import io.github.lokiappender.core.labels.LabelSet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The buffer's storage: a FIFO of event records in byte chunks. Not thread-safe: the
 * {@link EventBuffer} calls it under its lock.
 *
 * <p>A record is a 12-byte header (line length and two flags in an int, the timestamp in a long)
 * followed by the line's UTF-8 bytes. Records do not span chunks: when the next one does not fit
 * the rest of the last chunk, that rest is marked unused (and charged to the budget until the
 * reader passes it) and a new chunk starts; a record larger than a chunk gets a chunk of its own
 * size. Label sets and metadata are references, so they are kept beside the bytes in two queues
 * in the same order: a label set only when it differs from the previous record's (a flag says so),
 * metadata only for records that have some.
 *
 * <p>Chunks the reader has passed are "retired": the shipper may still hold drained events whose
 * lines are in them. {@link #releaseRetired(long)} (called when it holds none) makes them spare, and a
 * spare chunk is filled again instead of allocating a new one. Spare chunks are kept up to the whole
 * budget while they are being used, so that a buffer which grows and shrinks again and again (callers
 * faster than the shipper for a while) allocates only when it grows past its largest size so far;
 * the ones no write took for a whole {@link #TRIM_INTERVAL_NANOS} are let go, down to a floor of
 * about two batches, which stays.
 */
final class RecordChunks {

    static final int HEADER_BYTES = 12;
    /** Longest line a record can hold (30 bits of length); longer ones are dropped as unsendable. */
    static final int MAX_LINE_BYTES = (1 << 30) - 1 - HEADER_BYTES;
    private static final int MAX_CHUNK_BYTES = 64 * 1024;
    private static final int MIN_CHUNK_BYTES = 1024;
    private static final int LENGTH_MASK = (1 << 30) - 1;
    private static final int NEW_LABELS = 1 << 30;
    private static final int HAS_METADATA = 1 << 31;
    /** In place of a header: the rest of the chunk is unused. No record has it (its length would be too long). */
    private static final int UNUSED_REST = -1;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Spare chunks beyond the floor that no write took for this long are let go. */
    static final long TRIM_INTERVAL_NANOS = 10_000_000_000L;

    private final int chunkSize;
    private final int floorSpare;
    private final int maxSpare;
    /** Chunks holding unread records, oldest first; the last one is written to. */
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final ArrayDeque<LabelSet> labels = new ArrayDeque<>();
    private final ArrayDeque<String[]> metadata = new ArrayDeque<>();
    private final ArrayList<byte[]> retired = new ArrayList<>();
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private int readPos;
    private int writePos;
    private LabelSet lastWritten;
    private LabelSet lastRead;
    private int count;
    private long bytes;
    private long contentSize;
    /** Fewest spare chunks since the last trim: that many were taken by no write since. */
    private int spareLow;
    private boolean trimTimed;
    private long nextTrimNanos;
    private long trimIntervalNanos = TRIM_INTERVAL_NANOS;

    /**
     * @param chunkSize  bytes per chunk
     * @param floorSpare spare chunks kept however long they go unused
     * @param maxSpare   spare chunks kept while writes take them (at least {@code floorSpare})
     */
    RecordChunks(int chunkSize, int floorSpare, int maxSpare) {
        this.chunkSize = chunkSize;
        this.floorSpare = floorSpare;
        this.maxSpare = Math.max(floorSpare, maxSpare);
    }

    /**
     * Chunk size for a budget: the whole budget (a power of two) when it is small, so that a small
     * buffer holds exactly what its budget says; 64 KiB otherwise, small enough to stay out of G1's
     * humongous allocations.
     */
    static int chunkSizeFor(long maxBytes) {
        long size = Long.highestOneBit(Math.max(1, maxBytes - 1)) << 1;
        return (int) Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, size));
    }

    /** Spare chunks kept however long unused: what two batches (one being sent, one being filled) take, within the budget. */
    static int spareChunksFor(long maxBytes, int batchEvents, long batchBytes) {
        int size = chunkSizeFor(maxBytes);
        long twoBatches = 2 * (Math.min(batchBytes, maxBytes) + (long) HEADER_BYTES * batchEvents);
        return (int) Math.min(Math.min(maxBytes, twoBatches) / size + 2, 1024);
    }

    /** Spare chunks kept while in use: as many as the budget can fill. */
    static int maxSpareChunksFor(long maxBytes) {
        return (int) Math.min(maxBytes / chunkSizeFor(maxBytes) + 1, Integer.MAX_VALUE);
    }

    int count() {
        return count;
    }

    /** Budget in use: records, metadata characters and unused chunk ends not yet passed by the reader. */
    long bytes() {
        return bytes;
    }

    /** Line bytes plus metadata characters of the records held. */
    long contentSize() {
        return contentSize;
    }

    /**
     * What appending a line of {@code lineBytes} adds to {@link #bytes()} (metadata aside): its
     * record, plus the rest of the last chunk when the record does not fit there.
     */
    long cost(int lineBytes) {
        int size = HEADER_BYTES + lineBytes;
        byte[] last = chunks.peekLast();
        if (last == null) {
            return size;
        }
        // the rest is charged when the record does not fit there and records are unread (an empty
        // buffer starts a fresh chunk: nothing is wasted). Without branches: at a steady rate the
        // buffer is never empty, the JIT compiles that case as a trap, and the first event after a
        // pause threw the compiled logging path away (JFR: an unstable_if trap here, then 25-30 ms
        // of recompiling it).
        int rest = last.length - writePos;
        int doesNotFit = (rest - size) >> 31;
        int unread = -count >> 31;
        return size + (rest & doesNotFit & unread);
    }

    /** Appends a record; the caller has checked the budget with {@link #cost(int)}. */
    void append(long timestampNanos, byte[] line, int offset, int length, LabelSet set, String[] md, int mdChars) {
        int size = HEADER_BYTES + length;
        byte[] c = chunks.peekLast();
        if (c == null || c.length - writePos < size) {
            c = startChunk(c, size);
        }
        int header = length;
        if (set != lastWritten) {
            header |= NEW_LABELS;
            labels.addLast(set);
            lastWritten = set;
        }
        if (md.length > 0) {
            header |= HAS_METADATA;
            metadata.addLast(md);
        }
        INT.set(c, writePos, header);
        LONG.set(c, writePos + 4, timestampNanos);
        System.arraycopy(line, offset, c, writePos + HEADER_BYTES, length);
        writePos += size;
        count++;
        bytes += size + mdChars;
        contentSize += length + mdChars;
    }

    /**
     * A record of {@code size} bytes does not fit the last chunk {@code c} (null: there is none):
     * starts the chunk it goes into. A method of its own, called once per chunk: too large for the
     * JIT to inline at so rare a call, so its own rare cases (an empty buffer, an end too short for
     * a marker) never become traps in the compiled logging path (JFR had shown the end-too-short
     * case deoptimize it once, in the middle of a paced run: 66 ms of recompiling).
     */
    private byte[] startChunk(byte[] c, int size) {
        if (count == 0) {
            // nothing unread: everything held can be retired (the shipper may still read what it drained)
            retireAll();
        } else {
            int rest = c.length - writePos;
            if (rest >= 4) {
                INT.set(c, writePos, UNUSED_REST);
            }
            bytes += rest;
        }
        byte[] fresh = size > chunkSize ? new byte[size] : newChunk();
        chunks.addLast(fresh);
        writePos = 0;
        return fresh;
    }

    private byte[] newChunk() {
        byte[] c = spare.pollFirst();
        if (c == null) {
            spareLow = 0;
            return new byte[chunkSize];
        }
        spareLow = Math.min(spareLow, spare.size());
        return c;
    }

    /**
     * Removes the oldest record and appends it to {@code out}, its line a view on its chunk (no
     * copy, no object), if its content size (line bytes plus metadata characters) is at most
     * {@code maxContent}; there is one. Returns that content size, or -1 when the record is larger
     * (it stays).
     */
    int take(EventList out, long maxContent) {
        byte[] c = headWithRecord();
        int at = readPos;
        int header = (int) INT.get(c, at);
        int length = header & LENGTH_MASK;
        int content = length;
        if ((header & HAS_METADATA) != 0) {
            content += LokiEvent.chars(metadata.peekFirst());
        }
        if (content > maxContent) {
            return -1;
        }
        long ts = (long) LONG.get(c, at + 4);
        String[] md = remove(header, length);
        out.add(ts, c, at + HEADER_BYTES, length, lastRead, md);
        return content;
    }

    /** As {@link #take(EventList, long)} without a limit. */
    void take(EventList out) {
        take(out, Long.MAX_VALUE);
    }

    /** Removes the oldest record without reading it (eviction); there is one. */
    void skip() {
        byte[] c = headWithRecord();
        int header = (int) INT.get(c, readPos);
        remove(header, header & LENGTH_MASK);
    }

    private String[] remove(int header, int length) {
        if ((header & NEW_LABELS) != 0) {
            lastRead = labels.pollFirst();
        }
        String[] md = null;
        int mdChars = 0;
        if ((header & HAS_METADATA) != 0) {
            md = metadata.pollFirst();
            mdChars = LokiEvent.chars(md);
        }
        readPos += HEADER_BYTES + length;
        count--;
        bytes -= HEADER_BYTES + length + mdChars;
        contentSize -= length + mdChars;
        return md;
    }

    /** The chunk holding the oldest record, past unused chunk ends (retiring the chunks left behind). */
    private byte[] headWithRecord() {
        while (true) {
            byte[] c = chunks.peekFirst();
            int rest = c.length - readPos;
            // count > 0, so a record follows: either here or, if this end is unused, in a later chunk
            if (rest >= HEADER_BYTES && (int) INT.get(c, readPos) != UNUSED_REST) {
                return c;
            }
            bytes -= rest;
            retire(chunks.pollFirst());
            readPos = 0;
        }
    }

    private void retire(byte[] c) {
        if (c.length == chunkSize) {
            retired.add(c); // a chunk of a single large record is left to the garbage collector
        }
    }

    private void retireAll() {
        for (byte[] c : chunks) {
            retire(c);
        }
        chunks.clear();
        readPos = 0;
        writePos = 0;
    }

    /** Drops every record (they are counted by the caller); their chunks are retired. */
    void clear() {
        retireAll();
        labels.clear();
        metadata.clear();
        lastWritten = null;
        lastRead = null;
        count = 0;
        bytes = 0;
        contentSize = 0;
    }

    /**
     * Nothing reads retired chunks any more: they become spare (up to the bound), or garbage. Spare
     * chunks unused for a whole interval are let go when it ends (see {@link #trimSpare(long)}).
     */
    void releaseRetired(long nowNanos) {
        for (byte[] c : retired) {
            // reused first: the most recently read, the likeliest still in a cache; the oldest go
            spare.addFirst(c);
            if (spare.size() > maxSpare) {
                spare.pollLast();
            }
        }
        retired.clear();
        if (nanosUntilTrim(nowNanos) == 0) {
            trimSpare(nowNanos);
        }
    }

    /**
     * How long until spare chunks beyond the floor may be let go: -1 when there are none (nothing
     * to wait for), 0 when {@link #trimSpare(long)} is due.
     */
    long nanosUntilTrim(long nowNanos) {
        if (spare.size() <= floorSpare) {
            return -1;
        }
        return trimTimed ? Math.max(0, nextTrimNanos - nowNanos) : 0;
    }

    /**
     * Lets go of the spare chunks beyond the floor that no write took since the last trim (the
     * coldest: writes take the warmest first), and starts the next interval.
     */
    void trimSpare(long nowNanos) {
        int unused = Math.min(spareLow, spare.size() - floorSpare);
        for (int i = 0; i < unused; i++) {
            spare.pollLast();
        }
        spareLow = spare.size();
        nextTrimNanos = nowNanos + trimIntervalNanos;
        trimTimed = true;
    }

    /** Tests: a shorter interval than {@link #TRIM_INTERVAL_NANOS}. */
    void trimInterval(long nanos) {
        trimIntervalNanos = nanos;
    }

    /** Chunks kept for reuse now (tests). */
    int spareChunks() {
        return spare.size();
    }
}
