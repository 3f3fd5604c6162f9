package io.github.lokiappender.core.encode;

import com.google.protobuf.DynamicMessage;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.testsupport.Snappy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ProtobufPushEncoderTest {

    private final ProtobufPushEncoder encoder = new ProtobufPushEncoder();

    private static LabelSet labels(String... kv) {
        String[] n = new String[kv.length / 2];
        String[] v = new String[kv.length / 2];
        for (int i = 0; i < n.length; i++) {
            n[i] = kv[2 * i];
            v[i] = kv[2 * i + 1];
        }
        return LabelSet.of(n, v);
    }

    private static Batch batch(LokiEvent... events) {
        Batch b = new Batch();
        for (LokiEvent e : events) {
            b.add(e, Utf8.length(e.line()));
        }
        return b;
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }

    /** Fixture worked out by hand from the wire format (tags, varints, lengths), not from the encoder. */
    private static final String FIXTURE =
            "0A 2F"                                          // streams, 47 bytes
            + " 0A 09 7B 61 70 70 3D 22 61 22 7D"            //   labels {app="a"}
            + " 12 22"                                       //   entries, 34 bytes
            + "  0A 0B 08 80 E2 CF AA 06 10 95 9A EF 3A"     //     timestamp {seconds 1700000000, nanos 123456789}
            + "  12 02 68 69"                                //     line "hi"
            + "  1A 0F 0A 08 74 72 61 63 65 5F 69 64 12 03 61 62 63" // metadata {trace_id, abc}
            + " 0A 1B"                                       // streams, 27 bytes
            + " 0A 13 7B 61 70 70 3D 22 62 22 2C 20 71 3D 22 78 5C 22 79 22 7D" // labels {app="b", q="x\"y"}
            + " 12 04 0A 02 10 05";                          //   entry: timestamp {nanos 5}; empty line left out

    private static Batch fixtureBatch() {
        return batch(
                LokiEvent.of(1_700_000_000_123_456_789L, "hi", labels("app", "a"), new String[]{"trace_id", "abc"}),
                LokiEvent.of(5L, "", labels("app", "b", "q", "x\"y")));
    }

    @Test
    void matchesHandCheckedFixture() {
        assertThat(HexFormat.of().formatHex(encoder.serialize(fixtureBatch()).toByteArray()))
                .isEqualTo(HexFormat.of().formatHex(hex(FIXTURE)));
        assertThat(hex(FIXTURE)).hasSize(78);
    }

    @Test
    void fixtureParsesWithProtobufRuntime() throws Exception {
        List<PushRequestProto.Entry> entries = PushRequestProto.entries(PushRequestProto.parse(hex(FIXTURE)));
        assertThat(entries).containsExactly(
                new PushRequestProto.Entry("{app=\"a\"}", 1_700_000_000L, 123_456_789, "hi", Map.of("trace_id", "abc")),
                new PushRequestProto.Entry("{app=\"b\", q=\"x\\\"y\"}", 0, 5, "", Map.of()));
    }

    @Test
    void bodyIsSnappyOfTheMessageWithProtobufContentType() {
        byte[] raw = encoder.serialize(fixtureBatch()).toByteArray();
        EncodedRequest r = encoder.encode(fixtureBatch());
        assertThat(r.contentType()).isEqualTo("application/x-protobuf");
        assertThat(r.contentEncoding()).isNull();
        assertThat(Snappy.uncompress(r.body(), 0, r.length())).isEqualTo(raw);
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacterAndPairsStayFourBytes() throws Exception {
        LokiEvent e = LokiEvent.of(1_000_000_000L, "emoji \uD83D\uDE00 é ✓", labels("app", "u"),
                new String[]{"bad\uDC00name", "x\uD800", "ok", "\uD83D\uDE00"});
        byte[] bytes = encoder.serialize(batch(e)).toByteArray();

        DynamicMessage expected = expectedRequest(List.of(e));
        assertThat(bytes).isEqualTo(expected.toByteArray());
        assertThat(PushRequestProto.entries(PushRequestProto.parse(bytes))).containsExactly(
                new PushRequestProto.Entry("{app=\"u\"}", 1, 0, "emoji \uD83D\uDE00 é ✓",
                        Map.of("bad\uFFFDname", "x\uFFFD", "ok", "\uD83D\uDE00")));
        // x, then EF BF BD for the lone high surrogate
        assertThat(HexFormat.of().formatHex(bytes)).contains("1204" + "78efbfbd");
    }

    @Test
    void timestampsBeforeTheEpochUseFloorSeconds() throws Exception {
        byte[] bytes = encoder.serialize(batch(LokiEvent.of(-1L, "old", labels("app", "t")))).toByteArray();
        assertThat(PushRequestProto.entries(PushRequestProto.parse(bytes)))
                .containsExactly(new PushRequestProto.Entry("{app=\"t\"}", -1, 999_999_999, "old", Map.of()));
    }

    @Test
    void randomBatchesEqualProtobufJavaSerialisation() throws Exception {
        Random r = new Random(7);
        for (int round = 0; round < 30; round++) {
            List<LokiEvent> events = randomEvents(r, 1 + r.nextInt(300));
            Batch b = batch(events.toArray(new LokiEvent[0]));
            byte[] ours = encoder.serialize(b).toByteArray();
            DynamicMessage expected = expectedRequest(events);
            assertThat(ours).as("round %d", round).isEqualTo(expected.toByteArray());
            assertThat(PushRequestProto.parse(ours)).isEqualTo(expected);
        }
    }

    /** Streams of 255 to 769 entries: the per-entry loops run in slices of 256, every boundary must be seamless. */
    @Test
    void streamsLongerThanOneSliceEqualProtobufJavaSerialisation() throws Exception {
        Random r = new Random(3);
        int[] sizes = {1, 255, 256, 257, 512, 513, 769};
        List<LokiEvent> events = new ArrayList<>();
        for (int k = 0; k < sizes.length; k++) {
            LabelSet l = labels("app", "slice", "n", Integer.toString(sizes[k]));
            for (int i = 0; i < sizes[k]; i++) {
                String[] md = i % 7 == 0 ? new String[]{"i", Integer.toString(i)} : null;
                events.add(LokiEvent.of(1_732_400_000_000_000_000L + events.size(), randomText(r, 6) + i, l, md));
            }
        }
        java.util.Collections.shuffle(events, r); // streams interleave; each keeps its own order
        Batch b = batch(events.toArray(new LokiEvent[0]));
        assertThat(b.streamCount()).isEqualTo(sizes.length);
        byte[] ours = encoder.serialize(b).toByteArray();
        assertThat(ours).isEqualTo(expectedRequest(events).toByteArray());
        assertThat(PushRequestProto.entries(PushRequestProto.parse(ours))).hasSize(events.size());
    }

    @Test
    void largeEntriesAndStreamsUseMultiByteLengths() throws Exception {
        String big = "y".repeat(20_000); // entry and stream lengths need 3-byte varints
        List<LokiEvent> events = List.of(
                LokiEvent.of(1L, big, labels("app", "big")),
                LokiEvent.of(2L, "z".repeat(200), labels("app", "big"), new String[]{"k", "v".repeat(130)}));
        byte[] ours = encoder.serialize(batch(events.toArray(new LokiEvent[0]))).toByteArray();
        assertThat(ours).isEqualTo(expectedRequest(events).toByteArray());
    }

    /**
     * The body is compressed in pieces of at most 64 KiB as they are written: across many pieces,
     * with entries larger than a piece between small ones, and with entries that end exactly at a
     * piece's end, it must decompress to exactly the message protobuf-java builds.
     */
    @Test
    void bodiesWrittenPieceByPieceDecompressToTheWholeMessage() throws Exception {
        Random r = new Random(13);
        LabelSet a = labels("app", "pieces");
        LabelSet b = labels("app", "pieces", "level", "WARN");
        List<List<LokiEvent>> cases = new ArrayList<>();
        List<LokiEvent> many = new ArrayList<>(); // about 400 KB: seven pieces, two streams
        for (int i = 0; i < 3_000; i++) {
            many.add(LokiEvent.of(1_732_400_000_000_000_000L + i * 1_001L,
                    "GET /api/orders/" + r.nextInt(100_000) + " took " + r.nextInt(900) + " ms " + randomText(r, 8),
                    i % 5 == 0 ? b : a, i % 9 == 0 ? new String[]{"trace_id", Long.toHexString(r.nextLong())} : null));
        }
        cases.add(many);
        ProtobufPushEncoder fresh = new ProtobufPushEncoder();
        EncodedRequest body = fresh.encode(batch(many.toArray(new LokiEvent[0])));
        assertThat(fresh.pieceCapacity()).as("one piece kept, not the 400 KB message").isEqualTo(64 * 1024);
        // the output grows with what was compressed (doubling), not to the whole message's worst
        // case, which is larger than the message itself (n + n/6 + 32)
        int message = expectedRequest(many).toByteArray().length;
        assertThat(body.body().length).as("output array for %d compressed of %d", body.length(), message)
                .isLessThan(message);
        // larger than a piece, alone and between small entries, as the first and the last entry
        cases.add(List.of(LokiEvent.of(1L, "big ".repeat(40_000), a)));
        cases.add(List.of(LokiEvent.of(1L, "s1", a), LokiEvent.of(2L, "x".repeat(70_000) + "ü", a),
                LokiEvent.of(3L, "s3", a), LokiEvent.of(4L, "y".repeat(200_000), b), LokiEvent.of(5L, "s5", b)));
        // entries of 1,024 bytes each (tag + 2-byte length + 1,021): 64 of them fill a piece exactly
        List<LokiEvent> exact = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            exact.add(LokiEvent.of(1_000_000_000L, "e".repeat(1_021 - 4 - 3), a)); // timestamp field 4, line field 3 + line
        }
        cases.add(exact);
        for (int c = 0; c < cases.size(); c++) {
            List<LokiEvent> events = cases.get(c);
            Batch batch = batch(events.toArray(new LokiEvent[0]));
            byte[] expected = expectedRequest(events).toByteArray();
            EncodedRequest r1 = encoder.encode(batch);
            assertThat(Snappy.uncompress(r1.body(), 0, r1.length())).as("case %d", c).isEqualTo(expected);
            assertThat(new ProtobufPushEncoder().encode(batch).toByteArray()).as("case %d, fresh", c)
                    .isEqualTo(r1.toByteArray());
        }
        // streams tag, 3-byte stream length, labels field {app="pieces"}, the entries
        assertThat(expectedRequest(exact).toByteArray()).hasSize(1 + 3 + 16 + 200 * 1_024);
    }

    @Test
    void reusingTheEncoderGivesTheSameBytesAsAFreshOne() {
        Random r = new Random(11);
        Batch large = batch(randomEvents(r, 400).toArray(new LokiEvent[0]));
        Batch small = fixtureBatch();
        byte[] smallFresh = new ProtobufPushEncoder().encode(small).toByteArray();
        byte[] largeFresh = new ProtobufPushEncoder().encode(large).toByteArray();

        assertThat(encoder.encode(large).toByteArray()).isEqualTo(largeFresh);
        assertThat(encoder.encode(small).toByteArray()).isEqualTo(smallFresh);
        assertThat(encoder.encode(large).toByteArray()).isEqualTo(largeFresh);
        assertThat(encoder.serialize(small).toByteArray()).isEqualTo(hex(FIXTURE));
    }

    @Test
    void detachedBufferIsNotOverwrittenByTheNextBatch() {
        EncodedRequest first = encoder.encode(fixtureBatch());
        byte[] firstArray = first.body();
        byte[] firstCopy = first.toByteArray();
        encoder.detachBuffers();
        EncodedRequest second = encoder.encode(batch(LokiEvent.of(9L, "other line entirely", labels("app", "z"))));
        assertThat(second.body()).isNotSameAs(firstArray);
        assertThat(java.util.Arrays.copyOf(firstArray, firstCopy.length)).isEqualTo(firstCopy);
    }

    @Test
    void emptyBatchIsAnEmptyMessage() {
        assertThat(encoder.serialize(new Batch()).size()).isZero();
        EncodedRequest r = encoder.encode(new Batch());
        assertThat(r.toByteArray()).containsExactly(0); // snappy preamble: length 0
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static final String[] WORDS = {"a", "GET", "/api", "ünï", "\uD83D\uDE00", "€", "\"q\"", "\\", "\n", "\t",
            "x".repeat(150), "ж", "é", "\uD800", "\uDFFF", "0"};

    private static String randomText(Random r, int maxWords) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxWords + 1);
        for (int i = 0; i < n; i++) {
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    private static List<LokiEvent> randomEvents(Random r, int n) {
        LabelSet[] streams = {labels("app", "a"), labels("app", "b", "env", "x\"y\\z"), labels("app", "c", "v", "ü\n")};
        List<LokiEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long ts = r.nextInt(4) == 0 ? r.nextLong() : 1_732_400_000_000_000_000L + r.nextInt(1_000_000_000);
            String[] md = null;
            int m = r.nextInt(4);
            if (m > 0) {
                md = new String[2 * m];
                for (int j = 0; j < m; j++) {
                    md[2 * j] = "k" + j + randomText(r, 2);
                    md[2 * j + 1] = randomText(r, 4);
                }
            }
            events.add(LokiEvent.of(ts, randomText(r, 20), streams[r.nextInt(streams.length)], md));
        }
        return events;
    }

    /** The same batch built with protobuf-java, strings cleaned the way Loki would see them. */
    private static DynamicMessage expectedRequest(List<LokiEvent> events) {
        Batch b = batch(events.toArray(new LokiEvent[0]));
        DynamicMessage.Builder req = PushRequestProto.request();
        for (int s = 0; s < b.streamCount(); s++) {
            Batch.Stream st = b.stream(s);
            DynamicMessage.Builder sb = PushRequestProto.stream(st.labels().render());
            for (int i = 0; i < st.size(); i++) {
                LokiEvent e = st.get(i);
                String[] md = new String[2 * e.metadataCount()];
                for (int j = 0; j < e.metadataCount(); j++) {
                    md[2 * j] = clean(e.metadataName(j));
                    md[2 * j + 1] = clean(e.metadataValue(j));
                }
                PushRequestProto.addEntry(sb, PushRequestProto.entry(Math.floorDiv(e.timestampNanos(), 1_000_000_000L),
                        (int) Math.floorMod(e.timestampNanos(), 1_000_000_000L), clean(e.line()), md));
            }
            PushRequestProto.addStream(req, sb);
        }
        return req.build();
    }

    /** Lone surrogates as U+FFFD, written out here independently of {@link Utf8}. */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.appendCodePoint(cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp));
        return sb.toString();
    }
}
