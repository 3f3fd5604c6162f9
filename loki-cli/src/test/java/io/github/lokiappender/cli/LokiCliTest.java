package io.github.lokiappender.cli;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line against the in-process Loki stand-in: arguments, output formats, errors and exit codes. */
class LokiCliTest {

    /** 2024-01-01T00:00:00Z. */
    static final long T0 = 1_704_067_200_000_000_000L;
    static final Clock AT_T0_PLUS_30M = Clock.fixed(Instant.parse("2024-01-01T00:30:00Z"), ZoneOffset.UTC);

    private FakeLoki loki;
    private final Map<String, String> env = new HashMap<>();

    static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new LokiCli(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), AT_T0_PLUS_30M).run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result run(String... args) {
        return run(env, args);
    }

    @AfterEach
    void stop() {
        if (loki != null) {
            loki.close();
        }
    }

    /** Pushes through the appender's own pipeline, as an application would. */
    private static void seed(FakeLoki loki, String tenant, LokiEvent... events) {
        LokiConfig.Builder b = LokiConfig.builder().url(loki.url()).tenantId(tenant);
        LokiPipeline p = LokiPipeline.start(b.build(), StatusReporter.NONE);
        for (LokiEvent e : events) {
            assertThat(p.offer(e)).isTrue();
        }
        StatsSnapshot stats = p.close(Duration.ofSeconds(10));
        assertThat(stats.delivered()).isEqualTo(events.length);
    }

    private static LokiEvent event(long ts, String line, String labels, String... metadata) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String pair : labels.split(",")) {
            String[] nv = pair.split("=", 2);
            m.put(nv[0], nv[1]);
        }
        return LokiEvent.of(ts, line, LabelSet.of(m), metadata);
    }

    private void startShop() {
        loki = FakeLoki.builder().rejectOldSamplesMaxAgeNanos(0).start();
        env.put("LOKI_URL", loki.url());
        seed(loki, null,
                event(T0 + 1, "GET /cart 200", "app=shop,env=prod"),
                event(T0 + 2, "POST /pay error: declined", "app=shop,env=prod", "trace_id", "4bf92f35"),
                event(T0 + 1_000_000_001L, "GET /home 200", "app=shop,env=prod"),
                event(T0 + 3, "invoice error", "app=billing,env=prod"));
    }

    @Test
    void helpPrintsTheUsage() {
        Result r = run("--help");
        assertThat(r.code).isZero();
        assertThat(r.out).isEqualTo(LokiCli.USAGE);
        assertThat(r.err).isEmpty();
        assertThat(run("query", "-h").out).isEqualTo(LokiCli.USAGE);
    }

    @Test
    void queryPrintsNewestFirstWithTimestampLabelsMetadataAndLine() {
        startShop();
        Result r = run("query", "{app=\"shop\"}");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).isEqualTo(""
                + "2024-01-01T00:00:01.000000001Z {app=\"shop\", env=\"prod\"} GET /home 200\n"
                + "2024-01-01T00:00:00.000000002Z {app=\"shop\", env=\"prod\"} {trace_id=\"4bf92f35\"} POST /pay error: declined\n"
                + "2024-01-01T00:00:00.000000001Z {app=\"shop\", env=\"prod\"} GET /cart 200\n");
        assertThat(r.err).isEmpty();
    }

    @Test
    void queryForwardWithLineFilterAndLimit() {
        startShop();
        Result r = run("query", "{env=\"prod\"} |= \"error\"", "--forward", "--limit", "1");
        assertThat(r.out).isEqualTo("2024-01-01T00:00:00.000000002Z {app=\"shop\", env=\"prod\"} {trace_id=\"4bf92f35\"}"
                + " POST /pay error: declined\n");
        Result two = run("--limit=2", "--forward", "query", "{env=\"prod\"} |= \"error\"");
        assertThat(two.out).isEqualTo(""
                + "2024-01-01T00:00:00.000000002Z {app=\"shop\", env=\"prod\"} {trace_id=\"4bf92f35\"} POST /pay error: declined\n"
                + "2024-01-01T00:00:00.000000003Z {app=\"billing\", env=\"prod\"} invoice error\n");
    }

    @Test
    void queryPagesBeyondOneRequestUpToTheLimit() {
        loki = FakeLoki.builder().rejectOldSamplesMaxAgeNanos(0).start();
        LokiEvent[] events = new LokiEvent[12];
        for (int i = 0; i < events.length; i++) {
            events[i] = event(T0 + i / 2, "line " + i, "app=shop"); // pairs share a timestamp
        }
        seed(loki, null, events);
        Result all = run("--url", loki.url(), "query", "{app=\"shop\"}", "--forward", "--limit", "1000");
        assertThat(all.out.lines()).hasSize(12).allSatisfy(l -> assertThat(l).contains("{app=\"shop\"} line "));
        Result some = run("--url", loki.url(), "query", "{app=\"shop\"}", "--limit", "5");
        assertThat(some.out.lines()).extracting(l -> l.substring(0, 30)).containsExactly("2024-01-01T00:00:00.000000005Z",
                "2024-01-01T00:00:00.000000005Z", "2024-01-01T00:00:00.000000004Z", "2024-01-01T00:00:00.000000004Z",
                "2024-01-01T00:00:00.000000003Z");
    }

    @Test
    void queryTimeRangeFromTo() {
        startShop();
        Result r = run("query", "{app=\"shop\"}", "--from", "2024-01-01T00:00:00.000000002Z", "--to", "2024-01-01T00:00:01Z");
        assertThat(r.out).isEqualTo("2024-01-01T00:00:00.000000002Z {app=\"shop\", env=\"prod\"} {trace_id=\"4bf92f35\"}"
                + " POST /pay error: declined\n");
        Result outside = run("query", "{app=\"shop\"}", "--since", "10m");
        assertThat(outside.code).isZero();
        assertThat(outside.out).isEmpty();
    }

    @Test
    void queryAsJsonLines() {
        startShop();
        Result r = run("query", "{app=\"shop\"}", "--forward", "--limit", "2", "-o", "jsonl");
        assertThat(r.out).isEqualTo(""
                + "{\"timestamp\":\"2024-01-01T00:00:00.000000001Z\",\"timestamp_ns\":\"1704067200000000001\","
                + "\"labels\":{\"app\":\"shop\",\"env\":\"prod\"},\"structured_metadata\":{},\"parsed\":{},\"line\":\"GET /cart 200\"}\n"
                + "{\"timestamp\":\"2024-01-01T00:00:00.000000002Z\",\"timestamp_ns\":\"1704067200000000002\","
                + "\"labels\":{\"app\":\"shop\",\"env\":\"prod\"},\"structured_metadata\":{\"trace_id\":\"4bf92f35\"},"
                + "\"parsed\":{},\"line\":\"POST /pay error: declined\"}\n");
    }

    @Test
    void instantMetricQuery() {
        startShop();
        Result r = run("instant", "sum by (app) (count_over_time({env=\"prod\"}[1h]))");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).isEqualTo(""
                + "2024-01-01T00:30:00.000000000Z {app=\"billing\"} 1\n"
                + "2024-01-01T00:30:00.000000000Z {app=\"shop\"} 3\n");
        Result json = run("instant", "sum(count_over_time({app=\"shop\"}[1m]))", "--time", "2024-01-01T00:00:30Z",
                "--output", "jsonl");
        assertThat(json.out).isEqualTo("{\"timestamp\":\"2024-01-01T00:00:30.000000000Z\",\"timestamp_ns\":"
                + "\"1704067230000000000\",\"metric\":{},\"value\":\"3\"}\n");
    }

    @Test
    void labelsLabelValuesAndSeries() {
        startShop();
        assertThat(run("labels").out).isEqualTo("app\nenv\n");
        assertThat(run("label-values", "app").out).isEqualTo("billing\nshop\n");
        assertThat(run("label-values", "app", "-o", "jsonl").out).isEqualTo("\"billing\"\n\"shop\"\n");
        assertThat(run("labels", "--since", "1m").out).isEmpty();
        assertThat(run("series", "{app=\"shop\"}", "{app=\"billing\"}").out)
                .isEqualTo("{app=\"billing\", env=\"prod\"}\n{app=\"shop\", env=\"prod\"}\n");
        assertThat(run("series", "{app=\"billing\"}", "--output", "jsonl").out).isEqualTo("{\"app\":\"billing\",\"env\":\"prod\"}\n");
    }

    @Test
    void readyAndBuildInfo() {
        loki = FakeLoki.builder().lokiVersion("3.1.0").start();
        env.put("LOKI_URL", loki.url());
        Result ready = run("ready");
        assertThat(ready.code).isZero();
        assertThat(ready.out).isEqualTo("ready\n");
        assertThat(run("build-info").out).isEqualTo("version:   3.1.0\nrevision:  fake-loki\nbranch:    HEAD\n"
                + "buildUser: loki-test-support\nbuildDate: \ngoVersion: \n");
        loki.setDown(true);
        Result down = run("ready", "--output", "jsonl");
        assertThat(down.code).isEqualTo(1);
        assertThat(down.out).isEqualTo("{\"ready\":false,\"detail\":\"503 Ingester not ready: the stand-in is set down\"}\n");
        assertThat(run("ready").out).isEqualTo("not ready: 503 Ingester not ready: the stand-in is set down\n");
    }

    @Test
    void lokiErrorsExitWithOneAndSayWhy() {
        startShop();
        Result bad = run("query", "{}");
        assertThat(bad.code).isEqualTo(1);
        assertThat(bad.out).isEmpty();
        assertThat(bad.err).isEqualTo("error: Loki answered 400 to GET /loki/api/v1/query_range: parse error at line 1,"
                + " col 2: syntax error: unexpected }, expecting IDENTIFIER\n");
        String url = loki.url();
        loki.close();
        loki = null;
        Result gone = run("--url", url, "--retries", "0", "labels");
        assertThat(gone.code).isEqualTo(1);
        assertThat(gone.err).isEqualTo("error: cannot connect to Loki at " + url + " for GET /loki/api/v1/labels:"
                + " connection refused or host unreachable\n");
    }

    @Test
    void usageErrorsExitWithTwo() {
        String[][] cases = {
                {},
                {"frobnicate"},
                {"labels", "--colour"},
                {"labels", "-x"},
                {"query"},
                {"query", "{app=\"a\"}", "|=", "\"x\""},
                {"labels", "extra"},
                {"series"},
                {"query", "{app=\"a\"}", "--limit", "0"},
                {"query", "{app=\"a\"}", "--since", "5x"},
                {"query", "{app=\"a\"}", "--since", "1h", "--from", "2024-01-01T00:00:00Z"},
                {"query", "{app=\"a\"}", "--from", "2024-01-01T02:00:00Z", "--to", "2024-01-01T01:00:00Z"},
                {"query", "{app=\"a\"}", "--from", "yesterday"},
                {"labels", "--output", "xml"},
                {"labels", "--limit"},
                {"labels", "--forward=yes"},
                {"labels", "--tenant", "a", "--tenant", "b"},
                {"labels", "--username", "u"},
                {"labels", "--tenant", "a b"},
                {"labels", "--url", "localhost:3100"},
                {"labels", "--retries", "-1"},
        };
        String[] expected = {
                "loki-cli: no command given: query, instant, labels, label-values, series, ready or build-info",
                "loki-cli: unknown command 'frobnicate': use query, instant, labels, label-values, series, ready or build-info",
                "loki-cli: unknown option --colour",
                "loki-cli: unknown option -x",
                "loki-cli: query takes one argument, the LogQL query",
                "loki-cli: query takes one argument, the LogQL query, but got 3 (quote the query: '{app=\"shop\"} |= \"error\"')",
                "loki-cli: labels takes no arguments, but got 'extra'",
                "loki-cli: series needs at least one selector, e.g. '{app=\"shop\"}'",
                "loki-cli: --limit expects a positive number, not '0'",
                "loki-cli: --since expects a duration such as 90s, 15m, 1h30m or 7d, not '5x'",
                "loki-cli: use either --since or --from, not both",
                "loki-cli: --from 2024-01-01T02:00:00Z is after --to 2024-01-01T01:00:00Z",
                "loki-cli: --from expects an RFC3339 time such as 2024-01-01T10:00:00Z (or 'now', or epoch seconds or"
                        + " nanoseconds), not 'yesterday'",
                "loki-cli: --output must be text or jsonl, not 'xml'",
                "loki-cli: --limit needs a value",
                "loki-cli: --forward takes no value",
                "loki-cli: --tenant is given twice",
                "loki-cli: 'username' and 'password' must be set together (HTTP basic auth)",
                "loki-cli: 'tenantId' may only contain letters, digits and !-_.*'() (and '|' between tenants) but has ' '",
                "loki-cli: 'url' must start with http:// or https://, was 'localhost:3100'",
                "loki-cli: --retries expects a number >= 0, not '-1'",
        };
        for (int i = 0; i < cases.length; i++) {
            Result r = run(cases[i]);
            assertThat(r.code).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(r.out).isEmpty();
            assertThat(r.err).as(String.join(" ", cases[i])).isEqualTo(expected[i] + "\nRun with --help for usage.\n");
        }
    }

    @Test
    void severalTenantsFromTheEnvironmentOrTheCommandLine() {
        loki = FakeLoki.builder().rejectOldSamplesMaxAgeNanos(0).requireTenant(true).start();
        seed(loki, "team-a", event(T0 + 1, "from a", "app=shop"));
        seed(loki, "team-b", event(T0 + 2, "from b", "app=shop"));
        env.put("LOKI_URL", loki.url());
        env.put("LOKI_TENANT", "team-a");
        assertThat(run("query", "{app=\"shop\"}").out).isEqualTo("2024-01-01T00:00:00.000000001Z {app=\"shop\"} from a\n");
        assertThat(run("query", "{app=\"shop\"}", "--tenant", "team-a|team-b", "--forward").out).isEqualTo(""
                + "2024-01-01T00:00:00.000000001Z {__tenant_id__=\"team-a\", app=\"shop\"} from a\n"
                + "2024-01-01T00:00:00.000000002Z {__tenant_id__=\"team-b\", app=\"shop\"} from b\n");
        env.remove("LOKI_TENANT");
        Result none = run("labels");
        assertThat(none.code).isEqualTo(1);
        assertThat(none.err).isEqualTo("error: Loki answered 401 to GET /loki/api/v1/labels: no org id"
                + " (check tenantId / username / password / bearerToken)\n");
    }

    @Test
    void basicAuthFromTheEnvironmentAndBearerTokenFromTheCommandLine() {
        loki = FakeLoki.builder().basicAuth("123456", "glc_secret").start();
        env.put("LOKI_URL", loki.url());
        assertThat(run("labels").code).isEqualTo(1);
        env.put("LOKI_USERNAME", "123456");
        env.put("LOKI_PASSWORD", "glc_secret");
        Result ok = run("labels");
        assertThat(ok.code).as(ok.toString()).isZero();
        // command-line credentials replace the environment's as a whole
        Result wrong = run("labels", "--bearer-token", "nope");
        assertThat(wrong.code).isEqualTo(1);
        assertThat(wrong.err).startsWith("error: Loki answered 401");
        loki.close();
        loki = FakeLoki.builder().bearerToken("tok").start();
        assertThat(run("--url", loki.url(), "--bearer-token", "tok", "ready").code).isZero();
        assertThat(run("--url", loki.url(), "--bearer-token", "tok", "labels").code).isZero();
        assertThat(run("--url", loki.url(), "--bearer-token=tok", "build-info").out).startsWith("version:   3.4.0\n");
    }

    @Test
    void insecureModeWarnsOnStandardError() {
        loki = FakeLoki.start();
        Result r = run("--url", loki.url(), "--insecure", "ready");
        assertThat(r.code).isZero();
        assertThat(r.err).startsWith("warning: insecureSkipTlsVerify is on: the Loki query client accepts any TLS certificate");
    }
}
