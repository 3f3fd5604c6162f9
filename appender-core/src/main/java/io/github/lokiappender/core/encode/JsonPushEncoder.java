package io.github.lokiappender.core.encode;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.labels.LabelSet;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Loki's JSON push body, written with Jackson's streaming generator:
 * {@code {"streams":[{"stream":{...},"values":[["<ns>","<line>"(,{metadata})],...]}]}}.
 * Timestamps are strings of epoch nanoseconds; lines (held as UTF-8 by the events) are copied as
 * exact UTF-8 with quotes, backslashes and control characters escaped; lone surrogates become U+FFFD.
 */
public final class JsonPushEncoder implements PushEncoder {

    public static final String CONTENT_TYPE = "application/json";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int MAX_KEPT_ESCAPE_BYTES = 256 * 1024;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Per ASCII byte: 0 to copy it, else the character after the backslash ('u': a six-character unicode escape). */
    private static final byte[] ESCAPES = new byte[128];

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
    }

    // write emoji and other supplementary characters as 4 UTF-8 bytes, not as \uD83D\uDE00 escapes
    private final JsonFactory factory = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();
    private final ByteSink sink = new ByteSink(64 * 1024);
    private final char[] digits = new char[20];
    /** Scratch for lines that need escaping; kept unless one huge line grew it. */
    private byte[] escaped = new byte[1024];
    private long cachedSeconds = -1;
    private int secondsLength;

    @Override
    public EncodedRequest encode(Batch batch) {
        sink.reset();
        writeJson(batch, sink);
        return new EncodedRequest(sink.array(), sink.size(), CONTENT_TYPE, null);
    }

    /** Writes the JSON body of {@code batch} to {@code out}. */
    void writeJson(Batch batch, java.io.OutputStream out) {
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName("streams");
            g.writeStartArray();
            for (int s = 0; s < batch.streamCount(); s++) {
                Batch.Stream stream = batch.stream(s);
                g.writeStartObject();
                g.writeFieldName("stream");
                writeLabels(g, stream.labels());
                g.writeFieldName("values");
                g.writeStartArray();
                for (int i = 0; i < stream.size(); i++) {
                    writeEntry(g, stream.get(i));
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode push request as JSON", e);
        }
    }

    private static void writeLabels(JsonGenerator g, LabelSet labels) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < labels.size(); i++) {
            g.writeFieldName(labels.name(i));
            g.writeString(labels.value(i));
        }
        g.writeEndObject();
    }

    private void writeEntry(JsonGenerator g, LokiEvent e) throws IOException {
        g.writeStartArray();
        g.writeString(digits, 0, formatNanos(e.timestampNanos()));
        writeLine(g, e.lineBytes(), e.lineUtf8Length());
        int m = e.metadataCount();
        if (m > 0) {
            g.writeStartObject();
            for (int i = 0; i < m; i++) {
                g.writeFieldName(Utf8.replaceLoneSurrogates(e.metadataName(i)));
                g.writeString(Utf8.replaceLoneSurrogates(e.metadataValue(i)));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * Writes a line held as valid UTF-8 as a JSON string, escaped exactly as Jackson escapes a
     * String (quote, backslash, control characters; everything else as is): runs of bytes that need
     * no escaping are copied whole, and a line without any such byte goes to the generator as it is.
     */
    private void writeLine(JsonGenerator g, byte[] b, int len) throws IOException {
        int i = 0;
        while (i < len) {
            int c = b[i];
            if (c >= 0 && ESCAPES[c] != 0) {
                break;
            }
            i++;
        }
        if (i == len) {
            g.writeRawUTF8String(b, 0, len);
            return;
        }
        byte[] out = escaped;
        if (out.length < len + 16) {
            out = new byte[Math.max(len + 16, out.length * 2)];
        }
        System.arraycopy(b, 0, out, 0, i);
        int p = i;
        int run = i;
        for (; i < len; i++) {
            int c = b[i];
            if (c < 0) {
                continue;
            }
            int esc = ESCAPES[c];
            if (esc == 0) {
                continue;
            }
            int n = i - run;
            if (out.length < p + n + 6 + (len - i)) {
                out = java.util.Arrays.copyOf(out, Math.max(p + n + 6 + (len - i), out.length * 2));
            }
            System.arraycopy(b, run, out, p, n);
            p += n;
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
        int n = len - run;
        System.arraycopy(b, run, out, p, n);
        p += n;
        if (out.length <= MAX_KEPT_ESCAPE_BYTES) {
            escaped = out;
        }
        g.writeRawUTF8String(out, 0, p);
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
            String s = Long.toString(v);
            s.getChars(0, s.length(), digits, 0);
            return s.length();
        }
        long seconds = v / NANOS_PER_SECOND;
        int nanos = (int) (v - seconds * NANOS_PER_SECOND);
        if (seconds != cachedSeconds) {
            String s = Long.toString(seconds);
            s.getChars(0, s.length(), digits, 0);
            secondsLength = s.length();
            cachedSeconds = seconds;
        }
        for (int i = secondsLength + 8; i >= secondsLength; i--) {
            int q = nanos / 10;
            digits[i] = (char) ('0' + (nanos - q * 10));
            nanos = q;
        }
        return secondsLength + 9;
    }

    @Override
    public void detachBuffers() {
        sink.detach();
    }
}
