package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.labels.LabelSet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JsonPushEncoderTest {

    private static String json(EncodedRequest r) {
        return new String(r.body(), 0, r.length(), StandardCharsets.UTF_8);
    }

    @Test
    void twoStreamsByteForByte() {
        LabelSet shop = LabelSet.of(new String[]{"level", "app"}, new String[]{"info", "shop"});
        LabelSet quoted = LabelSet.of(new String[]{"app"}, new String[]{"say \"x\"\\y"});
        Batch batch = new Batch();
        batch.add(LokiEvent.of(1732400000123456789L, "plain line", shop), 0);
        batch.add(LokiEvent.of(1732400000123456790L, "tab\there \"q\" back\\slash\nnew line\u0001", quoted), 0);
        batch.add(LokiEvent.of(1732400000123456791L, "héllo 日本 😀", shop, new String[]{"trace_id", "4bf92f35", "user", "é"}), 0);

        EncodedRequest r = new JsonPushEncoder().encode(batch);

        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.contentEncoding()).isNull();
        String expected = "{\"streams\":["
                + "{\"stream\":{\"app\":\"shop\",\"level\":\"info\"},\"values\":["
                + "[\"1732400000123456789\",\"plain line\"],"
                + "[\"1732400000123456791\",\"héllo 日本 😀\",{\"trace_id\":\"4bf92f35\",\"user\":\"é\"}]]},"
                + "{\"stream\":{\"app\":\"say \\\"x\\\"\\\\y\"},\"values\":["
                + "[\"1732400000123456790\",\"tab\\there \\\"q\\\" back\\\\slash\\nnew line\\u0001\"]]}"
                + "]}";
        assertThat(r.toByteArray()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }

    /** Streams of 255 to 769 entries: entries are written in slices of 256, every boundary must be seamless. */
    @Test
    void streamsLongerThanOneSliceByteForByte() {
        int[] sizes = {1, 255, 256, 257, 512, 513, 769};
        LabelSet[] sets = new LabelSet[sizes.length];
        StringBuilder[] values = new StringBuilder[sizes.length];
        int[] left = sizes.clone();
        for (int k = 0; k < sizes.length; k++) {
            sets[k] = LabelSet.of(new String[]{"n"}, new String[]{Integer.toString(sizes[k])});
            values[k] = new StringBuilder();
        }
        Batch batch = new Batch();
        java.util.Random r = new java.util.Random(5);
        int total = java.util.Arrays.stream(sizes).sum();
        for (int e = 0; e < total; e++) {
            int k;
            do {
                k = r.nextInt(sizes.length);
            } while (left[k] == 0);
            left[k]--;
            long ts = 1732400000000000000L + e;
            String line = "line " + e + (e % 100 == 0 ? " \"quoted\"" : "");
            batch.add(LokiEvent.of(ts, line, sets[k]), 0);
            values[k].append(values[k].length() == 0 ? "" : ",").append("[\"").append(ts).append("\",\"")
                    .append(line.replace("\"", "\\\"")).append("\"]");
        }
        StringBuilder expected = new StringBuilder("{\"streams\":[");
        for (int s = 0; s < batch.streamCount(); s++) {
            int k = java.util.Arrays.asList(sets).indexOf(batch.stream(s).labels());
            expected.append(s == 0 ? "" : ",").append("{\"stream\":{\"n\":\"").append(sizes[k]).append("\"},\"values\":[")
                    .append(values[k]).append("]}");
        }
        expected.append("]}");
        assertThat(batch.streamCount()).isEqualTo(sizes.length);
        assertThat(json(new JsonPushEncoder().encode(batch))).isEqualTo(expected.toString());
    }

    /** Lines are escaped from their UTF-8 bytes: the result must be what Jackson writes for the same String. */
    @Test
    void lineEscapingIsByteIdenticalToJacksonsWriteString() throws Exception {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            every.append(c);
        }
        String[] lines = {every.toString(), "plain", "", "\"", "\\", "\u0000", "end\n", "\u001f\u007f",
                "héllo 日本 😀 \"q\" \t", "x".repeat(3000) + "\n" + "y".repeat(3000), "\n".repeat(500), "ü\r\nü"};
        LabelSet a = LabelSet.of(new String[]{"a"}, new String[]{"b"});
        com.fasterxml.jackson.core.JsonFactory jackson = new com.fasterxml.jackson.core.JsonFactory();
        JsonPushEncoder enc = new JsonPushEncoder();
        for (String line : lines) {
            Batch batch = new Batch();
            batch.add(LokiEvent.of(7, line, a), 0);
            java.io.StringWriter w = new java.io.StringWriter();
            try (com.fasterxml.jackson.core.JsonGenerator g = jackson.createGenerator(w)) {
                g.writeString(line);
            }
            String expected = "{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"7\"," + w + "]]}]}";
            assertThat(json(enc.encode(batch))).as("line %s", line.length() > 40 ? line.substring(0, 40) : line)
                    .isEqualTo(expected);
            if (!line.isEmpty() && line.length() < LabelSet.MAX_VALUE_BYTES) {
                // the same text as a label value (short enough not to be cut) and as structured metadata is escaped the same way
                Batch labelled = new Batch();
                labelled.add(LokiEvent.of(7, "l", LabelSet.of(new String[]{"a"}, new String[]{line}), new String[]{"m", line}), 0);
                assertThat(json(enc.encode(labelled))).isEqualTo("{\"streams\":[{\"stream\":{\"a\":" + w
                        + "},\"values\":[[\"7\",\"l\",{\"m\":" + w + "}]]}]}");
            }
        }
    }

    /** The eight-bytes-at-a-time scan agrees with the byte-wise rule for every byte at every position. */
    @Test
    void wordScanFindsExactlyTheBytesThatNeedEscaping() {
        for (int v = 0; v < 256; v++) {
            boolean escaped = v < 0x20 || v == '"' || v == '\\';
            for (int at = 0; at < 8; at++) {
                for (long filler : new long[]{0x6161616161616161L, 0x8080808080808080L, 0xFFFFFFFFFFFFFFFFL, 0x2020202020202020L}) {
                    long word = (filler & ~(0xFFL << (8 * at))) | ((long) v << (8 * at));
                    assertThat(JsonPushEncoder.needsEscape(word)).as("byte %02x at %d in %016x", v, at, filler).isEqualTo(escaped);
                }
            }
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            long word = random.nextLong();
            boolean expected = false;
            for (int at = 0; at < 8; at++) {
                int b = (int) (word >>> (8 * at)) & 0xFF;
                expected |= b < 0x20 || b == '"' || b == '\\';
            }
            assertThat(JsonPushEncoder.needsEscape(word)).as("%016x", word).isEqualTo(expected);
        }
    }

    /**
     * The copy eight bytes at a time stops at the first word holding a byte to escape, copies
     * exactly the bytes before that word (or all), and writes nothing past the line's length: for
     * every length up to 40, every offset within a word, and a quote at every position.
     */
    @Test
    void wordCopyStopsBeforeTheFirstWordToEscapeAndWritesNothingPastTheLine() {
        for (int len = 0; len <= 40; len++) {
            for (int off = 0; off < 8; off++) {
                for (int quoteAt = -1; quoteAt < len; quoteAt++) {
                    byte[] in = new byte[off + len + 8];
                    java.util.Arrays.fill(in, (byte) '"'); // neighbours that must not be read as part of the line
                    for (int i = 0; i < len; i++) {
                        in[off + i] = (byte) (i == quoteAt ? '"' : 'a' + i % 26);
                    }
                    byte[] out = new byte[3 + len + 8];
                    java.util.Arrays.fill(out, (byte) '#');
                    int copied = JsonPushEncoder.copyUnescaped(in, off, len, out, 3);
                    int expected = quoteAt < 0 ? len
                            : quoteAt < (len / 8) * 8 ? (quoteAt / 8) * 8 // stops at the word holding it
                            : len >= 8 ? (len / 8) * 8 // in the tail: the overlapping last word has it
                            : quoteAt; // a line shorter than a word is copied byte by byte
                    String at = "len " + len + " off " + off + " quote " + quoteAt;
                    assertThat(copied).as(at).isEqualTo(expected);
                    for (int i = 0; i < copied; i++) {
                        assertThat(out[3 + i]).as(at).isEqualTo(in[off + i]);
                    }
                    for (int i = 3 + len; i < out.length; i++) {
                        assertThat(out[i]).as(at + " byte " + i).isEqualTo((byte) '#');
                    }
                    for (int i = 0; i < 3; i++) {
                        assertThat(out[i]).as(at).isEqualTo((byte) '#');
                    }
                }
            }
        }
    }

    /**
     * Lines with characters to escape at every position relative to the eight-byte scan, read from
     * the middle of a shared array (as the buffer hands them out): byte-identical to Jackson.
     */
    @Test
    void escapesAtEveryPositionOfAViewMatchJackson() throws Exception {
        LabelSet a = LabelSet.of(new String[]{"a"}, new String[]{"b"});
        com.fasterxml.jackson.core.JsonFactory jackson = new com.fasterxml.jackson.core.JsonFactory();
        JsonPushEncoder enc = new JsonPushEncoder();
        java.util.Random random = new java.util.Random(11);
        String[] pieces = {"a", "b", "\"", "\\", "\n", "\u0001", "é", "日", "😀", " ", "xxxxxxxxxxx"};
        for (int round = 0; round < 2_000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            String line = sb.toString();
            byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
            int offset = random.nextInt(9);
            byte[] shared = new byte[offset + utf8.length + 9];
            java.util.Arrays.fill(shared, (byte) '"'); // neighbours that would need escaping if they were read
            System.arraycopy(utf8, 0, shared, offset, utf8.length);
            Batch batch = new Batch();
            batch.add(LokiEvent.ofUtf8(7, shared, offset, utf8.length, a, null), 0);
            java.io.StringWriter w = new java.io.StringWriter();
            try (com.fasterxml.jackson.core.JsonGenerator g = jackson.createGenerator(w)) {
                g.writeString(line);
            }
            assertThat(json(enc.encode(batch))).as("line %s", line)
                    .isEqualTo("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"7\"," + w + "]]}]}");
        }
    }

    @Test
    void loneSurrogatesInLinesAndLabelsBecomeReplacementCharacters() {
        Batch batch = new Batch();
        batch.add(LokiEvent.of(1, "x\uD800y\uDC00", LabelSet.of(new String[]{"a"}, new String[]{"v\uDBFF"})), 0);
        assertThat(json(new JsonPushEncoder().encode(batch)))
                .isEqualTo("{\"streams\":[{\"stream\":{\"a\":\"v\uFFFD\"},\"values\":[[\"1\",\"x\uFFFDy\uFFFD\"]]}]}");
    }

    @Test
    void timestampsAreExactDecimalStrings() {
        LabelSet a = LabelSet.of(new String[]{"a"}, new String[]{"b"});
        Batch batch = new Batch();
        batch.add(LokiEvent.of(0, "zero", a), 0);
        batch.add(LokiEvent.of(9, "nine", a), 0);
        batch.add(LokiEvent.of(Long.MAX_VALUE, "max", a), 0);
        batch.add(LokiEvent.of(1_732_400_000_000_000_007L, "leading zeros", a), 0);
        batch.add(LokiEvent.of(1_732_400_000_987_654_321L, "same second", a), 0);
        batch.add(LokiEvent.of(1_000_000_000L, "one second", a), 0);
        assertThat(json(new JsonPushEncoder().encode(batch))).isEqualTo(
                "{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"0\",\"zero\"],[\"9\",\"nine\"],[\"9223372036854775807\",\"max\"],"
                        + "[\"1732400000000000007\",\"leading zeros\"],[\"1732400000987654321\",\"same second\"],"
                        + "[\"1000000000\",\"one second\"]]}]}");
    }

    @Test
    void loneSurrogatesInMetadataBecomeReplacementCharacters() {
        LabelSet a = LabelSet.of(new String[]{"a"}, new String[]{"b"});
        Batch batch = new Batch();
        batch.add(LokiEvent.of(1, "l", a, new String[]{"k", "v\uDC00"}), 0);
        assertThat(json(new JsonPushEncoder().encode(batch)))
                .isEqualTo("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"l\",{\"k\":\"v\uFFFD\"}]]}]}");
    }

    @Test
    void encoderIsReusableAcrossBatches() {
        JsonPushEncoder enc = new JsonPushEncoder();
        LabelSet a = LabelSet.of(new String[]{"a"}, new String[]{"b"});
        Batch big = new Batch();
        for (int i = 0; i < 1000; i++) {
            big.add(LokiEvent.of(i, "line " + i, a), 0);
        }
        enc.encode(big);
        Batch small = new Batch();
        small.add(LokiEvent.of(5, "only", a), 0);
        assertThat(json(enc.encode(small))).isEqualTo("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"5\",\"only\"]]}]}");
        enc.detachBuffers();
        assertThat(json(enc.encode(small))).isEqualTo("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"5\",\"only\"]]}]}");
    }

    /**
     * Entries are written straight into the sink's array with one check for room per entry: lines
     * full of escapes (six bytes for one), with and without metadata, make the array grow in the
     * middle of lines again and again; the body must still equal what Jackson writes.
     */
    @Test
    void theSinkGrowsInTheMiddleOfEscapedLinesWithoutLosingAByte() throws Exception {
        LabelSet a = LabelSet.of(new String[]{"a"}, new String[]{"b"});
        Batch batch = new Batch();
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < 100 + 37 * i % 900; k++) {
                line.append(k % 3 == 0 ? '\u0001' : k % 3 == 1 ? '"' : 'x');
            }
            lines.add(line.toString());
            String[] md = i % 7 == 0 ? new String[]{"k", "v\u0002" + i} : null;
            batch.add(LokiEvent.of(1_732_400_000_000_000_000L + i, line.toString(), a, md), 0);
        }
        java.io.StringWriter w = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeArrayFieldStart("streams");
            g.writeStartObject();
            g.writeObjectFieldStart("stream");
            g.writeStringField("a", "b");
            g.writeEndObject();
            g.writeArrayFieldStart("values");
            for (int i = 0; i < lines.size(); i++) {
                g.writeStartArray();
                g.writeString(Long.toString(1_732_400_000_000_000_000L + i));
                g.writeString(lines.get(i));
                if (i % 7 == 0) {
                    g.writeStartObject();
                    g.writeStringField("k", "v\u0002" + i);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
        EncodedRequest r = new JsonPushEncoder().encode(batch);
        assertThat(r.length()).isGreaterThan(4 * 64 * 1024); // grew several times from its first 64 KiB
        assertThat(json(r)).isEqualTo(w.toString());
    }
}
