package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.labels.LabelSet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Loki's JSON push body:
 * {@code {"streams":[{"stream":{...},"values":[["<ns>","<line>"(,{metadata})],...]}]}}.
 * Timestamps are strings of epoch nanoseconds. Strings are written as exact UTF-8 with quotes,
 * backslashes and control characters escaped, byte for byte as Jackson's generator writes them
 * (short escapes for \b \t \n \f \r, {@code \}{@code u00XX} for the other control characters,
 * everything else as is); lone surrogates become U+FFFD.
 *
 * <p>Written straight into a reusable byte array, without a generator: lines are held as UTF-8 by
 * the batch, so a line is scanned once and copied in runs of bytes that need no escaping.
 */
public final class JsonPushEncoder implements PushEncoder {

    public static final String CONTENT_TYPE = "application/json";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** With a target stream (gzip), what is written is handed on whenever this much has gathered. */
    private static final int HAND_ON_BYTES = 32 * 1024;
    /** Entries per call of {@link #writeEntries}. */
    private static final int SLICE = 256;
    private static final int MAX_KEPT_SCRATCH_BYTES = 256 * 1024;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** "00", "01", ... "99": two digits per division. */
    private static final byte[] DIGIT_PAIRS = new byte[200];
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    /** Per ASCII byte: 0 to copy it, else the character after the backslash ('u': a six-character unicode escape). */
    private static final byte[] ESCAPES = new byte[128];
    private static final byte[] BODY_START = ascii("{\"streams\":[");
    private static final byte[] STREAM_START = ascii("{\"stream\":{");
    private static final byte[] VALUES_START = ascii("},\"values\":[");

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private final ByteSink sink = new ByteSink(64 * 1024);
    /** UTF-8 of a label or metadata string before it is escaped. */
    private byte[] scratch = new byte[256];
    private final byte[] digits = new byte[20];
    private long cachedSeconds = -1;
    private int secondsLength;
    private OutputStream target;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public EncodedRequest encode(Batch batch) {
        sink.reset();
        target = null;
        writeBody(batch);
        return new EncodedRequest(sink.array(), sink.size(), CONTENT_TYPE, null);
    }

    /** Writes the JSON body of {@code batch} to {@code out}, in pieces of about 32 KiB. */
    void writeJson(Batch batch, OutputStream out) {
        sink.reset();
        target = out;
        try {
            writeBody(batch);
            handOn();
        } finally {
            target = null;
        }
    }

    private void writeBody(Batch batch) {
        cachedSeconds = -1;
        raw(BODY_START);
        for (int s = 0; s < batch.streamCount(); s++) {
            Batch.Stream stream = batch.stream(s);
            if (s > 0) {
                one(',');
            }
            raw(STREAM_START);
            writeLabels(stream.labels());
            raw(VALUES_START);
            // in slices, so that the per-entry loop is compiled early (see BatchAssembler.fill)
            for (int from = 0; from < stream.size(); from += SLICE) {
                writeEntries(stream, from, Math.min(stream.size(), from + SLICE));
            }
            one(']');
            one('}');
        }
        one(']');
        one('}');
    }

    private void writeEntries(Batch.Stream stream, int from, int to) {
        for (int i = from; i < to; i++) {
            if (i > 0) {
                one(',');
            }
            writeEntry(stream, i);
            if (target != null && sink.size() >= HAND_ON_BYTES) {
                handOn();
            }
        }
    }

