package io.github.lokiappender.core.query;

import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.github.lokiappender.core.query.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every operation of the query client against the in-process Loki stand-in. */
class LokiQueryClientTest {

    private static final Instant START = LokiTimes.toInstant(T0);
    private static final Instant END = START.plusSeconds(3600);

    private FakeLoki loki;
    private LokiQueryClient client;

    @AfterEach
    void stop() {
        Seed.AUTH.remove();
        if (client != null) {
            client.close();
        }
        if (loki != null) {
            loki.close();
        }
    }

    private void start(FakeLoki.Builder b) {
        loki = b.start();
        client = LokiQueryClient.builder().url(loki.url()).maxRetries(0).build();
    }

    private void seedShop() {
        Seed.push()
                .stream("app=shop,env=prod",
                        T0 + 1, "GET /cart 200",
                        T0 + 2, "POST /pay error: declined", Map.of("trace_id", "4bf92f35"),
                        T0 + 1_000_000_001L, "GET /home 200")
                .stream("app=shop,env=dev", T0 + 2, "dev error")
                .stream("app=billing,env=prod", T0 + 3, "invoice error")
                .to(loki);
    }

    @Test
    void queryRangeReturnsTypedStreamsWithExactTimestampsAndMetadata() {
        start(Seed.fakeLoki());
        seedShop();
        QueryResult r = client.queryRange("{app=\"shop\"}", START, END, 100, Direction.FORWARD);
        assertThat(r.type()).isEqualTo(QueryResult.Type.STREAMS);
        assertThat(r.streams()).extracting(LogStream::labels).containsExactly(
                Map.of("app", "shop", "env", "dev"), Map.of("app", "shop", "env", "prod"));
        LogStream prod = r.streams().get(1);
        assertThat(prod.entries()).extracting(LogEntry::timestampNanos).containsExactly(T0 + 1, T0 + 2, T0 + 1_000_000_001L);
        assertThat(prod.entries()).extracting(LogEntry::line).containsExactly("GET /cart 200", "POST /pay error: declined", "GET /home 200");
        assertThat(prod.entries().get(1).structuredMetadata()).containsExactly(Map.entry("trace_id", "4bf92f35"));
        assertThat(prod.entries().get(2).timestamp()).isEqualTo(Instant.parse("2024-01-01T00:00:01.000000001Z"));
        assertThat(r.entryCount()).isEqualTo(4);
    }

    @Test
    void queryRangeBoundsAreNanosecondExactStartInclusiveEndExclusive() {
        start(Seed.fakeLoki());
        seedShop();
        QueryResult r = client.queryRange("{env=\"prod\"}", START.plusNanos(2), START.plusNanos(1_000_000_001L), 100,
                Direction.FORWARD);
        assertThat(LogPager.inOrder(r, Direction.FORWARD)).extracting(LogEntry::line)
                .containsExactly("POST /pay error: declined", "invoice error");
    }

    @Test
    void lineFiltersLimitAndDirection() {
        start(Seed.fakeLoki());
        seedShop();
        QueryResult errors = client.queryRange("{env=~\".+\"} |= \"error\"", START, END, 100, Direction.BACKWARD);
        assertThat(LogPager.inOrder(errors, Direction.BACKWARD)).extracting(LogEntry::line)
                .containsExactly("invoice error", "dev error", "POST /pay error: declined"); // a tie: by stream labels
        QueryResult newest = client.queryRange("{app=\"shop\"}", START, END, 1, Direction.BACKWARD);
        assertThat(newest.entryCount()).isEqualTo(1);
        assertThat(newest.streams().get(0).entries().get(0).line()).isEqualTo("GET /home 200");
        QueryResult oldest = client.queryRange("{app=\"shop\"}", START, END, 1, Direction.FORWARD);
        assertThat(oldest.streams().get(0).entries().get(0).line()).isEqualTo("GET /cart 200");
    }

