package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.JSON;
import static io.github.lokiappender.testsupport.TestHttp.NOW;
import static io.github.lokiappender.testsupport.TestHttp.NOW_NS;
import static io.github.lokiappender.testsupport.TestHttp.deflate;
import static io.github.lokiappender.testsupport.TestHttp.gzip;
import static io.github.lokiappender.testsupport.TestHttp.jsonPush;
import static io.github.lokiappender.testsupport.TestHttp.push;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static io.github.lokiappender.testsupport.TestHttp.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushJsonTest {
    private final FakeLoki loki = FakeLoki.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();

    @AfterEach
    void stop() {
        loki.close();
    }

    @Test
    void storesJsonEntriesExactlyWithLabelsTimestampsLinesAndMetadata() {
        String body = """
                {"streams":[
                  {"stream":{"env":"prod","app":"shop"},
                   "values":[["%d","first line"],["%d","second \\"quoted\\" line",{"trace_id":"4bf92f35","user":"ü"}]]},
                  {"stream":{"app":"billing"},"values":[["%d","third"]]}
                ]}""".formatted(NOW_NS - 3, NOW_NS - 2, NOW_NS - 1);

        HttpResponse<String> response = pushJson(loki, body);

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        assertThat(loki.entryCount()).isEqualTo(3);
        List<FakeLoki.Entry> entries = loki.entries();
        assertThat(entries.get(0).labels()).containsExactly(Map.entry("app", "shop"), Map.entry("env", "prod"));
        assertThat(entries.get(0).timestampNanos()).isEqualTo(NOW_NS - 3);
        assertThat(entries.get(0).line()).isEqualTo("first line");
        assertThat(entries.get(0).structuredMetadata()).isEmpty();
        assertThat(entries.get(0).tenant()).isEqualTo("fake");
        assertThat(entries.get(1).line()).isEqualTo("second \"quoted\" line");
        assertThat(entries.get(1).structuredMetadata())
                .containsExactly(Map.entry("trace_id", "4bf92f35"), Map.entry("user", "ü"));
        assertThat(entries.get(2).labels()).containsExactly(Map.entry("app", "billing"));
        assertThat(loki.streams()).containsOnlyKeys("{app=\"shop\", env=\"prod\"}", "{app=\"billing\"}");
        assertThat(loki.streams().get("{app=\"shop\", env=\"prod\"}")).extracting(FakeLoki.Entry::line)
                .containsExactly("first line", "second \"quoted\" line");

        FakeLoki.Request request = loki.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/loki/api/v1/push");
        assertThat(request.contentType()).isEqualTo(JSON);
        assertThat(request.header("content-type")).isEqualTo(JSON);
        assertThat(request.contentEncoding()).isNull();
        assertThat(request.status()).isEqualTo(204);
        assertThat(request.responseBody()).isEmpty();
        assertThat(request.entryCount()).isEqualTo(3);
        assertThat(request.body()).isEqualTo(utf8(body));
        assertThat(request.decodedBodyText()).isEqualTo(body);
    }

    @Test
    void streamKeysEscapeBackslashQuoteAndNewline() {
        String body = "{\"streams\":[{\"stream\":{\"b\":\"x\\\\y\",\"a\":\"say \\\"hi\\\"\\nbye\"},"
                + "\"values\":[[\"" + NOW_NS + "\",\"l\"]]}]}";
        assertThat(pushJson(loki, body).statusCode()).isEqualTo(204);
        assertThat(loki.streams()).containsOnlyKeys("{a=\"say \\\"hi\\\"\\nbye\", b=\"x\\\\y\"}");
        assertThat(loki.entries().get(0).labels()).containsExactly(Map.entry("a", "say \"hi\"\nbye"), Map.entry("b", "x\\y"));
    }

    @Test
    void acceptsCharsetParameterAndIgnoresUnknownFields() {
        String body = "{\"extra\":{\"x\":[1,2]},\"streams\":[{\"stream\":{\"app\":\"x\"},\"unknown\":true,"
                + "\"values\":[[\"" + NOW_NS + "\",\"l\"]]}]}";
        assertThat(push(loki, "Application/JSON; charset=utf-8", utf8(body)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("l");
    }

    @Test
    void acceptsGzipAndRawDeflateBodies() {
        byte[] json = utf8(jsonPush("{\"app\":\"gz\"}", NOW_NS, "zipped"));
        HttpResponse<String> gz = push(loki, JSON, gzip(json), "Content-Encoding", "gzip");
        HttpResponse<String> df = push(loki, JSON, deflate(utf8(jsonPush("{\"app\":\"df\"}", NOW_NS, "deflated")), true),
                "Content-Encoding", "deflate");

        assertThat(gz.statusCode()).isEqualTo(204);
        assertThat(df.statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("zipped", "deflated");
        FakeLoki.Request first = loki.requests().get(0);
        assertThat(first.contentEncoding()).isEqualTo("gzip");
        assertThat(first.body()).isEqualTo(gzip(json));
        assertThat(first.decodedBody()).isEqualTo(json);
    }

    @Test
    void rejectsZlibWrappedDeflateLikeGosFlateReader() {
        byte[] zlib = deflate(utf8(jsonPush("{\"app\":\"x\"}", NOW_NS, "l")), false);
        HttpResponse<String> r = push(loki, JSON, zlib, "Content-Encoding", "deflate");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("flate: ");
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void rejectsUnknownContentEncodingAndCorruptGzip() {
        byte[] json = utf8(jsonPush("{\"app\":\"x\"}", NOW_NS, "l"));
        HttpResponse<String> br = push(loki, JSON, json, "Content-Encoding", "br");
        assertThat(br.statusCode()).isEqualTo(400);
        assertThat(br.body()).isEqualTo("Content-Encoding \"br\" not supported\n");

        HttpResponse<String> notGzip = push(loki, JSON, json, "Content-Encoding", "gzip");
        assertThat(notGzip.statusCode()).isEqualTo(400);
        assertThat(notGzip.body()).startsWith("gzip: ");
        assertThat(loki.entryCount()).isZero();
        assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(400, 400);
    }

    @Test
    void rejectsTimestampSentAsJsonNumber() {
        HttpResponse<String> r = pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[" + NOW_NS
                + ",\"l\"]]}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("timestamp must be a string of Unix epoch nanoseconds, got number " + NOW_NS + "\n");
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void rejectsNonIntegerTimestampString() {
        HttpResponse<String> r = pushJson(loki, jsonPush("{\"app\":\"x\"}", "2024-11-24T00:00:00Z", "l"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("parsing \"2024-11-24T00:00:00Z\": invalid syntax");
    }

    @Test
    void rejectsNonStringStructuredMetadataAndLabelValues() {
        HttpResponse<String> meta = pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + NOW_NS
                + "\",\"l\",{\"n\":1}]]}]}");
        assertThat(meta.statusCode()).isEqualTo(400);
        assertThat(meta.body()).isEqualTo("structured metadata 'n' must have a string value, got number\n");

        HttpResponse<String> label = pushJson(loki, jsonPush("{\"app\":true}", NOW_NS, "l"));
        assertThat(label.statusCode()).isEqualTo(400);
        assertThat(label.body()).isEqualTo("stream label 'app' must have a string value, got boolean\n");
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void rejectsMalformedJsonAndWrongShapes() {
        assertThat(pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"1\",\"l\"]]}").statusCode())
                .isEqualTo(400);
        assertThat(pushJson(loki, "[]").body()).isEqualTo("push request must be a JSON object\n");
        assertThat(pushJson(loki, "{\"streams\":{}}").body()).isEqualTo("\"streams\" must be an array\n");
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "l") + " {}").body())
                .isEqualTo("unexpected data after the push request object\n");
        HttpResponse<String> four = pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + NOW_NS
                + "\",\"l\",{},\"extra\"]]}]}");
        assertThat(four.statusCode()).isEqualTo(400);
        assertThat(four.body()).isEqualTo("array must contains 2 or 3 values\n");
        HttpResponse<String> one = pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + NOW_NS
                + "\"]]}]}");
        assertThat(one.body()).isEqualTo("log line must be a string, got end of array\n");
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void missingContentTypeIs400AndUnknownTypeIs415() {
        byte[] body = utf8(jsonPush("{\"app\":\"x\"}", NOW_NS, "l"));
        HttpResponse<String> missing = push(loki, null, body);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).isEqualTo("mime: no media type\n");
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");

        HttpResponse<String> text = push(loki, "text/plain", body);
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void streamsWithoutValuesAreSkippedAndSucceed() {
        HttpResponse<String> r = pushJson(loki, "{\"streams\":[{\"stream\":{},\"values\":[]},{\"stream\":{\"a\":\"b\"}}]}");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void nonPostOnPushPathIs405AndRecorded() {
        HttpResponse<String> r = TestHttp.get(loki, FakeLoki.PUSH_PATH, TestHttp.params());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(loki.requests()).extracting(FakeLoki.Request::method).containsExactly("GET");
    }
}
