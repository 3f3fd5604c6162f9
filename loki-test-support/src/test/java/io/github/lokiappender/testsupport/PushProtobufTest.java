package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.NOW;
import static io.github.lokiappender.testsupport.TestHttp.PROTOBUF;
import static io.github.lokiappender.testsupport.TestHttp.gzip;
import static io.github.lokiappender.testsupport.TestHttp.push;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushProtobufTest {
    private static final long NOW_S = NOW.getEpochSecond();

    private final FakeLoki loki = FakeLoki.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();

    @AfterEach
    void stop() {
        loki.close();
    }

    @Test
    void storesSnappyProtobufWithNanosecondTimestampsAndStructuredMetadata() {
        byte[] proto = Proto.push(
                Proto.stream("{env=\"prod\", app=\"shop\"}",
                        Proto.entry(NOW_S - 10, 123_456_789, "first"),
                        Proto.entry(NOW_S - 5, 1, "second", "trace_id", "abc", "span", "x")),
                Proto.stream("{app=\"billing\"}", Proto.entry(NOW_S - 1, 0, "third")));

        HttpResponse<String> r = push(loki, PROTOBUF, TestSnappy.literalOnly(proto));

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::stream, FakeLoki.Entry::timestampNanos, FakeLoki.Entry::line)
                .containsExactly(
                        tuple("{app=\"shop\", env=\"prod\"}", (NOW_S - 10) * 1_000_000_000L + 123_456_789, "first"),
                        tuple("{app=\"shop\", env=\"prod\"}", (NOW_S - 5) * 1_000_000_000L + 1, "second"),
                        tuple("{app=\"billing\"}", (NOW_S - 1) * 1_000_000_000L, "third"));
        assertThat(loki.entries().get(1).structuredMetadata())
                .containsExactly(Map.entry("trace_id", "abc"), Map.entry("span", "x"));
        FakeLoki.Request request = loki.requests().get(0);
        assertThat(request.decodedBody()).isEqualTo(proto);
        assertThat(request.entryCount()).isEqualTo(3);
    }

    @Test
    void decodesSnappyCopyTagsInsideARealPush() {
        String line = "a repeated line that snappy can back-reference";
        byte[] proto = Proto.push(Proto.stream("{app=\"x\"}",
                Proto.entry(NOW_S - 2, 0, line), Proto.entry(NOW_S - 1, 0, line)));
        byte[] lineBytes = line.getBytes(StandardCharsets.UTF_8);
        int first = indexOf(proto, lineBytes, 0);
        int second = indexOf(proto, lineBytes, first + 1);
        // Literal up to the second occurrence, a copy-2 tag for the repeated line, literal for the rest.
        ByteArrayOutputStream snappy = new ByteArrayOutputStream();
        TestSnappy.writeVarint(snappy, proto.length);
        TestSnappy.literalTag(snappy, second);
        snappy.write(proto, 0, second);
        TestSnappy.copy2(snappy, lineBytes.length, second - first);
        int rest = proto.length - second - lineBytes.length;
        if (rest > 0) {
            TestSnappy.literalTag(snappy, rest);
            snappy.write(proto, second + lineBytes.length, rest);
        }
        byte[] compressed = snappy.toByteArray();
        assertThat(compressed.length).isLessThan(proto.length + 3);

        assertThat(push(loki, PROTOBUF, compressed).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly(line, line);
    }

    @Test
    void skipsUnknownFieldsOfEveryWireType() {
        Proto entry = Proto.entry(NOW_S, 0, "l").fixed32(9, 7).fixed64(10, 8L).varint(11, 300).string(12, "?");
        Proto stream = Proto.stream("{app=\"x\"}", entry).varint(3, 123456789L); // field 3 is the stream hash
        byte[] proto = new Proto().message(1, stream).fixed64(2, 1L).fixed32(3, 2).toByteArray();

        assertThat(push(loki, PROTOBUF, TestSnappy.literalOnly(proto)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("l");
    }

    @Test
    void parsesEscapedLabelStrings() {
        byte[] proto = Proto.push(Proto.stream("{path=\"C:\\\\tmp\", msg=\"say \\\"hi\\\"\\n\"}", Proto.entry(NOW_S, 0, "l")));
        assertThat(push(loki, PROTOBUF, TestSnappy.literalOnly(proto)).statusCode()).isEqualTo(204);
        assertThat(loki.entries().get(0).labels())
                .containsExactly(Map.entry("msg", "say \"hi\"\n"), Map.entry("path", "C:\\tmp"));
        assertThat(loki.streams()).containsOnlyKeys("{msg=\"say \\\"hi\\\"\\n\", path=\"C:\\\\tmp\"}");
    }

    @Test
    void unparsableLabelStringRejectsTheWholeRequest() {
        byte[] proto = Proto.push(
                Proto.stream("{app=\"good\"}", Proto.entry(NOW_S, 0, "would be valid")),
                Proto.stream("{app=good}", Proto.entry(NOW_S, 0, "bad labels")));
        HttpResponse<String> r = push(loki, PROTOBUF, TestSnappy.literalOnly(proto));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(
                "couldn't parse labels: parse error at line 1, col 6: syntax error: unexpected g, expecting STRING\n");
        assertThat(loki.entryCount()).isZero();
        assertThat(loki.requests().get(0).entryCount()).isZero();
    }

    @Test
    void corruptSnappyIs400() {
        byte[] snappy = TestSnappy.literalOnly(Proto.push(Proto.stream("{app=\"x\"}", Proto.entry(NOW_S, 0, "l"))));
        snappy[0]++; // declared length no longer matches
        HttpResponse<String> r = push(loki, PROTOBUF, snappy);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("snappy: corrupt input: ");
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void corruptProtobufIs400() {
        byte[] proto = Proto.push(Proto.stream("{app=\"x\"}", Proto.entry(NOW_S, 0, "l")));
        byte[] truncated = java.util.Arrays.copyOf(proto, proto.length - 2);
        HttpResponse<String> r = push(loki, PROTOBUF, TestSnappy.literalOnly(truncated));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("proto: ");
    }

    @Test
    void gzipWithoutSnappyIsRejectedButSnappyContentEncodingIsAccepted() {
        byte[] proto = Proto.push(Proto.stream("{app=\"x\"}", Proto.entry(NOW_S, 0, "l")));
        assertThat(push(loki, PROTOBUF, gzip(proto), "Content-Encoding", "gzip").statusCode()).isEqualTo(400);
        assertThat(push(loki, PROTOBUF, TestSnappy.literalOnly(proto), "Content-Encoding", "snappy").statusCode())
                .isEqualTo(204);
        assertThat(loki.entryCount()).isEqualTo(1);
    }

    @Test
    void entryWithoutTimestampIsEpochZeroAndTooOld() {
        Proto entry = new Proto().string(2, "no timestamp");
        HttpResponse<String> r = push(loki, PROTOBUF, TestSnappy.literalOnly(Proto.push(Proto.stream("{app=\"x\"}", entry))));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("entry for stream '{app=\"x\"}' has timestamp too old: 1970-01-01T00:00:00Z, "
                + "oldest acceptable timestamp is: 2024-11-17T00:00:00Z\n");
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