    @Test
    void badSelectorSurfacesLokisAnswer() {
        start(Seed.fakeLoki());
        assertThatThrownBy(() -> client.queryRange("{}", START, END, 10, Direction.FORWARD))
                .isInstanceOfSatisfying(LokiQueryException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.body()).isEqualTo("parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER");
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.isConnectionFailure()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("Loki answered 400 to GET /loki/api/v1/query_range: " + e.body());
                });
        assertThatThrownBy(() -> client.queryRange("{app=~\".*\"}", START, END, 10, Direction.FORWARD))
                .isInstanceOfSatisfying(LokiQueryException.class, e -> assertThat(e.body())
                        .startsWith("parse error : queries require at least one regexp or equality matcher"));
    }

    @Test
    void limitAboveTheServersMaximumIsA400() {
        start(Seed.fakeLoki());
        assertThatThrownBy(() -> client.queryRange("{app=\"shop\"}", START, END, 5001, Direction.FORWARD))
                .isInstanceOfSatisfying(LokiQueryException.class, e -> assertThat(e.body())
                        .isEqualTo("max entries limit per query exceeded, limit > max_entries_limit (5001 > 5000)"));
    }

    @Test
    void instantMetricQueriesGiveVectors() {
        start(Seed.fakeLoki());
        seedShop();
        Instant at = START.plusSeconds(60);
        QueryResult perStream = client.query("count_over_time({app=\"shop\"}[5m])", at);
        assertThat(perStream.type()).isEqualTo(QueryResult.Type.VECTOR);
        assertThat(perStream.series()).extracting(MetricSeries::metric)
                .containsExactly(Map.of("app", "shop", "env", "dev"), Map.of("app", "shop", "env", "prod"));
        assertThat(perStream.series()).extracting(s -> s.sample().value()).containsExactly("1", "3");
        assertThat(perStream.series().get(0).sample().timestamp()).isEqualTo(at);

        QueryResult byApp = client.query("sum by (app) (count_over_time({env=~\".+\"} |= \"error\" [5m]))", at);
        assertThat(byApp.series()).hasSize(2);
        assertThat(byApp.series().get(0).metric()).containsExactly(Map.entry("app", "billing"));
        assertThat(byApp.series().get(0).sample().doubleValue()).isEqualTo(1.0);
        assertThat(byApp.series().get(1).metric()).containsExactly(Map.entry("app", "shop"));
        assertThat(byApp.series().get(1).sample().doubleValue()).isEqualTo(2.0);

        QueryResult total = client.query("sum(count_over_time({app=\"shop\"}[5m]))", at);
        assertThat(total.series()).singleElement().satisfies(s -> {
            assertThat(s.metric()).isEmpty();
            assertThat(s.sample().value()).isEqualTo("4");
        });
    }

    @Test
    void instantLogQueryIsRejectedByLoki32AndLater() {
        start(Seed.fakeLoki());
        assertThatThrownBy(() -> client.query("{app=\"shop\"}", END))
                .isInstanceOfSatisfying(LokiQueryException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.body()).contains("log queries are not supported as an instant query type");
                });
    }

    @Test
    void labelsLabelValuesAndSeries() {
        start(Seed.fakeLoki());
        seedShop();
        assertThat(client.labels(START, END)).containsExactly("app", "env");
        assertThat(client.labels(START, END, "{app=\"billing\"}")).containsExactly("app", "env");
        assertThat(client.labelValues("app", START, END)).containsExactly("billing", "shop");
        assertThat(client.labelValues("env", START, END, "{app=\"billing\"}")).containsExactly("prod");
        assertThat(client.labelValues("missing", START, END)).isEmpty();
        // outside the data: Loki leaves "data" out, the client gives an empty list
        assertThat(client.labels(END, END.plusSeconds(60))).isEmpty();

        List<Map<String, String>> series = client.series(List.of("{app=\"shop\"}", "{app=\"billing\"}"), START, END);
        assertThat(series).containsExactly(Map.of("app", "billing", "env", "prod"), Map.of("app", "shop", "env", "dev"),
                Map.of("app", "shop", "env", "prod"));
        assertThat(client.series(List.of("{env=\"dev\"}"), START, END)).containsExactly(Map.of("app", "shop", "env", "dev"));
    }

    @Test
    void readyAndBuildInfo() {
        start(Seed.fakeLoki().lokiVersion("2.9.4"));
        assertThat(client.ready()).isTrue();
        BuildInfo info = client.buildInfo();
        assertThat(info.version()).isEqualTo("2.9.4");
        assertThat(info.isAtLeast(2, 9)).isTrue();
        assertThat(info.isAtLeast(3, 0)).isFalse();
        loki.setDown(true);
        assertThat(client.ready()).isFalse();
        assertThatThrownBy(client::checkReady).isInstanceOfSatisfying(LokiQueryException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.body()).isEqualTo("Ingester not ready: the stand-in is set down");
            assertThat(e.attempts()).isEqualTo(1);
        });
    }

    @Test
    void readyThrowsWhenLokiCannotBeReached() {
        start(Seed.fakeLoki());
        String url = loki.url();
        loki.close();
        try (LokiQueryClient gone = LokiQueryClient.builder().url(url).maxRetries(0).build()) {
            assertThatThrownBy(gone::ready).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.status()).isZero();
                assertThat(e.isConnectionFailure()).isTrue();
                assertThat(e.getMessage()).startsWith("cannot connect to Loki at " + url + " for GET /ready");
            });
        }
    }

    @Test
    void severalTenantsInOneQueryCarryTheTenantLabel() {
        start(Seed.fakeLoki().requireTenant(true));
        Seed.push().stream("app=shop", T0 + 1, "from a").to(loki, "team-a");
        Seed.push().stream("app=shop", T0 + 2, "from b").to(loki, "team-b");
        Seed.push().stream("app=shop", T0 + 3, "from c").to(loki, "team-c");
        try (LokiQueryClient both = LokiQueryClient.builder().url(loki.url()).tenantId("team-a|team-b").build()) {
            QueryResult r = both.queryRange("{app=\"shop\"}", START, END, 100, Direction.FORWARD);
            assertThat(LogPager.inOrder(r, Direction.FORWARD)).extracting(e -> e.labels().get("__tenant_id__") + ":" + e.line())
                    .containsExactly("team-a:from a", "team-b:from b");
            assertThat(both.labelValues("__tenant_id__", START, END)).containsExactly("team-a", "team-b");
        }
        try (LokiQueryClient one = LokiQueryClient.builder().url(loki.url()).tenantId("team-c").build()) {
            QueryResult r = one.queryRange("{app=\"shop\"}", START, END, 100, Direction.FORWARD);
            assertThat(r.streams()).singleElement().satisfies(s -> {
                assertThat(s.labels()).containsExactly(Map.entry("app", "shop"));
                assertThat(s.entries()).extracting(LogEntry::line).containsExactly("from c");
            });
        }
        assertThatThrownBy(() -> client.labels(START, END)).isInstanceOfSatisfying(LokiQueryException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.body()).isEqualTo("no org id");
            assertThat(e.getMessage()).endsWith("(check tenantId / username / password / bearerToken)");
        });
    }

    @Test
    void basicAuth() {
        start(Seed.fakeLoki().basicAuth("123456", "glc_token"));
        Seed.AUTH.set("Basic " + java.util.Base64.getEncoder().encodeToString("123456:glc_token".getBytes()));
        seedShop();
        try (LokiQueryClient authed = LokiQueryClient.builder().url(loki.url()).basicAuth("123456", "glc_token").build()) {
            assertThat(authed.labelValues("app", START, END)).containsExactly("billing", "shop");
        }
        try (LokiQueryClient wrong = LokiQueryClient.builder().url(loki.url()).basicAuth("123456", "wrong").build()) {
            assertThatThrownBy(() -> wrong.labels(START, END)).isInstanceOfSatisfying(LokiQueryException.class,
                    e -> assertThat(e.status()).isEqualTo(401));
        }
        assertThatThrownBy(() -> client.buildInfo()).isInstanceOfSatisfying(LokiQueryException.class,
                e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void bearerToken() {
        start(Seed.fakeLoki().bearerToken("s3cret"));
        Seed.AUTH.set("Bearer s3cret");
        seedShop();
        try (LokiQueryClient authed = LokiQueryClient.builder().url(loki.url()).bearerToken("s3cret").build()) {
            assertThat(authed.queryRange("{app=\"billing\"}", START, END, 10, Direction.FORWARD).entryCount()).isEqualTo(1);
        }
        assertThatThrownBy(() -> client.queryRange("{app=\"billing\"}", START, END, 10, Direction.FORWARD))
                .isInstanceOfSatisfying(LokiQueryException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void aVeryLongQueryGoesAsAFormBody() {
        start(Seed.fakeLoki());
        String needle = "x".repeat(5000);
        Seed.push().stream("app=shop", T0 + 1, "a " + needle + " b", T0 + 2, "no").to(loki);
        QueryResult r = client.queryRange("{app=\"shop\"} |= \"" + needle + "\"", START, END, 10, Direction.FORWARD);
        assertThat(r.streams()).singleElement().satisfies(s ->
                assertThat(s.entries()).extracting(LogEntry::timestampNanos).containsExactly(T0 + 1));
    }

    @Test
    void settingsOfAnAppenderConfigAreReusedWithATenantOverride() {
        start(Seed.fakeLoki().requireTenant(true));
        Seed.push().stream("app=shop", T0 + 1, "a").to(loki, "a");
        Seed.push().stream("app=shop", T0 + 2, "b").to(loki, "b");
        io.github.lokiappender.core.http.HttpSettings pushSettings = io.github.lokiappender.core.http.HttpSettings.builder()
                .url(loki.url() + "/loki/api/v1/push").tenantId("a").build();
        try (LokiQueryClient sameTenant = LokiQueryClient.builder().settings(pushSettings).build();
             LokiQueryClient both = LokiQueryClient.builder().settings(pushSettings).tenantId("a|b").build()) {
            assertThat(sameTenant.tenantId()).isEqualTo("a");
            assertThat(sameTenant.queryRange("{app=\"shop\"}", START, END, 10, Direction.FORWARD).entryCount()).isEqualTo(1);
            assertThat(both.queryRange("{app=\"shop\"}", START, END, 10, Direction.FORWARD).entryCount()).isEqualTo(2);
        }
    }

    @Test
    void builderValidatesEverythingAtOnceAndKeepsPushValidationStrict() {
        assertThatThrownBy(() -> LokiQueryClient.builder().tenantId("a||b").maxRetries(-1).maxEntriesLimit(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'url' is required (Loki's base URL, e.g. http://localhost:3100); 'tenantId' 'a||b' has an"
                        + " empty tenant id; join several with '|' as in 'a|b'; 'maxRetries' must be >= 0, was -1;"
                        + " 'maxEntriesLimit' must be >= 1, was 0");
        assertThatThrownBy(() -> LokiQueryClient.builder().url("http://localhost:3100").tenantId("a|b c").build())
                .hasMessage("'tenantId' may only contain letters, digits and !-_.*'() (and '|' between tenants) but has ' '");
        assertThatThrownBy(() -> LokiQueryClient.builder().url("http://localhost:3100")
                .settings(io.github.lokiappender.core.http.HttpSettings.builder().url("http://x").build()).build())
                .hasMessageStartingWith("set either 'settings' or the individual connection options");
        assertThatThrownBy(() -> LokiQueryClient.builder().url("http://localhost:3100")
                .retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .hasMessage("'retryBackoff' needs 0 < min <= max, was PT2S and PT1S");
        // the push side still accepts exactly one tenant
        assertThatThrownBy(() -> io.github.lokiappender.core.http.HttpSettings.builder().url("http://localhost:3100")
                .tenantId("a|b").build())
                .hasMessageContaining("'tenantId' names several tenants ('|'); a push goes to exactly one tenant");
        try (LokiQueryClient c = LokiQueryClient.builder().url("http://localhost:3100").tenantId("a|b").build()) {
            assertThat(c.tenantId()).isEqualTo("a|b");
            assertThat(c.settings().tenantId()).isNull();
        }
    }

    @Test
    void argumentsAreCheckedBeforeAnyRequest() {
        try (LokiQueryClient c = LokiQueryClient.builder().url("http://127.0.0.1:9").build()) {
            assertThatThrownBy(() -> c.queryRange(" ", START, END, 10, Direction.FORWARD))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a LogQL query or selector is required");
            assertThatThrownBy(() -> c.queryRange("{a=\"b\"}", END, START, 10, Direction.FORWARD))
                    .hasMessage("'end' 2024-01-01T00:00:00Z is before 'start' 2024-01-01T01:00:00Z");
            assertThatThrownBy(() -> c.queryRange("{a=\"b\"}", START, END, Duration.ZERO)).hasMessage("'step' must be positive, was PT0S");
            assertThatThrownBy(() -> c.entryIterator("{a=\"b\"}", START, END, Direction.FORWARD, 5001))
                    .hasMessage("'pageSize' must be between 1 and maxEntriesLimit 5000, was 5001");
            assertThatThrownBy(() -> c.labelValues(" ", START, END)).hasMessage("a label name is required");
        }
    }

    @Test
    void insecureModeIsReportedOnceWhenTheClientIsBuilt() {
        RecordingStatus status = new RecordingStatus();
        try (LokiQueryClient c = LokiQueryClient.builder().url("https://loki.example:3100").insecureSkipTlsVerify(true)
                .status(status).build()) {
            assertThat(c.settings().insecureSkipTlsVerify()).isTrue();
        }
        assertThat(status.messages).containsExactly("WARN insecureSkipTlsVerify is on: the Loki query client accepts any TLS"
                + " certificate and host name for https://loki.example:3100; anyone on the network path can read and alter"
                + " the answers. Use caCertificatePath instead outside of tests");
    }
}
