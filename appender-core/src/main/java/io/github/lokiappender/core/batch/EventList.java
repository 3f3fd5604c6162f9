package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.labels.LabelSet;

import java.util.Arrays;

/**
 * Events held in primitive columns instead of one object each: a reusable FIFO on the shipper
 * thread. The shipper drains the buffer into one ({@link io.github.lokiappender.core.buffer.EventBuffer#drainTo(EventList, int, long)}),
 * the assembler moves its head into a {@link Batch}, which keeps its events in another.
 *
 * <p>Per event it stores the timestamp, where the line's UTF-8 bytes are (an index into a small
 * table of arrays, an offset and a length), an index into a table of label sets and one into a
 * table of metadata arrays (only events with metadata have an entry). Consecutive events mostly
 * share their array (a buffer chunk) and their label set, so the tables stay short: in steady state
 * adding an event stores only numbers, and nothing is allocated once the columns have grown.
 *
 * <p>Lines are shared, not copied: the arrays must stay unchanged while the list refers to them
 * (the buffer's chunks do until {@code releaseDrained()}). Not thread-safe. Positions are counted
 * from the first event not yet removed.
 */
public final class EventList {

    private static final String[] NO_METADATA = new String[0];
    /** Label set entries searched before a new one is added (see {@link #labelSlot}). */
    private static final int RECENT_LABEL_SETS = 8;

    private long[] timestamps;
    private int[] arrayIndex;
    private int[] offsets;
    private int[] lengths;
    private int[] labelIndex;
    /** Index into {@link #metadata}, or -1 for none. */
    private int[] metadataIndex;
    private byte[][] arrays = new byte[8][];
    private int arrayCount;
    private LabelSet[] labelSets = new LabelSet[4];
    private int labelCount;
    private String[][] metadata = new String[4][];
    private int metadataCount;
    private int head;
    private int end;

    public EventList() {
        this(64);
    }

    public EventList(int initialCapacity) {
        int n = Math.max(1, initialCapacity);
        timestamps = new long[n];
        arrayIndex = new int[n];
        offsets = new int[n];
        lengths = new int[n];
        labelIndex = new int[n];
        metadataIndex = new int[n];
    }

    /**
     * Appends an event whose line is {@code utf8[offset, offset + length)}, valid UTF-8, shared
     * (not copied).
     *
     * @param metadataPairs compacted metadata ({@link LokiEvent#compactMetadata}), or null for none
     */
    public void add(long timestampNanos, byte[] utf8, int offset, int length, LabelSet labels, String[] metadataPairs) {
        if (end == timestamps.length) {
            grow();
        }
        int k = end;
        timestamps[k] = timestampNanos;
        arrayIndex[k] = arrayCount > 0 && arrays[arrayCount - 1] == utf8 ? arrayCount - 1 : addArray(utf8);
        offsets[k] = offset;
        lengths[k] = length;
        labelIndex[k] = k > 0 && labelSets[labelIndex[k - 1]] == labels ? labelIndex[k - 1] : labelSlot(labels);
        metadataIndex[k] = metadataPairs == null || metadataPairs.length == 0 ? -1 : addMetadata(metadataPairs);
        end = k + 1;
    }

    /** Appends a standalone event (its line array is shared). */
    public void add(LokiEvent e) {
        add(e.timestampNanos(), e.lineBytes(), e.lineOffset(), e.lineUtf8Length(), e.labels(), e.metadataPairs());
    }

    /** Appends the event at position {@code i} of {@code from}. */
    public void addFrom(EventList from, int i) {
        int k = from.head + i;
        int m = from.metadataIndex[k];
        add(from.timestamps[k], from.arrays[from.arrayIndex[k]], from.offsets[k], from.lengths[k],
                from.labelSets[from.labelIndex[k]], m < 0 ? null : from.metadata[m]);
    }

    private int addArray(byte[] a) {
        if (arrayCount == arrays.length) {
            arrays = Arrays.copyOf(arrays, arrayCount * 2);
        }
        arrays[arrayCount] = a;
        return arrayCount++;
    }

    /**
     * The table index of {@code l}, added if it is not among the last {@link #RECENT_LABEL_SETS}
     * entries. Streams interleave (a WARN among INFO lines), and without the search the table would
     * get an entry at every switch: a thousand per batch instead of two, and as many to clear.
     */
    private int labelSlot(LabelSet l) {
        for (int j = labelCount - 1, stop = Math.max(0, labelCount - RECENT_LABEL_SETS); j >= stop; j--) {
            if (labelSets[j] == l) {
                return j;
            }
        }
        return addLabels(l);
    }

    private int addLabels(LabelSet l) {
        if (labelCount == labelSets.length) {
            labelSets = Arrays.copyOf(labelSets, labelCount * 2);
        }
        labelSets[labelCount] = l;
        return labelCount++;
    }

    private int addMetadata(String[] md) {
        if (metadataCount == metadata.length) {
            metadata = Arrays.copyOf(metadata, metadataCount * 2);
        }
        metadata[metadataCount] = md;
        return metadataCount++;
    }

