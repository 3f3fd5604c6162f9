package io.github.lokiappender.core.query;

import io.github.lokiappender.core.http.RecordingStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.lokiappender.core.query.ScriptedServer.drop;
import static io.github.lokiappender.core.query.ScriptedServer.hang;
import static io.github.lokiappender.core.query.ScriptedServer.reply;
import static io.github.lokiappender.core.query.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retries, errors and what goes on the wire, against a scripted HTTP server (the stand-in scripts
 * failures for pushes only). Waits are recorded by an injected sleeper, not spent.
 */
class QueryRetryAndWireTest {

    private static final Instant START = LokiTimes.toInstant(T0 + 1);
    private static final Instant END = LokiTimes.toInstant(T0 + 3_600_000_000_000L);
    private static final String LABELS_OK = "{\"status\":\"success\",\"data\":[\"app\"]}";

    private ScriptedServer server;
    private final List<Long> sleeps = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final RecordingStatus status = new RecordingStatus();

    @BeforeEach
    void startServer() {
        server = new ScriptedServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** Backoff without jitter: 100 ms doubling up to 10 s; sleeping advances the fake clock. */
    private LokiQueryClient.Builder client() {
        return LokiQueryClient.builder().url(server.url()).status(status)
                .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(10))
                .random(bound -> bound - 1)
                .nanoTime(clock::get)
                .sleeper(nanos -> {
                    sleeps.add(nanos);
                    clock.addAndGet(nanos);
                    return false;
                });
    }

    @Test
    void fiveHundredsAndTooManyRequestsAreRetriedWithBackoff() {
        server.then(reply(503, "unavailable"), reply(502, "bad gateway"), reply(429, "slow down"), reply(200, LABELS_OK));
        try (LokiQueryClient c = client().build()) {
            assertThat(c.labels(START, END)).containsExactly("app");
        }
        assertThat(server.requests()).hasSize(4);
        assertThat(sleeps).containsExactly(100_000_000L, 200_000_000L, 400_000_000L);
        assertThat(status.messages).hasSize(3);
        assertThat(status.messages.get(0)).isEqualTo("INFO query to Loki failed (Loki answered 503 to GET"
                + " /loki/api/v1/labels: unavailable); retry 1 of 5 in 100 ms");
    }

    @Test
    void retryAfterIsHonoured() {
        server.then(reply(429, "rate limited", "Retry-After", "3"), reply(200, LABELS_OK));
        try (LokiQueryClient c = client().build()) {
            assertThat(c.labels(null, null)).containsExactly("app");
        }
        assertThat(sleeps).containsExactly(3_000_000_000L);
    }

