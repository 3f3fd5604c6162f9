package io.github.lokiappender.core.encode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.labels.LabelSet;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GzipJsonPushEncoderTest {

    private final GzipJsonPushEncoder encoder = new GzipJsonPushEncoder();

    private static Batch batch(LokiEvent... events) {
        Batch b = new Batch();
        for (LokiEvent e : events) {
            b.add(e, Utf8.length(e.line()));
        }
        return b;
    }

    private static Batch sample() {
        LabelSet shop = LabelSet.of(new String[]{"app", "level"}, new String[]{"shop", "info"});
        return batch(
                LokiEvent.of(1_732_400_000_123_456_789L, "order placed \"42\" ✓ \uD83D\uDE00", shop,
                        new String[]{"trace_id", "4bf92f35", "user", "åsa"}),
                LokiEvent.of(1_732_400_000_123_456_790L, "second\nline", shop));
    }

    private static Batch large(int events) {
        Random r = new Random(1);
        LabelSet[] streams = {LabelSet.of(new String[]{"app"}, new String[]{"a"}), LabelSet.of(new String[]{"app"}, new String[]{"b"})};
        List<LokiEvent> list = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            list.add(LokiEvent.of(1_732_400_000_000_000_000L + i, "GET /api/products/" + r.nextInt(100_000) + " 200 in "
                    + r.nextInt(900) + " ms " + Long.toHexString(r.nextLong()), streams[i % 2],
                    new String[]{"trace_id", Long.toHexString(r.nextLong())}));
        }
        return batch(list.toArray(new LokiEvent[0]));
    }

    private static byte[] gunzip(EncodedRequest r) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body(), 0, r.length()))) {
            return in.readAllBytes(); // GZIPInputStream checks the CRC-32 and size trailer
        }
    }

    private static byte[] plainJson(Batch b) {
        return new JsonPushEncoder().encode(b).toByteArray();
    }

    @Test
    void gunzipsToExactlyThePlainJsonBody() throws IOException {
        EncodedRequest r = encoder.encode(sample());
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.contentEncoding()).isEqualTo("gzip");
        assertThat(Arrays.copyOf(r.body(), 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
        assertThat(new String(gunzip(r), StandardCharsets.UTF_8)).isEqualTo(
                "{\"streams\":[{\"stream\":{\"app\":\"shop\",\"level\":\"info\"},\"values\":["
                        + "[\"1732400000123456789\",\"order placed \\\"42\\\" ✓ \uD83D\uDE00\",{\"trace_id\":\"4bf92f35\",\"user\":\"åsa\"}],"
                        + "[\"1732400000123456790\",\"second\\nline\"]]}]}");
    }

    @Test
    void gunzippedBodyParsesAsLokiJson() throws IOException {
        byte[] json = gunzip(encoder.encode(sample()));
        List<String> strings = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
                    strings.add(p.getText());
                }
            }
        }
        assertThat(strings).containsExactly("streams", "stream", "app", "shop", "level", "info", "values",
                "1732400000123456789", "order placed \"42\" ✓ \uD83D\uDE00", "trace_id", "4bf92f35", "user", "åsa",
                "1732400000123456790", "second\nline");
    }

    @Test
    void largeBatchesCompressWellAndReuseLeavesNoStaleBytes() throws IOException {
        Batch big = large(5_000);
        Batch small = sample();
        EncodedRequest r1 = encoder.encode(big);
        byte[] bigJson = plainJson(big);
        assertThat(r1.length()).isLessThan(bigJson.length / 3);
        assertThat(gunzip(r1)).isEqualTo(bigJson);
        byte[] array = r1.body();

        EncodedRequest r2 = encoder.encode(small);
        assertThat(r2.body()).isSameAs(array); // the output array is reused
        assertThat(gunzip(r2)).isEqualTo(plainJson(small));
        assertThat(gunzip(encoder.encode(big))).isEqualTo(bigJson);
    }

    @Test
    void sameBatchGivesTheSameBytesEveryTime() {
        byte[] first = encoder.encode(sample()).toByteArray();
        encoder.encode(large(300));
        assertThat(encoder.encode(sample()).toByteArray()).isEqualTo(first);
        assertThat(new GzipJsonPushEncoder().encode(sample()).toByteArray()).isEqualTo(first);
    }

    @Test
    void detachedBufferIsNotOverwritten() throws IOException {
        EncodedRequest first = encoder.encode(sample());
        byte[] copy = first.toByteArray();
        encoder.detachBuffers();
        EncodedRequest second = encoder.encode(large(100));
        assertThat(second.body()).isNotSameAs(first.body());
        assertThat(Arrays.copyOf(first.body(), copy.length)).isEqualTo(copy);
        assertThat(gunzip(second)).isEqualTo(plainJson(large(100)));
    }

    @Test
    void everyLevelRoundTripsAndBadLevelsAreRefused() throws IOException {
        Batch b = large(200);
        for (int level = 1; level <= 9; level++) {
            assertThat(gunzip(new GzipJsonPushEncoder(level).encode(b))).as("level %d", level).isEqualTo(plainJson(b));
        }
        assertThatThrownBy(() -> new GzipJsonPushEncoder(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gzip level must be 1..9, was 0");
        assertThatThrownBy(() -> new GzipJsonPushEncoder(10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultIsLevelOneAndTheFactoryPassesTheLevelOn() {
        Batch b = large(500);
        byte[] level1 = new GzipJsonPushEncoder(1).encode(b).toByteArray();
        byte[] level9 = new GzipJsonPushEncoder(9).encode(b).toByteArray();
        assertThat(new GzipJsonPushEncoder().encode(b).toByteArray()).isEqualTo(level1);
        assertThat(PushEncoders.create(PushFormat.JSON, Compression.GZIP).encode(b).toByteArray()).isEqualTo(level1);
        assertThat(PushEncoders.create(PushFormat.JSON, Compression.GZIP, 9).encode(b).toByteArray()).isEqualTo(level9);
        assertThat(level9.length).isLessThan(level1.length);
    }

    /** Bits 1-2 of the first byte after the 10-byte gzip header: the first deflate block's type (0 = stored). */
    private static int firstBlockType(EncodedRequest r) {
        return (r.body()[10] >> 1) & 3;
    }

    @Test
    void underBacklogTheBodyIsStoredAndTheNextBatchIsCompressedAgain() throws IOException {
        Batch big = large(5_000);
        byte[] bigJson = plainJson(big);
        assertThat(encoder.changesUnderBacklog()).isTrue();

        EncodedRequest stored = encoder.encodeUnderBacklog(big);
        assertThat(stored.contentEncoding()).isEqualTo("gzip");
        assertThat(firstBlockType(stored)).isZero();
        // the JSON itself, the gzip header and trailer, and 5 bytes per stored block of at most 64 KiB
        assertThat(stored.length()).isBetween(bigJson.length + 18, bigJson.length + 18 + 5 * (bigJson.length / 16_384 + 2));
        assertThat(gunzip(stored)).isEqualTo(bigJson);

        EncodedRequest compressed = encoder.encode(big);
        assertThat(firstBlockType(compressed)).isNotZero();
        assertThat(compressed.length()).isLessThan(bigJson.length / 3);
        assertThat(compressed.toByteArray()).isEqualTo(new GzipJsonPushEncoder().encode(big).toByteArray());
    }

    @Test
    void theBacklogLevelIsConfigurableAndTheSameLevelTurnsTheSwitchOff() {
        Batch b = large(500);
        byte[] level1 = new GzipJsonPushEncoder(1).encode(b).toByteArray();
        GzipJsonPushEncoder same = new GzipJsonPushEncoder(1, 1);
        assertThat(same.changesUnderBacklog()).isFalse();
        assertThat(same.encodeUnderBacklog(b).toByteArray()).isEqualTo(level1);
        GzipJsonPushEncoder nineThenOne = new GzipJsonPushEncoder(9, 1);
        assertThat(nineThenOne.changesUnderBacklog()).isTrue();
        assertThat(nineThenOne.encodeUnderBacklog(b).toByteArray()).isEqualTo(level1);
        assertThat(nineThenOne.encode(b).toByteArray()).isEqualTo(new GzipJsonPushEncoder(9).encode(b).toByteArray());
        assertThat(PushEncoders.create(PushFormat.JSON, Compression.GZIP, 6, 1).encodeUnderBacklog(b).toByteArray())
                .isEqualTo(level1);
        assertThatThrownBy(() -> new GzipJsonPushEncoder(1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gzip backlog level must be 0..9, was -1");
        assertThatThrownBy(() -> new GzipJsonPushEncoder(1, 10)).isInstanceOf(IllegalArgumentException.class);
        // the other encoders have no cheaper way
        assertThat(new JsonPushEncoder().changesUnderBacklog()).isFalse();
        assertThat(new ProtobufPushEncoder().changesUnderBacklog()).isFalse();
    }

    @Test
    void emptyBatchIsAValidGzipOfTheEmptyRequest() throws IOException {
        assertThat(new String(gunzip(encoder.encode(new Batch())), StandardCharsets.UTF_8)).isEqualTo("{\"streams\":[]}");
    }
}