    private void grow() {
        int n = timestamps.length * 2;
        timestamps = Arrays.copyOf(timestamps, n);
        arrayIndex = Arrays.copyOf(arrayIndex, n);
        offsets = Arrays.copyOf(offsets, n);
        lengths = Arrays.copyOf(lengths, n);
        labelIndex = Arrays.copyOf(labelIndex, n);
        metadataIndex = Arrays.copyOf(metadataIndex, n);
    }

    /**
     * Exchanges the whole contents (events and tables) with {@code other}: a batch takes over the
     * drained events without copying them, and the drain list gets the batch's empty columns.
     */
    void swapContents(EventList other) {
        long[] ts = timestamps;
        timestamps = other.timestamps;
        other.timestamps = ts;
        int[] a = arrayIndex;
        arrayIndex = other.arrayIndex;
        other.arrayIndex = a;
        a = offsets;
        offsets = other.offsets;
        other.offsets = a;
        a = lengths;
        lengths = other.lengths;
        other.lengths = a;
        a = labelIndex;
        labelIndex = other.labelIndex;
        other.labelIndex = a;
        a = metadataIndex;
        metadataIndex = other.metadataIndex;
        other.metadataIndex = a;
        byte[][] arr = arrays;
        arrays = other.arrays;
        other.arrays = arr;
        LabelSet[] ls = labelSets;
        labelSets = other.labelSets;
        other.labelSets = ls;
        String[][] md = metadata;
        metadata = other.metadata;
        other.metadata = md;
        int n = arrayCount;
        arrayCount = other.arrayCount;
        other.arrayCount = n;
        n = labelCount;
        labelCount = other.labelCount;
        other.labelCount = n;
        n = metadataCount;
        metadataCount = other.metadataCount;
        other.metadataCount = n;
        n = head;
        head = other.head;
        other.head = n;
        n = end;
        end = other.end;
        other.end = n;
    }

    /** Events the columns hold before they grow (tests: which list's columns a list has). */
    int capacity() {
        return timestamps.length;
    }

    /** Entries of the label set table (tests). */
    int labelSetEntries() {
        return labelCount;
    }

    /** Events not yet removed. */
    public int size() {
        return end - head;
    }

    public boolean isEmpty() {
        return head == end;
    }

    /** Removes the first event; removing the last one empties the tables, so nothing is held on to. */
    public void removeFirst() {
        if (head == end) {
            throw new IllegalStateException("no event to remove");
        }
        head++;
        if (head == end) {
            clear();
        }
    }

    /** Removes every event and forgets the arrays, label sets and metadata they referred to. */
    public void clear() {
        // plain loops, not Arrays.fill(Object[]): that one's type profile is shared by every caller
        // in the JVM, and C2 compiled it with a guess about the array's type that failed here
        // (a deoptimization and recompilation on the shipper, seen with JFR)
        for (int i = 0; i < arrayCount; i++) {
            arrays[i] = null;
        }
        for (int i = 0; i < labelCount; i++) {
            labelSets[i] = null;
        }
        for (int i = 0; i < metadataCount; i++) {
            metadata[i] = null;
        }
        arrayCount = 0;
        labelCount = 0;
        metadataCount = 0;
        head = 0;
        end = 0;
    }

    public long timestampNanos(int i) {
        return timestamps[head + i];
    }

    /** The array holding the line's UTF-8 bytes, from {@link #lineOffset(int)} for {@link #lineUtf8Length(int)} bytes. */
    public byte[] lineBytes(int i) {
        return arrays[arrayIndex[head + i]];
    }

    public int lineOffset(int i) {
        return offsets[head + i];
    }

    public int lineUtf8Length(int i) {
        return lengths[head + i];
    }

    public LabelSet labels(int i) {
        return labelSets[labelIndex[head + i]];
    }

    public int metadataCount(int i) {
        int m = metadataIndex[head + i];
        return m < 0 ? 0 : metadata[m].length >> 1;
    }

    public String metadataName(int i, int pair) {
        return metadata[metadataIndex[head + i]][pair << 1];
    }

    public String metadataValue(int i, int pair) {
        return metadata[metadataIndex[head + i]][(pair << 1) + 1];
    }

    /** The metadata as a flat compacted {@code [name, value, ...]} array (shared; not to be changed). */
    public String[] metadataPairs(int i) {
        int m = metadataIndex[head + i];
        return m < 0 ? NO_METADATA : metadata[m];
    }

    /**
     * Cuts the line of the event at {@code i} to at most {@code maxBytes} UTF-8 bytes including
     * {@code marker} (ASCII), as {@link LokiEvent#truncateLine} does. The cut line gets an array of
     * its own: the shared array is not written.
     */
    public void truncateLine(int i, int maxBytes, String marker) {
        int k = head + i;
        byte[] b = LokiEvent.truncated(arrays[arrayIndex[k]], offsets[k], lengths[k], maxBytes, marker);
        arrayIndex[k] = addArray(b);
        offsets[k] = 0;
        lengths[k] = b.length;
    }

    /** The event at {@code i} as an object, a view on the same line bytes (allocates: for tests and diagnostics). */
    public LokiEvent event(int i) {
        int k = head + i;
        int m = metadataIndex[k];
        return LokiEvent.ofUtf8(timestamps[k], arrays[arrayIndex[k]], offsets[k], lengths[k], labelSets[labelIndex[k]],
                m < 0 ? null : metadata[m]);
    }
}