    private void writeLabels(LabelSet labels) {
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                one(',');
            }
            writeString(labels.name(i));
            one(':');
            writeString(labels.value(i));
        }
    }

    private void writeEntry(Batch.Stream st, int e) {
        int n = formatNanos(st.timestampNanos(e));
        sink.ensure(sink.size() + n + 8);
        byte[] b = sink.array();
        int p = sink.size();
        b[p++] = '[';
        b[p++] = '"';
        System.arraycopy(digits, 0, b, p, n);
        p += n;
        b[p++] = '"';
        b[p++] = ',';
        sink.size(p);
        writeUtf8(st.lineBytes(e), st.lineOffset(e), st.lineUtf8Length(e));
        int m = st.metadataCount(e);
        if (m > 0) {
            one(',');
            one('{');
            for (int i = 0; i < m; i++) {
                if (i > 0) {
                    one(',');
                }
                writeString(st.metadataName(e, i));
                one(':');
                writeString(st.metadataValue(e, i));
            }
            one('}');
        }
        one(']');
    }

    private void writeString(String s) {
        int n = s.length();
        int len = Utf8.length(s, 0, n);
        byte[] b = scratch;
        if (b.length < len) {
            b = new byte[Math.max(len, 2 * b.length)];
            if (b.length <= MAX_KEPT_SCRATCH_BYTES) {
                scratch = b;
            }
        }
        Utf8.encode(s, 0, n, b, 0);
        writeUtf8(b, 0, len);
    }

    /**
     * Writes valid UTF-8 as a quoted JSON string: runs of bytes that need no escaping are copied
     * whole (non-ASCII bytes never need it), the others escaped.
     */
    private void writeUtf8(byte[] b, int off, int len) {
        // room for the whole string if nothing needs escaping; escapes make room as they come
        sink.ensure(sink.size() + len + 2);
        byte[] out = sink.array();
        int p = sink.size();
        out[p++] = '"';
        int run = off;
        int end = off + len;
        int i = off;
        while (true) {
            // eight bytes at a time while none needs escaping (most lines have no quote or control character)
            while (i + 8 <= end && !needsEscape((long) LONG.get(b, i))) {
                i += 8;
            }
            if (i >= end) {
                break;
            }
            int stop = Math.min(end, i + 8);
            for (; i < stop; i++) {
                int c = b[i];
                if (c < 0 || ESCAPES[c] == 0) {
                    continue;
                }
                int n = i - run;
                System.arraycopy(b, run, out, p, n);
                p += n;
                sink.size(p);
                sink.ensure(p + 6 + (end - i) + 1);
                out = sink.array();
                int esc = ESCAPES[c];
                out[p++] = '\\';
                if (esc == 'u') {
                    out[p++] = 'u';
                    out[p++] = '0';
                    out[p++] = '0';
                    out[p++] = HEX[c >> 4];
                    out[p++] = HEX[c & 0xF];
                } else {
                    out[p++] = (byte) esc;
                }
                run = i + 1;
            }
        }
        int n = end - run;
        System.arraycopy(b, run, out, p, n);
        p += n;
        out[p++] = '"';
        sink.size(p);
    }

    /**
     * True if one of the eight bytes of {@code x} is below 0x20, a quote or a backslash (a byte of a
     * non-ASCII character never is). Exact: no byte borrows from another unless one of them matched.
     */
    static boolean needsEscape(long x) {
        long control = (x - 0x2020202020202020L) & ~x;
        long q = x ^ 0x2222222222222222L;
        long quote = (q - ONES) & ~q;
        long bs = x ^ 0x5C5C5C5C5C5C5C5CL;
        long backslash = (bs - ONES) & ~bs;
        return ((control | quote | backslash) & HIGH_BITS) != 0;
    }

    private void raw(byte[] bytes) {
        sink.write(bytes, 0, bytes.length);
    }

    private void one(char c) {
        sink.write(c);
    }

    private void handOn() {
        try {
            target.write(sink.array(), 0, sink.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JSON push body", e);
        }
        sink.reset();
    }

    /**
     * Writes the decimal digits of {@code v} into {@link #digits}; returns their count. The seconds
     * part repeats from one entry to the next, so its digits stay in place until it changes and only
     * the nine digits of the nanoseconds are written per entry.
     */
    private int formatNanos(long v) {
        if (v < NANOS_PER_SECOND) {
            // negative (not a valid Loki timestamp) or within the first second: keep it exact
            cachedSeconds = -1;
            return ascii(Long.toString(v), 0);
        }
        long seconds = v / NANOS_PER_SECOND;
        int nanos = (int) (v - seconds * NANOS_PER_SECOND);
        if (seconds != cachedSeconds) {
            secondsLength = ascii(Long.toString(seconds), 0);
            cachedSeconds = seconds;
        }
        int at = secondsLength + 9;
        for (int k = 0; k < 4; k++) {
            int q = nanos / 100;
            int pair = (nanos - q * 100) << 1;
            digits[--at] = DIGIT_PAIRS[pair + 1];
            digits[--at] = DIGIT_PAIRS[pair];
            nanos = q;
        }
        digits[--at] = (byte) ('0' + nanos);
        return secondsLength + 9;
    }

    private int ascii(String s, int at) {
        for (int i = 0; i < s.length(); i++) {
            digits[at + i] = (byte) s.charAt(i);
        }
        return s.length();
    }

    @Override
    public void detachBuffers() {
        sink.detach();
    }
}
