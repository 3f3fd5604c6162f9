package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.NOW;
import static io.github.lokiappender.testsupport.TestHttp.NOW_NS;
import static io.github.lokiappender.testsupport.TestHttp.PROTOBUF;
import static io.github.lokiappender.testsupport.TestHttp.jsonPush;
import static io.github.lokiappender.testsupport.TestHttp.push;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loki's push validation rules; every invalid case also checks that valid entries of the request are stored. */
class ValidationTest {
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final String VALID = "{\"stream\":{\"app\":\"ok\"},\"values\":[[\"" + NOW_NS + "\",\"kept\"]]}";

    private FakeLoki loki = start(FakeLoki.builder());

    private static FakeLoki start(FakeLoki.Builder builder) {
        return builder.clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
    }

    @AfterEach
    void stop() {
        loki.close();
    }

    /** Pushes one stream with the given labels object plus a valid stream, returns the response. */
    private HttpResponse<String> pushWithValid(String labelsJson, long ts, String line) {
        return pushJson(loki, "{\"streams\":[{\"stream\":" + labelsJson + ",\"values\":[[\"" + ts + "\",\"" + line
                + "\"]]}," + VALID + "]}");
    }

    private void assertPartial(HttpResponse<String> r, String expectedBody) {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(expectedBody + "\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("kept");
    }

    @Test
    void streamWithoutLabelsIsRejected() {
        assertPartial(pushWithValid("{}", NOW_NS, "x"), "error at least one label pair is required per stream");
    }

    @Test
    void emptyLabelValuesAreDroppedLikeLokiAndAllEmptyMeansNoLabels() {
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\",\"env\":\"\"}", NOW_NS, "l")).statusCode()).isEqualTo(204);
        assertThat(loki.entries().get(0).labels()).containsExactly(Map.entry("app", "x"));
        loki.clear();
        assertPartial(pushWithValid("{\"env\":\"\"}", NOW_NS, "x"), "error at least one label pair is required per stream");
    }

    @Test
    void invalidLabelNameSyntaxIsRejected() {
        assertPartial(pushWithValid("{\"app-name\":\"x\"}", NOW_NS, "x"),
                "invalid label name 'app-name' for stream '{app-name=\"x\"}': names must match [a-zA-Z_][a-zA-Z0-9_]*");
        loki.clear();
        assertPartial(pushWithValid("{\"1app\":\"x\"}", NOW_NS, "x"),
                "invalid label name '1app' for stream '{1app=\"x\"}': names must match [a-zA-Z_][a-zA-Z0-9_]*");
    }

    @Test
    void reservedDoubleUnderscoreNamesAreRejected() {
        assertPartial(pushWithValid("{\"app\":\"x\",\"__name__\":\"y\"}", NOW_NS, "x"),
                "invalid label name '__name__' for stream '{__name__=\"y\", app=\"x\"}': names starting with __ are "
                        + "reserved for internal use");
    }

    @Test
    void duplicateLabelNamesAreRejectedInProtobufAndJson() {
        byte[] proto = Proto.push(
                Proto.stream("{app=\"a\", app=\"b\"}", Proto.entry(NOW.getEpochSecond(), 0, "dup")),
                Proto.stream("{app=\"ok\"}", Proto.entry(NOW.getEpochSecond(), 0, "kept")));
        assertPartial(push(loki, PROTOBUF, TestSnappy.literalOnly(proto)),
                "stream '{app=\"a\", app=\"b\"}' has duplicate label name: 'app'");
        loki.clear();
        assertPartial(pushWithValid("{\"env\":\"a\",\"env\":\"b\"}", NOW_NS, "x"),
                "stream '{env=\"a\", env=\"b\"}' has duplicate label name: 'env'");
    }

    @Test
    void labelNameAndValueLengthsAreLimitedInBytes() {
        String longName = "n".repeat(1025);
        assertPartial(pushWithValid("{\"" + longName + "\":\"x\"}", NOW_NS, "x"),
                "stream '{" + longName + "=\"x\"}' has label name too long: '" + longName + "'");
        loki.clear();
        String longValue = "é".repeat(1025); // 2050 bytes, 1025 chars
        assertPartial(pushWithValid("{\"app\":\"" + longValue + "\"}", NOW_NS, "x"),
                "stream '{app=\"" + longValue + "\"}' has label value too long: '" + longValue + "'");
        loki.clear();
        String maxName = "n".repeat(1024);
        String maxValue = "v".repeat(2048);
        assertThat(pushJson(loki, jsonPush("{\"" + maxName + "\":\"" + maxValue + "\"}", NOW_NS, "x")).statusCode())
                .isEqualTo(204);
    }

    @Test
    void tooManyLabelNamesIsRejectedButServiceNameDoesNotCount() {
        String sixteen = IntStream.range(0, 16).mapToObj(i -> "\"l" + (char) ('a' + i) + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        HttpResponse<String> r = pushWithValid(sixteen, NOW_NS, "x");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("entry for stream '{la=\"v\", lb=\"v\", ").endsWith("' has 16 label names; limit 15\n");
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("kept");

        String fifteenPlusService = IntStream.range(0, 15).mapToObj(i -> "\"l" + (char) ('a' + i) + "\":\"v\"")
                .collect(Collectors.joining(",", "{\"service_name\":\"s\",", "}"));
        assertThat(pushJson(loki, jsonPush(fifteenPlusService, NOW_NS, "y")).statusCode()).isEqualTo(204);
    }

    @Test
    void labelNameLimitIsConfigurable() {
        loki.close();
        loki = start(FakeLoki.builder().maxLabelNamesPerSeries(1));
        assertPartial(pushWithValid("{\"a\":\"1\",\"b\":\"2\"}", NOW_NS, "x"),
                "entry for stream '{a=\"1\", b=\"2\"}' has 2 label names; limit 1");
    }

    @Test
    void lineLongerThan256KiBIsRejectedPerEntryCountingUtf8Bytes() {
        String exact = "x".repeat(256 * 1024);
        String tooLong = "é".repeat(128 * 1024) + "x"; // 262145 bytes
        String body = "{\"streams\":[{\"stream\":{\"app\":\"big\"},\"values\":[[\"" + NOW_NS + "\",\"" + exact + "\"],[\""
                + (NOW_NS + 1) + "\",\"" + tooLong + "\"]]}," + VALID + "]}";
        HttpResponse<String> r = pushJson(loki, body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("Max entry size '262144' bytes exceeded for stream '{app=\"big\"}' while adding an "
                + "entry with length '262145' bytes\n");
        assertThat(loki.entries()).extracting(e -> e.line().length()).containsExactly(262144, 4);
    }

    @Test
    void lineLimitIsConfigurableAndZeroMeansUnlimited() {
        loki.close();
        loki = start(FakeLoki.builder().maxLineBytes(0));
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "y".repeat(300_000))).statusCode()).isEqualTo(204);
        loki.close();
        loki = start(FakeLoki.builder().maxLineBytes(4)); // "kept" is exactly 4 bytes
        assertPartial(pushWithValid("{\"app\":\"x\"}", NOW_NS, "fives"),
                "Max entry size '4' bytes exceeded for stream '{app=\"x\"}' while adding an entry with length '5' bytes");
    }

    @Test
    void entriesOlderThanSevenDaysAreRejected() {
        long sevenDays = Duration.ofDays(7).toNanos();
        assertPartial(pushWithValid("{\"app\":\"old\"}", NOW_NS - sevenDays - 1, "x"),
                "entry for stream '{app=\"old\"}' has timestamp too old: 2024-11-16T23:59:59Z, oldest acceptable "
                        + "timestamp is: 2024-11-17T00:00:00Z");
        loki.clear();
        assertThat(pushJson(loki, jsonPush("{\"app\":\"old\"}", NOW_NS - sevenDays, "edge")).statusCode()).isEqualTo(204);
    }

    @Test
    void maxAgeIsConfigurableAndZeroDisablesIt() {
        loki.close();
        loki = start(FakeLoki.builder().rejectOldSamplesMaxAge(Duration.ofMinutes(1)));
        assertPartial(pushWithValid("{\"app\":\"old\"}", NOW_NS - 61_000_000_000L, "x"),
                "entry for stream '{app=\"old\"}' has timestamp too old: 2024-11-23T23:58:59Z, oldest acceptable "
                        + "timestamp is: 2024-11-23T23:59:00Z");
        loki.close();
        loki = start(FakeLoki.builder().rejectOldSamplesMaxAgeNanos(0));
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", 1, "ancient")).statusCode()).isEqualTo(204);
    }

    @Test
    void entriesMoreThanTenMinutesAheadAreRejected() {
        long tenMinutes = Duration.ofMinutes(10).toNanos();
        assertPartial(pushWithValid("{\"app\":\"new\"}", NOW_NS + tenMinutes + 1_000_000_000L, "x"),
                "entry for stream '{app=\"new\"}' has timestamp too new: 2024-11-24T00:10:01Z");
        loki.clear();
        assertThat(pushJson(loki, jsonPush("{\"app\":\"new\"}", NOW_NS + tenMinutes, "edge")).statusCode()).isEqualTo(204);
    }

    @Test
    void structuredMetadataIsLimitedTo64KiBAnd128Entries() {
        String big = "m".repeat(64 * 1024);
        assertPartial(pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + NOW_NS + "\",\"l\",{\"k\":\""
                        + big + "\"}]]}," + VALID + "]}"),
                "stream '{app=\"x\"}' has structured metadata too large: '65537' bytes, limit: '65536' bytes. Please see "
                        + "`limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it.");
        loki.clear();
        String many = IntStream.range(0, 129).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(",", "{", "}"));
        assertPartial(pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + NOW_NS + "\",\"l\","
                        + many + "]]}," + VALID + "]}"),
                "stream '{app=\"x\"}' has too many structured metadata labels: '129', limit: '128'. Please see "
                        + "`limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to "
                        + "increase it.");
    }

    @Test
    void severalErrorsAreListedOnePerLineAndValidEntriesOfTheSameStreamAreKept() {
        String body = "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + (NOW_NS - 1) + "\",\"good 1\"],[\"1\","
                + "\"too old\"],[\"" + NOW_NS + "\",\"good 2\"]]},{\"stream\":{},\"values\":[[\"" + NOW_NS + "\",\"n\"]]}]}";
        HttpResponse<String> r = pushJson(loki, body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("entry for stream '{app=\"x\"}' has timestamp too old: 1970-01-01T00:00:00Z, oldest "
                + "acceptable timestamp is: 2024-11-17T00:00:00Z\nerror at least one label pair is required per stream\n");
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("good 1", "good 2");
        assertThat(loki.requests().get(0).entryCount()).isEqualTo(4);
    }

    @Test
    void duplicatesOfStoredEntriesAreDroppedSilently() {
        String body = jsonPush("{\"app\":\"x\"}", NOW_NS, "same", NOW_NS, "same", NOW_NS, "other line", NOW_NS - 1, "same");
        assertThat(pushJson(loki, body).statusCode()).isEqualTo(204);
        assertThat(loki.entryCount()).isEqualTo(3);
        assertThat(loki.duplicatesDropped()).isEqualTo(1);

        // A retry of a request that was in fact stored does no harm.
        assertThat(pushJson(loki, body).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("same", "other line", "same");
        assertThat(loki.duplicatesDropped()).isEqualTo(5);

        // Same timestamp and line in another stream is not a duplicate.
        assertThat(pushJson(loki, jsonPush("{\"app\":\"y\"}", NOW_NS, "same")).statusCode()).isEqualTo(204);
        assertThat(loki.entryCount()).isEqualTo(4);
    }

    @Test
    void outOfOrderIsAcceptedWithinAnHourOfTheNewestEntryOnly() {
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "newest")).statusCode()).isEqualTo(204);
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS - HOUR_NS, "exactly an hour")).statusCode()).isEqualTo(204);

        HttpResponse<String> r = pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS - HOUR_NS - 1, "too far",
                NOW_NS - 5, "fine"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("entry with timestamp 2024-11-23 22:59:59.999999999 +0000 UTC ignored, reason: "
                + "'entry too far behind, entry timestamp is: 2024-11-23T22:59:59Z, oldest acceptable timestamp is: "
                + "2024-11-23T23:00:00Z',\nuser 'fake', total ignored: 1 out of 2 for stream: {app=\"x\"}\n");
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("newest", "exactly an hour", "fine");

        // Another stream has its own window.
        assertThat(pushJson(loki, jsonPush("{\"app\":\"y\"}", NOW_NS - 2 * HOUR_NS, "own stream")).statusCode()).isEqualTo(204);
    }

    @Test
    void requestAboveIngestionBurstIs429AsAWhole() {
        loki.close();
        loki = start(FakeLoki.builder().ingestionBurstBytes(10));
        HttpResponse<String> r = pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "123456", NOW_NS + 1, "12345"));
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).isEqualTo("Ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec) while "
                + "attempting to ingest '2' lines totaling '11' bytes, reduce log volume or contact your Loki "
                + "administrator to see if the limit can be increased\n");
        assertThat(loki.entryCount()).isZero();
        assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "1234567890")).statusCode()).isEqualTo(204);
    }

    @Test
    void defaultBurstOf6MiBRejectsLargerRequests() {
        String line = "z".repeat(200 * 1024);
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 31; i++) { // 31 * 200 KiB = 6.05 MiB
            values.append(i == 0 ? "" : ",").append("[\"").append(NOW_NS - i).append("\",\"").append(line).append("\"]");
        }
        HttpResponse<String> r = pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[" + values + "]}]}");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).contains("'31' lines totaling '6348800' bytes");
        assertThat(loki.entryCount()).isZero();
    }

    @Test
    void streamLimitRejectsNewStreamsWith429AndKeepsExistingOnes() {
        loki.close();
        loki = start(FakeLoki.builder().maxStreams(1));
        assertThat(pushJson(loki, jsonPush("{\"app\":\"a\"}", NOW_NS, "first")).statusCode()).isEqualTo(204);
        HttpResponse<String> r = pushJson(loki, "{\"streams\":[{\"stream\":{\"app\":\"b\"},\"values\":[[\"" + NOW_NS
                + "\",\"new stream\"]]},{\"stream\":{\"app\":\"a\"},\"values\":[[\"" + (NOW_NS + 1) + "\",\"existing\"]]}]}");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).isEqualTo("Maximum active stream limit exceeded when trying to create stream {app=\"b\"}, "
                + "reduce the number of active streams (reduce labels or reduce label values), or contact your Loki "
                + "administrator to see if the limit can be increased, user: 'fake'\n");
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("first", "existing");
    }

    @Test
    void emptyRequestIs422FromLoki34() {
        HttpResponse<String> r = pushJson(loki, "{\"streams\":[]}");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).isEqualTo("error at least one valid stream is required for ingestion\n");
        assertThat(push(loki, PROTOBUF, TestSnappy.literalOnly(new byte[0])).statusCode()).isEqualTo(422);
    }
}
