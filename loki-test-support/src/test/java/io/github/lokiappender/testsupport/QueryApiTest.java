package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.NOW;
import static io.github.lokiappender.testsupport.TestHttp.NOW_NS;
import static io.github.lokiappender.testsupport.TestHttp.get;
import static io.github.lokiappender.testsupport.TestHttp.params;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Read API against a fixed data set; the clock is fixed so default ranges are deterministic. */
class QueryApiTest {
    private static final long MIN = 60_000_000_000L;
    private static final String RANGE = "/loki/api/v1/query_range";
    private static final String INSTANT = "/loki/api/v1/query";
    private static FakeLoki loki;

    @BeforeAll
    static void load() {
        loki = FakeLoki.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
        String body = """
                {"streams":[
                 {"stream":{"app":"shop","env":"prod"},"values":[
                   ["%d","GET /a"],["%d","error: db timeout",{"trace_id":"t1"}],["%d","GET /b"]]},
                 {"stream":{"app":"shop","env":"dev"},"values":[["%d","debug x"],["%d","error dev"]]},
                 {"stream":{"app":"billing"},"values":[["%d","invoice"]]},
                 {"stream":{"app":"eq"},"values":[["%d","a"],["%d","b"],["%d","c"]]},
                 {"stream":{"app":"old"},"values":[["%d","two hours ago"]]}
                ]}""".formatted(NOW_NS - 30 * MIN, NOW_NS - 20 * MIN, NOW_NS - 10 * MIN,
                NOW_NS - 25 * MIN, NOW_NS - 20 * MIN, NOW_NS - 15 * MIN,
                NOW_NS - 5 * MIN, NOW_NS - 5 * MIN, NOW_NS - 5 * MIN, NOW_NS - 120 * MIN);
        assertThat(pushJson(loki, body).statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        loki.close();
    }

    private static String ts(long minutesAgo) {
        return "\"" + (NOW_NS - minutesAgo * MIN) + "\"";
    }

    private static String streams(String result) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[" + result + "],\"stats\":{}}}";
    }

