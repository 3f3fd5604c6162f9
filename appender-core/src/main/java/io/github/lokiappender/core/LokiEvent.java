package io.github.lokiappender.core;

import io.github.lokiappender.core.encode.Utf8;
import io.github.lokiappender.core.labels.LabelSet;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One log entry on the shipper's side: when it happened (epoch nanoseconds), the line as UTF-8
 * bytes, the stream it belongs to, and optional structured metadata (Loki 2.9+).
 *
 * <p>Logging threads do not make these: they hand the line straight to the
 * {@link io.github.lokiappender.core.buffer.EventBuffer}, which stores it as bytes, and the shipper
 * drains, batches and encodes events without objects either, in the columns of an
 * {@link io.github.lokiappender.core.batch.EventList}. Tests and simple callers make standalone
 * events with {@link #of}; views on shared memory ({@link #ofUtf8}) serve tests and diagnostics.
 *
 * <p>The line is held as UTF-8 (lone surrogates already written as U+FFFD), in
 * {@code lineBytes()[lineOffset(), lineOffset() + lineUtf8Length())}. Structured metadata is a flat
 * array {@code [name0, value0, name1, ...]} (no map per event); pairs with empty values are left out.
 */
public final class LokiEvent {

    private static final String[] NO_METADATA = new String[0];

    private final long timestampNanos;
    private byte[] line;
    private int lineOffset;
    private int lineLength;
    private final LabelSet labels;
    private final String[] metadata;
    private final int metadataChars;

    private LokiEvent(long timestampNanos, byte[] line, int offset, int length, LabelSet labels, String[] metadata,
                      int metadataChars) {
        this.timestampNanos = timestampNanos;
        this.line = line;
        this.lineOffset = offset;
        this.lineLength = length;
        this.labels = Objects.requireNonNull(labels, "labels");
        this.metadata = metadata;
        this.metadataChars = metadataChars;
    }

    /**
     * A standalone event.
     *
     * @param timestampNanos epoch time in nanoseconds
     * @param line           the log line; null becomes the empty string
     * @param labels         the stream's labels (from a {@link io.github.lokiappender.core.labels.LabelSetRegistry})
     */
    public static LokiEvent of(long timestampNanos, String line, LabelSet labels) {
        return of(timestampNanos, line, labels, null);
    }

    /**
     * As {@link #of(long, String, LabelSet)}, with structured metadata as a flat
     * {@code [name, value, ...]} array that the event takes ownership of. Pairs with a null or
     * empty value are left out.
     */
    public static LokiEvent of(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs) {
        CharSequence s = line == null ? "" : line;
        byte[] b = new byte[Utf8.length(s)];
        Utf8.encode(s, 0, s.length(), b, 0);
        String[] md = compactMetadata(metadataPairs);
        return new LokiEvent(timestampNanos, b, 0, b.length, labels, md, chars(md));
    }

    /**
     * An event whose line is {@code utf8[offset, offset + length)}, valid UTF-8. The array is shared,
     * not copied: the caller keeps it unchanged while the event is in use.
     *
     * @param metadataPairs compacted metadata ({@link #compactMetadata}), or null
     */
    public static LokiEvent ofUtf8(long timestampNanos, byte[] utf8, int offset, int length, LabelSet labels,
                                   String[] metadataPairs) {
        String[] md = metadataPairs == null ? NO_METADATA : metadataPairs;
        return new LokiEvent(timestampNanos, utf8, offset, length, labels, md, chars(md));
    }

    /**
     * Metadata pairs without those that have a null name or a null or empty value; the array itself
     * when nothing is left out, a shared empty array for none.
     *
     * @throws IllegalArgumentException for an odd number of elements
     */
    public static String[] compactMetadata(String[] pairs) {
        if (pairs == null || pairs.length == 0) {
            return NO_METADATA;
        }
        if ((pairs.length & 1) != 0) {
            throw new IllegalArgumentException("structured metadata needs name/value pairs");
        }
        int keep = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (kept(pairs, i)) {
                keep++;
            }
        }
        if (keep * 2 == pairs.length) {
            return pairs;
        }
        String[] out = new String[keep * 2];
        int j = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (kept(pairs, i)) {
                out[j++] = pairs[i];
                out[j++] = pairs[i + 1];
            }
        }
        return out;
    }

    private static boolean kept(String[] pairs, int i) {
        return pairs[i] != null && pairs[i + 1] != null && !pairs[i + 1].isEmpty();
    }

    /** Characters of compacted metadata: what the buffer charges for it. */
    public static int chars(String[] compactedMetadata) {
        int n = 0;
        for (String m : compactedMetadata) {
            n += m.length();
        }
        return n;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    /** The line as a String (decoded from its UTF-8 bytes; allocates: for tests and diagnostics). */
    public String line() {
        return new String(line, lineOffset, lineLength, StandardCharsets.UTF_8);
    }

    /** The array holding the line's UTF-8 bytes, from {@link #lineOffset()} for {@link #lineUtf8Length()} bytes. */
    public byte[] lineBytes() {
        return line;
    }

    /** Where the line starts in {@link #lineBytes()}. */
    public int lineOffset() {
        return lineOffset;
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

    /** The metadata as the flat compacted array (shared; not to be changed). */
    public String[] metadataPairs() {
        return metadata;
    }

    /** Characters of the metadata's names and values. */
    public int metadataChars() {
        return metadataChars;
    }

    /**
     * UTF-8 bytes of the line plus characters of the metadata: exactly what the line takes on the
     * wire and a lower bound of the metadata's, used to decide cheaply when enough is buffered for a batch.
     */
    public int contentSize() {
        return lineLength + metadataChars;
    }

    /**
     * Bytes this event takes in the buffer's budget:
     * {@link io.github.lokiappender.core.buffer.EventBuffer#weight(int, int)}.
     */
    public int weight() {
        return io.github.lokiappender.core.buffer.EventBuffer.weight(lineLength, metadataChars);
    }

    /**
     * Cuts the line to at most {@code maxBytes} UTF-8 bytes including {@code marker} (ASCII), at a
     * character boundary, and appends the marker. Used by the shipper on events it owns; the cut
     * line gets an array of its own, so the memory the event was a view on is not written.
     */
    public void truncateLine(int maxBytes, String marker) {
        byte[] b = truncated(line, lineOffset, lineLength, maxBytes, marker);
        line = b;
        lineOffset = 0;
        lineLength = b.length;
    }

    /**
     * A new array with the UTF-8 line {@code utf8[offset, offset + length)} cut to at most
     * {@code maxBytes} bytes including {@code marker} (ASCII), at a character boundary, and the marker appended.
     */
    public static byte[] truncated(byte[] utf8, int offset, int length, int maxBytes, String marker) {
        int cut = Utf8.cutPoint(utf8, offset, length, Math.max(0, maxBytes - marker.length()));
        byte[] b = new byte[cut + marker.length()];
        System.arraycopy(utf8, offset, b, 0, cut);
        for (int i = 0; i < marker.length(); i++) {
            b[cut + i] = (byte) marker.charAt(i);
        }
        return b;
    }

    /** A standalone copy of this event with another line. */
    public LokiEvent withLine(String newLine) {
        return of(timestampNanos, newLine, labels, metadata);
    }

    @Override
    public String toString() {
        return "LokiEvent{" + timestampNanos + ' ' + labels.render() + ' ' + line() + '}';
    }
}
