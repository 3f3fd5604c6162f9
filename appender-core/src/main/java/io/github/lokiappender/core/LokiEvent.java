package io.github.lokiappender.core;

import io.github.lokiappender.core.encode.Utf8;
import io.github.lokiappender.core.labels.LabelSet;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One log entry on its way to Loki: when it happened (epoch nanoseconds), the line as UTF-8 bytes,
 * the stream it belongs to, and optional structured metadata (Loki 2.9+).
 *
 * <p>Two kinds: {@link #of} makes a standalone event (tests, simple callers); {@link EventPool#claim()}
 * hands out a recycled one that the caller fills with {@link #set} and offers to the pipeline. Once
 * offered, an event belongs to the pipeline: the caller must not read or change it, since the
 * pipeline gives a pooled event back to its pool when the batch holding it was sent, dropped or
 * discarded, and another caller may then fill it again.
 *
 * <p>The line is held as UTF-8 (lone surrogates already written as U+FFFD), so the shipper copies
 * bytes instead of encoding characters, and the buffer's byte budget counts exactly what the line
 * takes. Structured metadata is a flat array {@code [name0, value0, name1, ...]} (no map per
 * event); pairs with empty values are left out.
 */
public final class LokiEvent {

    /**
     * Fixed per-event overhead counted against the buffer's byte budget: this object (48 bytes),
     * the line array's header (16), the buffer's slot and alignment (16), as measured on a 64-bit JVM
     * with compressed references (reliability.HeapBudgetTest).
     */
    static final int OVERHEAD_BYTES = 80;
    private static final String[] NO_METADATA = new String[0];
    private static final byte[] EMPTY = new byte[0];
    /** A line array above this size is replaced when the line it holds takes less than a quarter of it. */
    private static final int SHRINK_ABOVE_BYTES = 1024;

    private final EventPool pool;
    private long timestampNanos;
    private byte[] line = EMPTY;
    private int lineLength;
    private LabelSet labels;
    private String[] metadata = NO_METADATA;
    private int metadataChars;
    /** Guarded by the pool's lock: true while the event sits in the pool (a second give-back is ignored). */
    boolean inPool;

    LokiEvent(EventPool pool) {
        this.pool = pool;
    }

    /**
     * A standalone (not pooled) event.
     *
     * @param timestampNanos epoch time in nanoseconds
     * @param line           the log line; null becomes the empty string
     * @param labels         the stream's labels (from a {@link io.github.lokiappender.core.labels.LabelSetRegistry})
     */
    public static LokiEvent of(long timestampNanos, String line, LabelSet labels) {
        return new LokiEvent(null).set(timestampNanos, line, labels, null);
    }

    /**
     * As {@link #of(long, String, LabelSet)}, with structured metadata as a flat
     * {@code [name, value, ...]} array that the event takes ownership of. Pairs with a null or
     * empty value are left out.
     */
    public static LokiEvent of(long timestampNanos, String line, LabelSet labels, String[] metadataPairs) {
        return new LokiEvent(null).set(timestampNanos, line, labels, metadataPairs);
    }

    /**
     * Fills this event (one from {@link EventPool#claim()}, before it is offered): the line is
     * encoded to UTF-8 into the event's own array, which is reused from one use to the next.
     *
     * @param line          the log line, e.g. a reusable builder (only read here); null becomes empty
     * @param metadataPairs flat {@code [name, value, ...]} array the event takes ownership of, or null
     * @return this event
     */
    public LokiEvent set(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs) {
        this.timestampNanos = timestampNanos;
        Objects.requireNonNull(labels, "labels");
        // a recycled event lives in the old generation, where storing a reference costs a GC write
        // barrier (and card refinement): store only what changed, usually nothing
        if (this.labels != labels) {
            this.labels = labels;
        }
        String[] md = metadataPairs == null || metadataPairs.length == 0 ? NO_METADATA : compact(metadataPairs);
        int chars = 0;
        for (String m : md) {
            chars += m.length();
        }
        if (this.metadata != md) {
            this.metadata = md;
        }
        this.metadataChars = chars;
        encodeLine(line == null ? "" : line);
        return this;
    }

    private void encodeLine(CharSequence s) {
        int n = s.length();
        byte[] b = room(n, 0);
        // ASCII first, one byte per char, into room for the whole line as ASCII
        int i = Utf8.copyAscii(s, 0, n, b, 0);
        int p = i;
        if (i < n) {
            b = room(p + Utf8.length(s, i, n), p);
            p = Utf8.encode(s, i, n, b, p);
        }
        lineLength = p;
        if (b.length > SHRINK_ABOVE_BYTES && b.length > 4 * p) {
            // a recycled array that once held a much longer line: the budget would charge all of it
            line = java.util.Arrays.copyOf(b, (p + (p >> 3) + 16) & ~7);
        }
    }

    /**
     * The line array with room for {@code needed} bytes, keeping its first {@code keep} bytes; grown
     * with a little headroom so that a pooled event settles at the size of the lines it carries.
     */
    private byte[] room(int needed, int keep) {
        byte[] b = line;
        if (b.length < needed) {
            // standalone events get the exact size; pooled ones some headroom, as their next line may be longer
            int size = pool == null ? needed : (needed + (needed >> 3) + 16) & ~7;
            byte[] bigger = new byte[size < needed ? needed : size];
            System.arraycopy(b, 0, bigger, 0, keep);
            line = bigger;
            b = bigger;
        }
        return b;
    }

    private static String[] compact(String[] pairs) {
        if ((pairs.length & 1) != 0) {
            throw new IllegalArgumentException("structured metadata needs name/value pairs");
        }
        int keep = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] != null && pairs[i + 1] != null && !pairs[i + 1].isEmpty()) {
                keep++;
            }
        }
        if (keep * 2 == pairs.length) {
            return pairs;
        }
        String[] out = new String[keep * 2];
        int j = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] != null && pairs[i + 1] != null && !pairs[i + 1].isEmpty()) {
                out[j++] = pairs[i];
                out[j++] = pairs[i + 1];
            }
        }
        return out;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    /** The line as a String (decoded from its UTF-8 bytes; allocates: for tests and diagnostics). */
    public String line() {
        return new String(line, 0, lineLength, StandardCharsets.UTF_8);
    }

    /** The array holding the line's UTF-8 bytes, valid from 0 to {@link #lineUtf8Length()}. */
    public byte[] lineBytes() {
        return line;
    }

    /** The line's size in UTF-8 (a lone surrogate counted as U+FFFD, as it was written). */
    public int lineUtf8Length() {
        return lineLength;
    }

    public LabelSet labels() {
        return labels;
    }

    public int metadataCount() {
        return metadata.length >> 1;
    }

    public String metadataName(int i) {
        return metadata[i << 1];
    }

    public String metadataValue(int i) {
        return metadata[(i << 1) + 1];
    }

    /**
     * UTF-8 bytes of the line plus characters of the metadata: exactly what the line takes on the
     * wire and a lower bound of the metadata's, used to decide cheaply when enough is buffered for a batch.
     */
    public int contentSize() {
        return lineLength + metadataChars;
    }

    /**
     * Memory this event holds, counted against the buffer's byte budget: the fixed overhead, the
     * line array's whole capacity (a pooled array may be larger than the line) and the metadata's characters.
     */
    public int weight() {
        return OVERHEAD_BYTES + line.length + metadataChars;
    }

    /**
     * Cuts the line to at most {@code maxBytes} UTF-8 bytes including {@code marker} (ASCII), at a
     * character boundary, and appends the marker. Used by the shipper on events it owns.
     */
    public void truncateLine(int maxBytes, String marker) {
        int cut = Utf8.cutPoint(line, lineLength, Math.max(0, maxBytes - marker.length()));
        byte[] b = room(cut + marker.length(), cut);
        for (int i = 0; i < marker.length(); i++) {
            b[cut + i] = (byte) marker.charAt(i);
        }
        lineLength = cut + marker.length();
    }

    /** A standalone copy of this event with another line. */
    public LokiEvent withLine(String newLine) {
        return new LokiEvent(null).set(timestampNanos, newLine, labels, metadata);
    }

    /** True for an event from an {@link EventPool}. */
    public boolean isPooled() {
        return pool != null;
    }

    /**
     * Gives a pooled event back to its pool; nothing for a standalone one. Called by the pipeline
     * only, exactly once per offer, when nothing will read the event any more.
     */
    public void recycle() {
        if (pool != null) {
            pool.release(this);
        }
    }

    /**
     * Prepares a pooled event for its stay in the pool: drops its metadata (which may be large)
     * and an oversized line array. The label set is kept (interned by the registry anyway), so
     * that refilling the event with the same labels stores no reference.
     */
    void clearForPool(int maxRetainedLineBytes) {
        if (metadata.length != 0) {
            metadata = NO_METADATA;
            metadataChars = 0;
        }
        if (line.length > maxRetainedLineBytes) {
            line = EMPTY;
            lineLength = 0;
        }
    }

    /** Bytes this event keeps while pooled: the fixed overhead and its line array. */
    int retainedBytes() {
        return OVERHEAD_BYTES + line.length;
    }

    EventPool pool() {
        return pool;
    }

    @Override
    public String toString() {
        return "LokiEvent{" + timestampNanos + ' ' + (labels == null ? "{}" : labels.render()) + ' ' + line() + '}';
    }
}