    private static HttpResponse<String> ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=UTF-8");
        return r;
    }

    @Test
    void queryRangeDefaultsToBackwardOverTheLastHourWithStreamsSortedByLabels() {
        HttpResponse<String> r = ok(get(loki, RANGE, params("query", "{app=\"shop\"}")));
        assertThat(r.body()).isEqualTo(streams(
                "{\"stream\":{\"app\":\"shop\",\"env\":\"dev\"},\"values\":[[" + ts(20) + ",\"error dev\"],[" + ts(25)
                        + ",\"debug x\"]]},"
                        + "{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":[[" + ts(10) + ",\"GET /b\"],[" + ts(20)
                        + ",\"error: db timeout\",{\"trace_id\":\"t1\"}],[" + ts(30) + ",\"GET /a\"]]}"));
    }

    @Test
    void forwardDirectionAndLimitAcrossStreams() {
        HttpResponse<String> forward = ok(get(loki, RANGE, params("query", "{app=\"shop\"}", "direction", "forward",
                "limit", "2")));
        assertThat(forward.body()).isEqualTo(streams(
                "{\"stream\":{\"app\":\"shop\",\"env\":\"dev\"},\"values\":[[" + ts(25) + ",\"debug x\"]]},"
                        + "{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":[[" + ts(30) + ",\"GET /a\"]]}"));

        HttpResponse<String> backward = ok(get(loki, RANGE, params("query", "{app=\"shop\"}", "limit", "1")));
        assertThat(backward.body()).isEqualTo(streams(
                "{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":[[" + ts(10) + ",\"GET /b\"]]}"));
    }

    @Test
    void startIsInclusiveAndEndExclusiveInEveryTimeFormat() {
        String expected = streams(
                "{\"stream\":{\"app\":\"shop\",\"env\":\"dev\"},\"values\":[[" + ts(20) + ",\"error dev\"]]},"
                        + "{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":[[" + ts(20)
                        + ",\"error: db timeout\",{\"trace_id\":\"t1\"}]]}");
        long startNs = NOW_NS - 20 * MIN;
        long endNs = NOW_NS - 10 * MIN;
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"shop\"}", "start", Long.toString(startNs),
                "end", Long.toString(endNs)))).body()).isEqualTo(expected);
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"shop\"}", "start", Long.toString(startNs / 1_000_000_000L),
                "end", "2024-11-23T23:50:00Z"))).body()).isEqualTo(expected);
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"shop\"}", "start", (startNs / 1_000_000_000L) + ".000",
                "end", "2024-11-23T23:50:00.000000000Z"))).body()).isEqualTo(expected);
        // end one nanosecond later includes the entry exactly at the old end
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"shop\", env=\"prod\"}", "start", Long.toString(endNs),
                "end", Long.toString(endNs + 1)))).body()).contains("GET /b");
    }

    @Test
    void sinceWidensTheDefaultRange() {
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"old\"}"))).body()).isEqualTo(streams(""));
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"old\"}", "since", "3h"))).body())
                .contains("two hours ago");
    }

    @Test
    void equalTimestampsKeepArrivalOrderForwardAndReverseItBackward() {
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"eq\"}", "direction", "FORWARD"))).body())
                .isEqualTo(streams("{\"stream\":{\"app\":\"eq\"},\"values\":[[" + ts(5) + ",\"a\"],[" + ts(5) + ",\"b\"],["
                        + ts(5) + ",\"c\"]]}"));
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"eq\"}", "direction", "backward"))).body())
                .isEqualTo(streams("{\"stream\":{\"app\":\"eq\"},\"values\":[[" + ts(5) + ",\"c\"],[" + ts(5) + ",\"b\"],["
                        + ts(5) + ",\"a\"]]}"));
        // Paginating forward: the next page starts at the last timestamp + 1 ns.
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"eq\"}", "direction", "forward",
                "start", Long.toString(NOW_NS - 5 * MIN + 1)))).body()).isEqualTo(streams(""));
    }

    @Test
    void matchersAndLineFilters() {
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"shop\"} |= \"error\" != \"dev\""))).body())
                .isEqualTo(streams("{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":[[" + ts(20)
                        + ",\"error: db timeout\",{\"trace_id\":\"t1\"}]]}"));
        assertThat(ok(get(loki, RANGE, params("query", "{env=~\"pr.*\"} |~ \"GET /[ab]\"", "direction", "forward"))).body())
                .isEqualTo(streams("{\"stream\":{\"app\":\"shop\",\"env\":\"prod\"},\"values\":[[" + ts(30) + ",\"GET /a\"],["
                        + ts(10) + ",\"GET /b\"]]}"));
        assertThat(ok(get(loki, RANGE, params("query", "{app=~\"shop|billing\", env!=\"prod\", app!~\"sh.*\"}"))).body())
                .isEqualTo(streams("{\"stream\":{\"app\":\"billing\"},\"values\":[[" + ts(15) + ",\"invoice\"]]}"));
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"nothing\"}"))).body()).isEqualTo(streams(""));
    }

    @Test
    void queryRangeErrorsAre400PlainText() {
        assertError(get(loki, RANGE, params("query", "{}")),
                "parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER");
        assertError(get(loki, RANGE, params("query", "{app=~\".*\"}")),
                "parse error : queries require at least one regexp or equality matcher that does not have an "
                        + "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
                        + "app=~\".+\" will");
        assertError(get(loki, RANGE, params("query", "{app=\"shop\"}", "limit", "5001")),
                "max entries limit per query exceeded, limit > max_entries_limit (5001 > 5000)");
        assertThat(ok(get(loki, RANGE, params("query", "{app=\"shop\"}", "limit", "5000"))).body()).contains("GET /a");
        assertError(get(loki, RANGE, params("query", "{app=\"shop\"}", "start", "200", "end", "100")),
                "end timestamp must not be before or equal to start time");
        assertError(get(loki, RANGE, params()), "parse error : syntax error: unexpected $end");
        assertError(get(loki, RANGE, params("query", "{app=\"shop\"}", "direction", "sideways")),
                "invalid direction 'sideways'");
        assertError(get(loki, RANGE, params("query", "{app=\"shop\"}", "start", "yesterday")),
                "invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp");
        assertError(get(loki, RANGE, params("query", "{app=\"shop\"} | json")),
                "unsupported by stand-in: pipeline stage at col 14 (only |= != |~ !~ line filters are implemented)");
    }

    private static void assertError(HttpResponse<String> r, String message) {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(message + "\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    }

    @Test
    void queryRangeAcceptsFormPost() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(loki.url() + RANGE))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + TestHttp.enc("{app=\"billing\"}")))
                .build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("invoice");
    }

    @Test
    void labelsAndLabelValuesAreSortedAndDataIsOmittedWhenEmpty() {
        assertThat(ok(get(loki, "/loki/api/v1/labels", params())).body())
                .isEqualTo("{\"status\":\"success\",\"data\":[\"app\",\"env\"]}");
        assertThat(ok(get(loki, "/loki/api/v1/label/app/values", params())).body())
                .isEqualTo("{\"status\":\"success\",\"data\":[\"billing\",\"eq\",\"shop\"]}");
        assertThat(ok(get(loki, "/loki/api/v1/label/app/values", params("since", "3h"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":[\"billing\",\"eq\",\"old\",\"shop\"]}");
        assertThat(ok(get(loki, "/loki/api/v1/label/env/values", params("query", "{app=\"shop\"}"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":[\"dev\",\"prod\"]}");
        assertThat(ok(get(loki, "/loki/api/v1/labels", params("start", "1", "end", "2"))).body())
                .isEqualTo("{\"status\":\"success\"}");
        assertThat(ok(get(loki, "/loki/api/v1/label/nope/values", params())).body()).isEqualTo("{\"status\":\"success\"}");
    }

    @Test
    void seriesWithRepeatedMatchers() {
        HttpResponse<String> r = ok(TestHttp.get(loki, "/loki/api/v1/series",
                params("match[]", "{app=\"shop\"}", "match[]", "{app=\"billing\"}")));
        assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":[{\"app\":\"billing\"},"
                + "{\"app\":\"shop\",\"env\":\"dev\"},{\"app\":\"shop\",\"env\":\"prod\"}]}");
        String all = "{\"status\":\"success\",\"data\":[{\"app\":\"billing\"},{\"app\":\"eq\"},"
                + "{\"app\":\"shop\",\"env\":\"dev\"},{\"app\":\"shop\",\"env\":\"prod\"}]}";
        assertThat(ok(get(loki, "/loki/api/v1/series", params("match[]", "{}"))).body()).isEqualTo(all);
        assertThat(ok(get(loki, "/loki/api/v1/series", params())).body()).isEqualTo(all);
        assertThat(ok(get(loki, "/loki/api/v1/series", params("match[]", "{app=\"none\"}"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }

    @Test
    void instantMetricQueriesReturnVectors() {
        assertThat(ok(get(loki, INSTANT, params("query", "count_over_time({app=\"shop\"}[15m])"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                        + "{\"app\":\"shop\",\"env\":\"prod\"},\"value\":[1732406400,\"1\"]}],\"stats\":{}}}");
        assertThat(ok(get(loki, INSTANT, params("query", "sum(count_over_time({app=\"shop\"}[1h]))"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                        + "\"value\":[1732406400,\"5\"]}],\"stats\":{}}}");
        assertThat(ok(get(loki, INSTANT, params("query", "sum by (env) (count_over_time({app=\"shop\"} |= \"error\" [1h]))",
                "time", "1732406400.5"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                        + "{\"metric\":{\"env\":\"dev\"},\"value\":[1732406400.5,\"1\"]},"
                        + "{\"metric\":{\"env\":\"prod\"},\"value\":[1732406400.5,\"1\"]}],\"stats\":{}}}");
        // The range is left-open: an entry exactly at time - range is outside, one nanosecond later it is inside.
        String prodGetB = "count_over_time({app=\"shop\", env=\"prod\"} |= \"GET /b\" [10m])";
        assertThat(ok(get(loki, INSTANT, params("query", prodGetB, "time", Long.toString(NOW_NS)))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[],\"stats\":{}}}");
        assertThat(ok(get(loki, INSTANT, params("query", prodGetB, "time", Long.toString(NOW_NS - 1)))).body())
                .contains("\"value\":[1732406399.999999999,\"1\"]");
        assertThat(ok(get(loki, INSTANT, params("query", "sum(count_over_time({app=\"nothing\"}[1h]))"))).body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[],\"stats\":{}}}");
    }

    @Test
    void instantLogQueryAndUnsupportedQueriesAre400() {
        assertError(get(loki, INSTANT, params("query", "{app=\"shop\"}")),
                "log queries are not supported as an instant query type, please change your query to a range query type");
        assertError(get(loki, INSTANT, params("query", "rate({app=\"shop\"}[5m])")),
                "unsupported by stand-in: function or aggregation 'rate'");
        assertError(get(loki, RANGE, params("query", "count_over_time({app=\"shop\"}[5m])")),
                "unsupported by stand-in: metric queries on query_range (use /query)");
    }

    @Test
    void readyBuildInfoAndUnknownPaths() {
        HttpResponse<String> ready = get(loki, "/ready", params());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
        assertThat(ok(get(loki, "/loki/api/v1/status/buildinfo", params())).body()).startsWith("{\"version\":\"3.4.0\",");
        assertThat(get(loki, "/nope", params()).statusCode()).isEqualTo(404);
        assertThat(get(loki, "/loki/api/v1/tail", params()).statusCode()).isEqualTo(404);
        assertThat(loki.requests()).extracting(FakeLoki.Request::path).containsOnly(FakeLoki.PUSH_PATH);
    }
}
