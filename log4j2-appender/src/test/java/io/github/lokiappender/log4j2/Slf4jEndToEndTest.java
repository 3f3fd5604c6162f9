package io.github.lokiappender.log4j2;

import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.MarkerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.byLine;
import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.lines;
import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.stackTrace;
import static org.assertj.core.api.Assertions.assertThat;

/** The application logs through SLF4J (log4j-slf4j2-impl) into the JVM's default Log4j2 context. */
class Slf4jEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private FakeLoki loki;
    private LoggerContext ctx;

    @BeforeAll
    static void initSlf4j() {
        // SLF4J replaces loggers first used by several threads during its own start-up with substitutes that drop events
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
                .isEqualTo("org.apache.logging.slf4j.Log4jLoggerFactory");
    }

    @BeforeEach
    void configure() {
        loki = FakeLoki.start();
        String xml = Log4jTestSupport.xml(loki.url(), "flushIntervalMs=\"20\" batchMaxEvents=\"1000\"",
                "<PatternLayout pattern=\"%msg%n%ex\"/>"
                        + "<Label name=\"app\" value=\"shop\"/>"
                        + "<Label name=\"level\" pattern=\"%level\"/>"
                        + "<Label name=\"tenant\" pattern=\"%X{tenant}\"/>"
                        + "<Label name=\"marker\" pattern=\"%marker\"/>"
                        + "<StructuredMetadata name=\"trace_id\" pattern=\"%X{trace_id}\"/>");
        ctx = (LoggerContext) LogManager.getContext(false);
        ctx.setConfigLocation(Log4jTestSupport.write(dir, "slf4j.xml", xml).toUri());
        assertThat((Object) ctx.getConfiguration().getAppender("LOKI")).isInstanceOf(LokiAppender.class);
    }

    @AfterEach
    void restore() {
        // stops the Loki appender (flushing it) and leaves the shared context as other tests expect it
        ctx.setConfiguration(new DefaultConfiguration());
        MDC.clear();
        loki.close();
    }

    @Test
    void labelsFromLevelMdcAndMarkersWithStructuredMetadata() {
        Logger log = LoggerFactory.getLogger("shop.payments");

        MDC.put("tenant", "acme");
        MDC.put("trace_id", "0af7651916cd43dd");
        log.info("paid {} EUR", 42);
        MDC.clear();
        log.warn(MarkerFactory.getMarker("SECURITY"), "suspicious");
        log.atError().addKeyValue("tenant", "globex").log("fluent with key-value");
        loki.awaitEntries(3, WAIT);

        Map<String, Entry> byLine = byLine(loki.entries());
        assertThat(byLine.get("paid 42 EUR").labels()).isEqualTo(Map.of("app", "shop", "level", "INFO", "tenant", "acme"));
        assertThat(byLine.get("paid 42 EUR").structuredMetadata()).isEqualTo(Map.of("trace_id", "0af7651916cd43dd"));
        assertThat(byLine.get("suspicious").labels()).isEqualTo(Map.of("app", "shop", "level", "WARN", "marker", "SECURITY"));
        assertThat(byLine.get("suspicious").structuredMetadata()).isEmpty();
        assertThat(byLine.get("fluent with key-value").labels())
                .isEqualTo(Map.of("app", "shop", "level", "ERROR", "tenant", "globex"));
    }

    @Test
    void exactLinesWithNonAsciiTextAndExceptions() {
        Logger log = LoggerFactory.getLogger("shop.payments");
        RuntimeException failure = new RuntimeException("Zahlung fehlgeschlagen – ÄÖÜ ß", new IllegalStateException("ключ"));

        log.info("naïve café {} ✓", "日本");
        log.error("payment {} failed", "p-1", failure);
        loki.awaitEntries(2, WAIT);

        List<String> lines = lines(loki.entries());
        assertThat(lines).containsExactly("naïve café 日本 ✓",
                "payment p-1 failed" + System.lineSeparator() + stackTrace(failure));
    }

    @Test
    void tenThousandEventsFromFourThreadsAreDeliveredExactlyOnce() throws Exception {
        Set<String> expected = new HashSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int worker = t;
                for (int i = 0; i < 2_500; i++) {
                    expected.add("w" + worker + "-" + i);
                }
                done.add(pool.submit(() -> {
                    start.await();
                    MDC.put("tenant", "t" + worker);
                    Logger log = LoggerFactory.getLogger("shop.worker" + worker);
                    for (int i = 0; i < 2_500; i++) {
                        log.info("w{}-{}", worker, i);
                    }
                    MDC.clear();
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

        loki.awaitEntries(10_000, WAIT);
        LokiAppender appender = ctx.getConfiguration().getAppender("LOKI");
        ctx.setConfiguration(new DefaultConfiguration());

        assertThat(loki.entryCount()).isEqualTo(10_000);
        assertThat(new HashSet<>(lines(loki.entries()))).isEqualTo(expected);
        assertThat(loki.duplicatesDropped()).isZero();
        assertThat(loki.streams()).hasSize(4);
        assertThat(appender.stats().delivered()).isEqualTo(10_000);
        assertThat(appender.stats().droppedTotal()).isZero();
    }
}
