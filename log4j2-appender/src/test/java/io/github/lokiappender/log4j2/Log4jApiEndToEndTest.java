package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.http.InternalThreads;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.MarkerManager;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.github.lokiappender.log4j2.Log4jTestSupport.loki;
import static io.github.lokiappender.log4j2.Log4jTestSupport.startXml;
import static io.github.lokiappender.log4j2.Log4jTestSupport.xml;
import static org.assertj.core.api.Assertions.assertThat;

/** The appender declared in log4j2.xml (and .properties), used through the Log4j API, against the Loki stand-in. */
class Log4jApiEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private FakeLoki loki;
    private LoggerContext ctx;

    @BeforeEach
    void startLoki() {
        loki = FakeLoki.start();
    }

    @AfterEach
    void stopAll() {
        Log4jTestSupport.stop(ctx);
        ThreadContext.clearAll();
        loki.close();
    }

    @Test
    void labelsFromStaticValuesLookupsLevelThreadContextAndMarkers() {
        System.setProperty("loki.test.zone", "zone-7");
        try {
            ctx = startXml(dir, "labels", xml(loki.url(), "flushIntervalMs=\"20\"",
                    "<PatternLayout pattern=\"%msg\"/>"
                            + "<Label name=\"app\" value=\"shop\"/>"
                            + "<Label name=\"env\" value=\"${env:LOKI_APPENDER_TEST_UNSET:-dev}\"/>"
                            + "<Label name=\"zone\" value=\"${sys:loki.test.zone}\"/>"
                            + "<Label name=\"host\" value=\"${hostName}\"/>"
                            + "<Label name=\"level\" pattern=\"%level\"/>"
                            + "<Label name=\"tenant\" pattern=\"%X{tenant}\"/>"
                            + "<Label name=\"marker\" pattern=\"%marker\"/>"
                            + "<Label name=\"logger\" pattern=\"%logger{1}\"/>"));
        } finally {
            System.clearProperty("loki.test.zone");
        }
        String host = ctx.getConfiguration().getStrSubstitutor().replace("${hostName}");
        Logger log = ctx.getLogger("shop.orders.Checkout");

        log.info("plain");
        ThreadContext.put("tenant", "acme");
        log.warn(MarkerManager.getMarker("AUDIT"), "audited");
        ThreadContext.remove("tenant");
        log.debug("debugging");
        loki.awaitEntries(3, WAIT);

        Map<String, String> fixed = new LinkedHashMap<>();
        fixed.put("app", "shop");
        fixed.put("env", "dev");
        fixed.put("host", host);
        fixed.put("logger", "Checkout");
        fixed.put("zone", "zone-7");
        assertThat(host).isNotBlank().doesNotContain("${");
        assertThat(byLine(loki.entries())).containsOnlyKeys("plain", "audited", "debugging");
        assertThat(byLine(loki.entries()).get("plain").labels()).isEqualTo(with(fixed, "level", "INFO"));
        assertThat(byLine(loki.entries()).get("audited").labels())
                .isEqualTo(with(with(with(fixed, "level", "WARN"), "tenant", "acme"), "marker", "AUDIT"));
        assertThat(byLine(loki.entries()).get("debugging").labels()).isEqualTo(with(fixed, "level", "DEBUG"));
    }

    @Test
    void structuredMetadataFromPatternsAndValues() {
        ctx = startXml(dir, "metadata", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"
                        + "<StructuredMetadata name=\"trace_id\" pattern=\"%X{trace_id}\"/>"
                        + "<StructuredMetadata name=\"thread\" pattern=\"%thread\"/>"
                        + "<StructuredMetadata name=\"region\" value=\"eu-1\"/>"));
        Logger log = ctx.getLogger("shop.orders");

        ThreadContext.put("trace_id", "4bf92f3577b34da6");
        log.info("traced");
        ThreadContext.clearAll();
        log.info("untraced");
        loki.awaitEntries(2, WAIT);

        Map<String, String> traced = new LinkedHashMap<>();
        traced.put("trace_id", "4bf92f3577b34da6");
        traced.put("thread", Thread.currentThread().getName());
        traced.put("region", "eu-1");
        Map<String, String> untraced = new LinkedHashMap<>();
        untraced.put("thread", Thread.currentThread().getName());
        untraced.put("region", "eu-1");
        assertThat(byLine(loki.entries()).get("traced").structuredMetadata()).containsExactlyEntriesOf(traced);
        assertThat(byLine(loki.entries()).get("untraced").structuredMetadata()).containsExactlyEntriesOf(untraced);
        assertThat(loki.streams()).containsOnlyKeys("{app=\"shop\"}");
    }

    @Test
    void exactLinesNonAsciiMultiLineAndFullExceptions() {
        ctx = startXml(dir, "lines", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<PatternLayout pattern=\"%msg%n%ex\"/><Label name=\"app\" value=\"shop\"/>"));
        Logger log = ctx.getLogger("shop.orders");
        String text = "Grüße aus Köln, 日本語, emoji 🚀, \"quotes\" \\ backslash\ttab";
        Exception failure = new IllegalStateException("checkout failed: ünïcödé",
                new java.io.IOException("disk full\nsecond line of the cause"));

        log.info(text);
        log.info("first line\nsecond line\r\nthird line");
        log.error("with exception", failure);
        loki.awaitEntries(3, WAIT);

        List<String> lines = lines(loki.entries());
        assertThat(lines.get(0)).isEqualTo(text);
        assertThat(lines.get(1)).isEqualTo("first line\nsecond line\r\nthird line");
        String expectedTrace = stackTrace(failure);
        assertThat(lines.get(2)).isEqualTo("with exception" + System.lineSeparator() + expectedTrace);
        assertThat(lines.get(2)).contains("Caused by: java.io.IOException: disk full\nsecond line of the cause")
                .doesNotEndWith("\n");
    }

    @Test
    void defaultLayoutIsTheMessageAndExceptionAsInLogback() {
        ctx = startXml(dir, "default-layout", xml(loki.url(), "flushIntervalMs=\"20\"", "<Label name=\"app\" value=\"shop\"/>"));
        Logger log = ctx.getLogger("shop.orders");
        Exception failure = new IllegalArgumentException("bad");

        log.warn("careful");
        log.error("broken", failure);
        loki.awaitEntries(2, WAIT);

        List<String> lines = lines(loki.entries());
        assertThat(lines.get(0)).isEqualTo("careful");
        assertThat(lines.get(1)).isEqualTo("broken" + System.lineSeparator() + stackTrace(failure));
    }

    @Test
    void nonPatternStringLayoutLosesItsTrailingLineBreakOnly() {
        ctx = startXml(dir, "syslog", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<SyslogLayout facility=\"LOCAL0\" newLine=\"true\"/><Label name=\"app\" value=\"shop\"/>"));

        ctx.getLogger("shop.orders").info("via syslog layout");
        loki.awaitEntries(1, WAIT);

        String line = loki.entries().get(0).line();
        assertThat(line).startsWith("<134>").endsWith(" via syslog layout").doesNotContain("\n");
    }

    @Test
    void timestampsKeepLog4j2Precision() {
        ctx = startXml(dir, "time", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"
                        + "<StructuredMetadata name=\"micros\" pattern=\"%d{UNIX_MILLIS}\"/>"));
        Logger log = ctx.getLogger("shop.orders");
        long before = System.currentTimeMillis();

        for (int i = 0; i < 50; i++) {
            log.info("event {}", i);
        }
        List<Entry> entries = loki.awaitEntries(50, WAIT);
        long after = System.currentTimeMillis();

        for (Entry e : entries) {
            long millis = Long.parseLong(e.structuredMetadata().get("micros"));
            assertThat(e.timestampNanos() / 1_000_000).isEqualTo(millis).isBetween(before, after);
        }
        // the JDK clock gives at least microseconds here; Log4j2 keeps them and so does the appender
        assertThat(entries).anySatisfy(e -> assertThat(e.timestampNanos() % 1_000_000).isNotZero());
    }

    @Test
    void tenThousandEventsFromFourThreadsAreDeliveredExactlyOnce() throws Exception {
        ctx = startXml(dir, "volume", xml(loki.url(), "flushIntervalMs=\"50\" batchMaxEvents=\"500\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"
                        + "<Label name=\"worker\" pattern=\"%X{worker}\"/>"));
        Set<String> expected = logConcurrently(ctx, 4, 2_500);

        loki.awaitEntries(10_000, WAIT);
        StatsSnapshot before = loki(ctx).stats();
        LokiAppender appender = loki(ctx);
        Log4jTestSupport.stop(ctx);
        ctx = null;

        assertThat(loki.entryCount()).isEqualTo(10_000);
        assertThat(new HashSet<>(lines(loki.entries()))).isEqualTo(expected);
        assertThat(loki.duplicatesDropped()).isZero();
        assertThat(loki.streams()).hasSize(4);
        assertThat(before.offered()).isEqualTo(10_000);
        StatsSnapshot after = appender.stats();
        assertThat(after.delivered()).isEqualTo(10_000);
        assertThat(after.droppedTotal()).isZero();
    }

    @Test
    void mixedSyncAndAsyncLoggers() throws Exception {
        ctx = startXml(dir, "mixed", xml("", loki.url(), "flushIntervalMs=\"50\"",
                "<PatternLayout pattern=\"%logger %msg\"/><Label name=\"app\" value=\"shop\"/>"
                        + "<Label name=\"worker\" pattern=\"%X{worker}\"/>",
                "<AsyncLogger name=\"async\" level=\"info\" additivity=\"false\"><AppenderRef ref=\"LOKI\"/></AsyncLogger>"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String logger = t % 2 == 0 ? "async.jobs" : "sync.jobs";
                int worker = t;
                done.add(pool.submit(() -> {
                    ThreadContext.put("worker", "w" + worker);
                    Logger log = ctx.getLogger(logger);
                    for (int i = 0; i < 500; i++) {
                        log.info("w{}-{}", worker, i);
                    }
                    ThreadContext.clearAll();
                }));
            }
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        loki.awaitEntries(2_000, WAIT);
        Log4jTestSupport.stop(ctx);
        ctx = null;

        assertThat(loki.entryCount()).isEqualTo(2_000);
        assertThat(loki.duplicatesDropped()).isZero();
        for (Entry e : loki.entries()) {
            String worker = e.labels().get("worker");
            boolean async = worker.equals("w0") || worker.equals("w2");
            assertThat(e.line()).startsWith((async ? "async.jobs " : "sync.jobs ") + worker + "-");
        }
        assertThat(loki.streams()).hasSize(4);
    }

    @Test
    void propertiesConfiguration() {
        String props = String.join("\n",
                "appender.loki.type = Loki",
                "appender.loki.name = LOKI",
                "appender.loki.url = " + loki.url(),
                "appender.loki.flushIntervalMs = 20",
                "appender.loki.layout.type = PatternLayout",
                "appender.loki.layout.pattern = %level %msg",
                "appender.loki.app.type = Label",
                "appender.loki.app.name = app",
                "appender.loki.app.value = shop",
                "appender.loki.level.type = Label",
                "appender.loki.level.name = level",
                "appender.loki.level.pattern = %level",
                "appender.loki.trace.type = StructuredMetadata",
                "appender.loki.trace.name = trace_id",
                "appender.loki.trace.pattern = %X{trace_id}",
                "rootLogger.level = info",
                "rootLogger.appenderRef.loki.ref = LOKI",
                "");
        ctx = Log4jTestSupport.start("props", Log4jTestSupport.write(dir, "log4j2-test.properties", props));

        ThreadContext.put("trace_id", "t-1");
        ctx.getLogger("shop.orders").error("from properties");
        loki.awaitEntries(1, WAIT);

        Entry e = loki.entries().get(0);
        assertThat(e.line()).isEqualTo("ERROR from properties");
        assertThat(e.labels()).isEqualTo(Map.of("app", "shop", "level", "ERROR"));
        assertThat(e.structuredMetadata()).containsExactlyEntriesOf(Map.of("trace_id", "t-1"));
    }

    @Test
    void appenderFilterApplies() {
        ctx = startXml(dir, "filter", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<ThresholdFilter level=\"warn\"/><PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"));
        Logger log = ctx.getLogger("shop.orders");

        log.info("filtered out");
        log.warn("kept");
        loki.awaitEntries(1, WAIT);
        Log4jTestSupport.stop(ctx);
        ctx = null;

        assertThat(lines(loki.entries())).containsExactly("kept");
    }

    @Test
    void emptyLabelsAreLeftOutAndAnEventWithoutLabelsGetsTheFallback() {
        ctx = startXml(dir, "empty", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"user\" pattern=\"%X{user}\"/>"));
        Logger log = ctx.getLogger("shop.orders");

        ThreadContext.put("user", "bob");
        log.info("bob's");
        ThreadContext.clearAll();
        log.info("nobody's");
        loki.awaitEntries(2, WAIT);

        assertThat(byLine(loki.entries()).get("bob's").labels()).containsExactlyEntriesOf(Map.of("user", "bob"));
        assertThat(byLine(loki.entries()).get("nobody's").labels())
                .containsExactlyEntriesOf(Map.of("service_name", "unknown_service"));
    }

    @Test
    void streamsPastTheCapGoToTheOverflowStreamAndAreCounted() {
        ctx = startXml(dir, "cap", xml(loki.url(), "flushIntervalMs=\"20\" maxStreams=\"2\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/><Label name=\"user\" pattern=\"%X{user}\"/>"));
        Logger log = ctx.getLogger("shop.orders");

        for (int round = 0; round < 2; round++) {
            for (int u = 0; u < 5; u++) {
                ThreadContext.put("user", "u" + u);
                log.info("round {} user {}", round, u);
            }
        }
        loki.awaitEntries(10, WAIT);

        assertThat(loki.streams()).containsOnlyKeys("{app=\"shop\", user=\"u0\"}", "{app=\"shop\", user=\"u1\"}",
                "{app=\"shop\", loki_appender_overflow=\"stream_limit\"}");
        assertThat(loki.streams().get("{app=\"shop\", loki_appender_overflow=\"stream_limit\"}")).hasSize(6);
        assertThat(loki(ctx).stats().streamsOverflowed()).isEqualTo(6);
    }

    @Test
    void theLibrarysOwnEventsAndThreadsAreNeverShipped() throws Exception {
        ctx = startXml(dir, "internal", xml(loki.url(), "flushIntervalMs=\"20\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"));

        ctx.getLogger("io.github.lokiappender.core.Shipper").error("core diagnostics");
        ctx.getLogger("jdk.internal.httpclient.debug").error("http client chatter");
        CountDownLatch logged = new CountDownLatch(1);
        Thread internal = InternalThreads.factory("loki-test-internal").newThread(() -> {
            ctx.getLogger("shop.orders").error("from an internal thread");
            logged.countDown();
        });
        internal.start();
        assertThat(logged.await(5, TimeUnit.SECONDS)).isTrue();
        ctx.getLogger("shop.orders").info("the only one");
        loki.awaitEntries(1, WAIT);
        Log4jTestSupport.stop(ctx);
        ctx = null;

        assertThat(lines(loki.entries())).containsExactly("the only one");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    static Set<String> logConcurrently(LoggerContext ctx, int threads, int perThread) throws Exception {
        Set<String> expected = new HashSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                for (int i = 0; i < perThread; i++) {
                    expected.add("w" + worker + "-" + i);
                }
                done.add(pool.submit(() -> {
                    start.await();
                    ThreadContext.put("worker", "w" + worker);
                    Logger log = ctx.getLogger("shop.worker" + worker);
                    for (int i = 0; i < perThread; i++) {
                        log.info("w{}-{}", worker, i);
                    }
                    ThreadContext.clearAll();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return expected;
    }

    static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        String s = sw.toString();
        return s.endsWith(System.lineSeparator()) ? s.substring(0, s.length() - System.lineSeparator().length()) : s;
    }

    static List<String> lines(List<Entry> entries) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(e.line());
        }
        return out;
    }

    static Map<String, Entry> byLine(List<Entry> entries) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            out.put(e.line(), e);
        }
        return out;
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        Map<String, String> m = new java.util.TreeMap<>(base);
        m.put(k, v);
        return m;
    }
}