    @Test
    void retriesAreBoundedByCount() {
        server.otherwise(reply(503, "ingester not ready\n"));
        try (LokiQueryClient c = client().maxRetries(2).build()) {
            assertThatThrownBy(() -> c.labels(START, END)).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.body()).isEqualTo("ingester not ready");
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.getMessage()).isEqualTo("Loki answered 503 to GET /loki/api/v1/labels: ingester not ready"
                        + " (after 3 attempts)");
            });
        }
        assertThat(server.requests()).hasSize(3);
        assertThat(sleeps).containsExactly(100_000_000L, 200_000_000L);
    }

    @Test
    void retriesAreBoundedByTotalTime() {
        server.otherwise(reply(500, "boom"));
        // waits 100, 200, 400, 800 ms: the fourth would end 1.5 s after the first attempt
        try (LokiQueryClient c = client().maxRetries(10).maxRetryTime(Duration.ofMillis(1400)).build()) {
            assertThatThrownBy(() -> c.buildInfo()).isInstanceOfSatisfying(LokiQueryException.class,
                    e -> assertThat(e.attempts()).isEqualTo(4));
        }
        assertThat(sleeps).containsExactly(100_000_000L, 200_000_000L, 400_000_000L);
    }

    @Test
    void otherClientErrorsAreNotRetried() {
        server.then(reply(400, "parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER\n",
                "Content-Type", "text/plain; charset=utf-8"));
        try (LokiQueryClient c = client().build()) {
            assertThatThrownBy(() -> c.queryRange("{}", START, END, 10, Direction.FORWARD))
                    .isInstanceOfSatisfying(LokiQueryException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.body()).isEqualTo("parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER");
                        assertThat(e.attempts()).isEqualTo(1);
                    });
        }
        assertThat(server.requests()).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void notFoundHintsAtTheUrl() {
        server.then(reply(404, "404 page not found"));
        try (LokiQueryClient c = client().build()) {
            assertThatThrownBy(c::buildInfo).hasMessage("Loki answered 404 to GET /loki/api/v1/status/buildinfo: 404 page"
                    + " not found (is 'url' Loki's base URL, without a path such as /loki/api/v1?)");
        }
    }

    @Test
    void droppedConnectionsAreRetried() {
        // the JDK client itself retries a GET once on a closed connection; three drops get past that
        server.then(drop(), drop(), drop(), reply(200, "{\"version\":\"3.4.2\"}"));
        try (LokiQueryClient c = client().build()) {
            assertThat(c.buildInfo().version()).isEqualTo("3.4.2");
        }
        assertThat(server.requests()).hasSize(4);
        assertThat(sleeps).isNotEmpty();
    }

    @Test
    void refusedConnectionsAreRetriedThenReported() {
        String url = server.url();
        server.close();
        try (LokiQueryClient c = client().url(url).maxRetries(2).build()) {
            assertThatThrownBy(c::buildInfo).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.isConnectionFailure()).isTrue();
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.getMessage()).startsWith("cannot connect to Loki at " + url
                        + " for GET /loki/api/v1/status/buildinfo: ").endsWith(" (after 3 attempts)");
            });
        }
        assertThat(sleeps).containsExactly(100_000_000L, 200_000_000L);
    }

    @Test
    void aQueryThatOutlastsTheRequestTimeoutIsNotRetried() {
        server.then(hang());
        try (LokiQueryClient c = client().requestTimeout(Duration.ofMillis(300)).build()) {
            assertThatThrownBy(() -> c.labels(START, END)).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.status()).isZero();
                assertThat(e.attempts()).isEqualTo(1);
                assertThat(e.getMessage()).isEqualTo("no answer from Loki at " + server.url()
                        + " to GET /loki/api/v1/labels within 300 ms (requestTimeout)");
            });
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void interruptDuringARetryWaitStopsAtOnce() {
        server.then(reply(503, "x"));
        try (LokiQueryClient c = client().sleeper(n -> {
            throw new InterruptedException();
        }).build()) {
            assertThatThrownBy(() -> c.labels(START, END)).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
                assertThat(e.status()).isEqualTo(503);
            });
            assertThat(Thread.interrupted()).isTrue(); // the flag is kept (and cleared here)
        }
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void queryRangeParametersAndHeadersOnTheWire() {
        server.otherwise(reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[]}}"));
        try (LokiQueryClient c = client().tenantId("team-a|team-b").bearerToken("tok").header("X-Extra", "1").build()) {
            c.queryRange("{app=\"shop\"} |= \"a b&c\"", START, END, 250, Direction.FORWARD);
            c.queryRange("sum(rate({app=\"shop\"}[1m]))", START, END, Duration.ofMillis(1500));
            c.query("sum(count_over_time({app=\"shop\"}[5m]))", LokiTimes.toInstant(T0 + 7));
            c.labels(null, null);
        }
        List<ScriptedServer.Seen> seen = server.requests();
        assertThat(seen).extracting(s -> s.method + " " + s.path).containsExactly("GET /loki/api/v1/query_range",
                "GET /loki/api/v1/query_range", "GET /loki/api/v1/query", "GET /loki/api/v1/labels");
        assertThat(seen.get(0).paramList()).containsExactly("query={app=\"shop\"} |= \"a b&c\"",
                "start=1704067200000000001", "end=1704070800000000000", "limit=250", "direction=forward");
        assertThat(seen.get(1).paramList()).containsExactly("query=sum(rate({app=\"shop\"}[1m]))",
                "start=1704067200000000001", "end=1704070800000000000", "step=1.5");
        assertThat(seen.get(2).paramList()).containsExactly("query=sum(count_over_time({app=\"shop\"}[5m]))",
                "time=1704067200000000007");
        assertThat(seen.get(3).paramList()).isEmpty();
        for (ScriptedServer.Seen s : seen) {
            assertThat(s.header("X-Scope-OrgID")).isEqualTo("team-a|team-b");
            assertThat(s.header("Authorization")).isEqualTo("Bearer tok");
            assertThat(s.header("X-Extra")).isEqualTo("1");
        }
        assertThat(seen).extracting(s -> s.header("X-Loki-Response-Encoding-Flags"))
                .containsExactly("categorize-labels", "categorize-labels", "categorize-labels", null);
    }

    @Test
    void categorizeLabelsCanBeTurnedOff() {
        server.otherwise(reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[]}}"));
        try (LokiQueryClient c = client().categorizeLabels(false).build()) {
            c.queryRange("{app=\"shop\"}", START, END, 10, Direction.BACKWARD);
        }
        assertThat(server.requests().get(0).header("X-Loki-Response-Encoding-Flags")).isNull();
    }

    @Test
    void seriesAndLabelValuesRequests() {
        server.otherwise(reply(200, "{\"status\":\"success\",\"data\":[{\"app\":\"shop\"}]}"));
        try (LokiQueryClient c = client().build()) {
            assertThat(c.series(List.of("{app=\"shop\"}", "{app=\"billing\"}"), START, END))
                    .containsExactly(Map.of("app", "shop"));
        }
        assertThat(server.requests().get(0).paramList()).containsExactly("match[]={app=\"shop\"}",
                "match[]={app=\"billing\"}", "start=1704067200000000001", "end=1704070800000000000");
        server.otherwise(reply(200, LABELS_OK));
        try (LokiQueryClient c = client().build()) {
            c.labelValues("service_name", START, null, "{app=\"shop\"}");
        }
        assertThat(server.requests().get(1).path).isEqualTo("/loki/api/v1/label/service_name/values");
        assertThat(server.requests().get(1).paramList()).containsExactly("start=1704067200000000001", "query={app=\"shop\"}");
    }

    @Test
    void aMetricQueryGivesAMatrixAndCannotBeIterated() {
        server.otherwise(reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"level\":\"error\"},\"values\":[[1704067200,\"1\"],[1704067260,\"2\"]]}]}}"));
        try (LokiQueryClient c = client().build()) {
            QueryResult r = c.queryRange("sum by (level) (count_over_time({app=\"shop\"}[1m]))", START, END, Duration.ofMinutes(1));
            assertThat(r.type()).isEqualTo(QueryResult.Type.MATRIX);
            assertThat(r.series()).singleElement().satisfies(s -> {
                assertThat(s.metric()).containsExactly(Map.entry("level", "error"));
                assertThat(s.samples()).extracting(Sample::timestamp, Sample::value).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Instant.parse("2024-01-01T00:00:00Z"), "1"),
                        org.assertj.core.groups.Tuple.tuple(Instant.parse("2024-01-01T00:01:00Z"), "2"));
            });
            assertThatThrownBy(() -> c.entries("count_over_time({app=\"shop\"}[1m])", START, END, Direction.FORWARD).count())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'count_over_time({app=\"shop\"}[1m])' is a metric query (Loki answered with a matrix);"
                            + " only log queries can be iterated, use queryRange(query, start, end, step)");
        }
    }

    @Test
    void categorizedAnswersAreTyped() {
        server.otherwise(reply(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"encodingFlags\":"
                + "[\"categorize-labels\"],\"result\":[{\"stream\":{\"service_name\":\"shop\"},\"values\":[[\"1704067200000000005\","
                + "\"level=warn msg=slow\",{\"structuredMetadata\":{\"trace_id\":\"abc\"},\"parsed\":{\"level\":\"warn\"}}]]}]}}"));
        try (LokiQueryClient c = client().build()) {
            LogEntry e = c.entries("{service_name=\"shop\"} | logfmt", START, END, Direction.FORWARD).findFirst().orElseThrow();
            assertThat(e.labels()).containsExactly(Map.entry("service_name", "shop"));
            assertThat(e.structuredMetadata()).containsExactly(Map.entry("trace_id", "abc"));
            assertThat(e.parsedLabels()).containsExactly(Map.entry("level", "warn"));
            assertThat(e.timestampNanos()).isEqualTo(T0 + 5);
        }
    }

    @Test
    void anUnreadableAnswerIsATypedError() {
        server.otherwise(reply(200, "<html>gateway login</html>"));
        try (LokiQueryClient c = client().build()) {
            assertThatThrownBy(() -> c.labels(START, END)).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.status()).isEqualTo(200);
                assertThat(e.body()).isEqualTo("<html>gateway login</html>");
                assertThat(e.getMessage()).startsWith("cannot read Loki's answer to /loki/api/v1/labels: ");
            });
        }
    }

    @Test
    void instantsNearTheEpochAreSentAsRfc3339() {
        server.otherwise(reply(200, LABELS_OK));
        try (LokiQueryClient c = client().build()) {
            c.labels(Instant.parse("1970-01-01T00:00:01.5Z"), Instant.parse("2024-01-01T00:00:00Z"));
        }
        assertThat(server.requests().get(0).paramList())
                .containsExactly("start=1970-01-01T00:00:01.500Z", "end=1704067200000000000");
    }
}
