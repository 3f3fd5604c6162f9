package io.github.lokiappender.it;

import io.github.lokiappender.core.query.LogEntry;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenarios of the integration tests, written once against SLF4J and run by a subclass per
 * framework, for each wire format, against the stand-in and (when one is available) a real Loki.
 * Every test uses its own {@code run} label value, so runs never see each other's data.
 */
public abstract class AbstractAppenderIT {

    private final Logger log = LoggerFactory.getLogger("com.example.shop.Checkout");
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private LoggingSystem logging;

    /** The framework under test. */
    protected abstract LoggingSystem loggingSystem();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String target : new String[]{"stand-in", "real"}) {
            out.add(Arguments.of(target, "json", "none"));
            out.add(Arguments.of(target, "json", "gzip"));
            out.add(Arguments.of(target, "protobuf", "none"));
        }
        return out.stream();
    }

    @AfterEach
    void stopEverything() throws Exception {
        MDC.clear();
        if (logging != null) {
            logging.stop();
        }
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private LokiTarget target(String kind) {
        if (kind.equals("stand-in")) {
            return keep(LokiTarget.standIn());
        }
        String url = RealLoki.url();
        Assumptions.assumeTrue(url != null, RealLoki.unavailableReason());
        return keep(LokiTarget.real(url.equals(System.getenv("LOKI_URL")) ? "LOKI_URL" : "container", url,
                RealLoki.structuredMetadata()));
    }

    private <T extends AutoCloseable> T keep(T c) {
        cleanup.add(c);
        return c;
    }

    private String startLogging(LokiTarget target, String format, String compression, Map<String, String> extra) throws Exception {
        String run = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("URL", target.url());
        vars.put("FORMAT", format);
        vars.put("COMPRESSION", compression);
        vars.put("RUN", run);
        vars.put("TENANT", "");
        vars.put("FLUSH_MS", "200");
        vars.put("SM", "");
        vars.putAll(extra);
        logging = loggingSystem();
        logging.start(vars);
        return run;
    }

    private void stopLogging() throws Exception {
        logging.stop();
        logging = null;
    }

    @ParameterizedTest(name = "{0} {1}+{2}")
    @MethodSource("cases")
    void twentyThousandEventsFromFourThreadsArriveExactlyOnce(String kind, String format, String compression) throws Exception {
        LokiTarget loki = target(kind);
        String run = startLogging(loki, format, compression, Map.of());
        int threads = 4;
        int per = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                go.await();
                MDC.put("user", "u" + thread);
                for (int i = 0; i < per; i++) {
                    String msg = "event t" + thread + " #" + i;
                    switch (i % 4) {
                        case 0: log.info(msg); break;
                        case 1: log.warn(msg); break;
                        case 2: log.error(msg); break;
                        default: log.debug(msg); break;
                    }
                }
                MDC.clear();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        stopLogging();

        List<LogEntry> got = loki.awaitEntries("{run=\"" + run + "\"}", threads * per);
        assertThat(got).hasSize(threads * per);
        assertThat(got.stream().map(LogEntry::line).distinct().count()).isEqualTo(threads * per);
        Map<String, Long> byLevel = got.stream().collect(Collectors.groupingBy(e -> e.labels().get("level"), Collectors.counting()));
        assertThat(byLevel).containsOnly(Map.entry("INFO", 5_000L), Map.entry("WARN", 5_000L),
                Map.entry("ERROR", 5_000L), Map.entry("DEBUG", 5_000L));
        Map<String, Long> byUser = got.stream().collect(Collectors.groupingBy(e -> e.labels().get("user"), Collectors.counting()));
        assertThat(byUser).containsOnly(Map.entry("u0", 5_000L), Map.entry("u1", 5_000L), Map.entry("u2", 5_000L), Map.entry("u3", 5_000L));
        assertThat(got).allSatisfy(e -> assertThat(e.labels()).containsEntry("app", "it").containsEntry("run", run));
        // within a thread (and so within its stream), later events never carry earlier timestamps;
        // entries with equal timestamps may come back in any order from a real Loki
        for (int t = 0; t < threads; t++) {
            String prefix = "event t" + t + " #";
            long[] ts = new long[per];
            got.stream().filter(e -> e.line().startsWith(prefix))
                    .forEach(e -> ts[Integer.parseInt(e.line().substring(prefix.length()))] = e.timestampNanos());
            for (int i = 1; i < per; i++) {
                assertThat(ts[i]).as("timestamp of %s%d", prefix, i).isGreaterThanOrEqualTo(ts[i - 1]).isPositive();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}+{2}")
    @MethodSource("cases")
    void exactContentSurvivesTheTrip(String kind, String format, String compression) throws Exception {
        LokiTarget loki = target(kind);
        String run = startLogging(loki, format, compression, Map.of());
        String[] lines = {
            "accents àéîõü, CJK 日本語の文字, emoji 😀🚀, Ω≈ç√",
            "tab\tseparated\tvalues",
            "{\"looks\":\"like json\",\"n\":1,\"nested\":{\"a\":[1,2]}}",
            "back\\slash and \"quotes\" and <xml/>",
        };
        for (String l : lines) {
            log.info(l);
        }
        IllegalStateException boom = new IllegalStateException("outer failure", new IOException("inner cause"));
        boom.addSuppressed(new IllegalArgumentException("suppressed one"));
        log.error("payment failed", boom);
        stopLogging();

        List<LogEntry> got = loki.awaitEntries("{run=\"" + run + "\"}", 5);
        assertThat(got).hasSize(5);
        assertThat(got.subList(0, 4)).extracting(LogEntry::line).containsExactly(lines);
        String trace = got.get(4).line();
        assertThat(trace).startsWith("payment failed\njava.lang.IllegalStateException: outer failure");
        assertThat(trace).contains("Caused by: java.io.IOException: inner cause");
        assertThat(trace).contains("Suppressed: java.lang.IllegalArgumentException: suppressed one");
        assertThat(trace).contains("at io.github.lokiappender.it.AbstractAppenderIT.exactContentSurvivesTheTrip");
        assertThat(trace).doesNotEndWith("\n");
    }

    @ParameterizedTest(name = "{0} {1}+{2}")
    @MethodSource("cases")
    void awkwardLabelValuesAndAnInvalidLabelName(String kind, String format, String compression) throws Exception {
        LokiTarget loki = target(kind);
        String run = startLogging(loki, format, compression, Map.of());
        MDC.put("quoted", "say \"hi\" \\ to C:\\temp and spaces");
        MDC.put("tenant.key", "acme corp");
        log.info("labelled");
        MDC.clear();
        log.info("plain");
        stopLogging();

        List<LogEntry> got = loki.awaitEntries("{run=\"" + run + "\"}", 2);
        assertThat(got).hasSize(2);
        LogEntry labelled = got.stream().filter(e -> e.line().equals("labelled")).findFirst().orElseThrow();
        assertThat(labelled.labels()).containsEntry("quoted", "say \"hi\" \\ to C:\\temp and spaces")
                .containsEntry("tenant_key", "acme corp");
        LogEntry plain = got.stream().filter(e -> e.line().equals("plain")).findFirst().orElseThrow();
        assertThat(plain.labels()).doesNotContainKeys("quoted", "tenant_key");
        // the awkward value also works in a selector
        String selector = "{run=\"" + run + "\", quoted=\"say \\\"hi\\\" \\\\ to C:\\\\temp and spaces\"}";
        assertThat(loki.entries(selector)).extracting(LogEntry::line).containsExactly("labelled");
    }

    @ParameterizedTest(name = "{0} {1}+{2}")
    @MethodSource("cases")
    void structuredMetadataFromMdc(String kind, String format, String compression) throws Exception {
        LokiTarget loki = target(kind);
        Assumptions.assumeTrue(loki.supportsStructuredMetadata(), "this Loki does not store structured metadata (needs 2.9+ with it allowed)");
        String run = startLogging(loki, format, compression, Map.of("SM", "on"));
        MDC.put("trace_id", "4bf92f3577b34da6");
        log.info("with trace");
        MDC.clear();
        log.info("without trace");
        stopLogging();

        List<LogEntry> got = loki.awaitEntries("{run=\"" + run + "\"}", 2);
        LogEntry traced = got.stream().filter(e -> e.line().equals("with trace")).findFirst().orElseThrow();
        assertThat(traced.structuredMetadata()).containsEntry("trace_id", "4bf92f3577b34da6");
        assertThat(traced.labels()).doesNotContainKey("trace_id");
        LogEntry untraced = got.stream().filter(e -> e.line().equals("without trace")).findFirst().orElseThrow();
        assertThat(untraced.structuredMetadata()).doesNotContainKey("trace_id");
        if (loki.supportsLabelFilters()) {
            assertThat(loki.entries("{run=\"" + run + "\"} | trace_id=\"4bf92f3577b34da6\""))
                    .extracting(LogEntry::line).containsExactly("with trace");
        }
    }

    @ParameterizedTest(name = "{0} {1}+{2}")
    @MethodSource("cases")
    void stopRightAfterLoggingDeliversEverythingBuffered(String kind, String format, String compression) throws Exception {
        LokiTarget loki = target(kind);
        String run = startLogging(loki, format, compression, Map.of("FLUSH_MS", "600000"));
        for (int i = 0; i < 2_000; i++) {
            log.info("buffered {}", i);
        }
        stopLogging();
        List<LogEntry> got = loki.awaitEntries("{run=\"" + run + "\"}", 2_000);
        assertThat(got).hasSize(2_000);
        assertThat(got).extracting(LogEntry::line).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0} {1}+{2}")
    @MethodSource("cases")
    void entriesAreVisibleToTheirTenantOnly(String kind, String format, String compression) throws Exception {
        LokiTarget loki;
        if (kind.equals("stand-in")) {
            FakeLoki secured = keep(FakeLoki.builder().requireTenant(true).start());
            loki = keep(LokiTarget.real("stand-in (auth)", secured.url(), true));
        } else {
            String url = RealLoki.authUrl();
            Assumptions.assumeTrue(url != null, RealLoki.authUnavailableReason());
            loki = keep(LokiTarget.real("auth", url, true));
        }
        String run = startLogging(loki, format, compression, Map.of("TENANT", "team-a"));
        log.info("for team a");
        stopLogging();
        LokiTarget teamA = keep(loki.asTenant("team-a"));
        LokiTarget teamB = keep(loki.asTenant("team-b"));
        assertThat(teamA.awaitEntries("{run=\"" + run + "\"}", 1)).extracting(LogEntry::line).containsExactly("for team a");
        assertThat(teamB.entries("{run=\"" + run + "\"}")).isEmpty();
    }
}
