package io.github.lokiappender.core;

import io.github.lokiappender.core.encode.Utf8;
import io.github.lokiappender.core.labels.LabelSet;

import java.util.Objects;

/**
 * One log entry on its way to Loki: when it happened (epoch nanoseconds), the formatted line, the
 * stream it belongs to, and optional structured metadata (Loki 2.9+).
 *
 * <p>Immutable. Structured metadata is held as a flat array {@code [name0, value0, name1, ...]}
 * to avoid a map per event; entries with empty values are already left out by the adapter.
 */
public final class LokiEvent {

    /**
     * Fixed per-event overhead counted against the buffer's byte budget: this object (40 bytes),
     * the line's String (24) and its array header (16), the buffer's slot and alignment (16), as
     * measured on a 64-bit JVM with compressed references (reliability.HeapBudgetTest).
     */
    static final int OVERHEAD_BYTES = 96;
    private static final String[] NO_METADATA = new String[0];

    private final long timestampNanos;
    private final String line;
    private final LabelSet labels;
    private final String[] metadata;
    private final int weight;
    /** UTF-8 size of the line, computed once on the shipper thread (-1: not yet); racy but idempotent. */
    private int lineUtf8Length = -1;

    private LokiEvent(long timestampNanos, String line, LabelSet labels, String[] metadata) {
        this.timestampNanos = timestampNanos;
        this.line = line;
        this.labels = labels;
        this.metadata = metadata;
        int w = OVERHEAD_BYTES + line.length();
        for (String m : metadata) {
            w += m.length();
        }
        this.weight = w;
    }

    /**
     * @param timestampNanos epoch time in nanoseconds
     * @param line           the log line; null becomes the empty string
     * @param labels         the stream's labels (from a {@link io.github.lokiappender.core.labels.LabelSetRegistry})
     */
    public static LokiEvent of(long timestampNanos, String line, LabelSet labels) {
        return new LokiEvent(timestampNanos, line == null ? "" : line, Objects.requireNonNull(labels, "labels"), NO_METADATA);
    }

    /**
     * As {@link #of(long, String, LabelSet)}, with structured metadata as a flat
     * {@code [name, value, ...]} array that the event takes ownership of. Pairs with a null or
     * empty value are left out.
     */
    public static LokiEvent of(long timestampNanos, String line, LabelSet labels, String[] metadataPairs) {
        String[] md = metadataPairs == null || metadataPairs.length == 0 ? NO_METADATA : compact(metadataPairs);
        return new LokiEvent(timestampNanos, line == null ? "" : line, Objects.requireNonNull(labels, "labels"), md);
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

    public String line() {
        return line;
    }

    /**
     * The line's size in UTF-8 (a lone surrogate counting as U+FFFD), computed on first use and
     * remembered: batching and encoding both need it. Fits in the object's padding (no extra memory).
     */
    public int lineUtf8Length() {
        int n = lineUtf8Length;
        if (n < 0) {
            n = Utf8.length(line);
            lineUtf8Length = n;
        }
        return n;
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
     * Characters of the line and metadata: a lower bound of their UTF-8 size (equal for ASCII),
     * used to decide cheaply when enough is buffered for a batch.
     */
    public int contentChars() {
        return weight - OVERHEAD_BYTES;
    }

    /** Approximate memory this event holds, counted against the buffer's byte budget. */
    public int weight() {
        return weight;
    }

    /** A copy of this event with another line (used when a line is cut to Loki's size limit). */
    public LokiEvent withLine(String newLine) {
        return new LokiEvent(timestampNanos, newLine, labels, metadata);
    }

    @Override
    public String toString() {
        return "LokiEvent{" + timestampNanos + ' ' + labels.render() + ' ' + line + '}';
    }
}
