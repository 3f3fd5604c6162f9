package io.github.lokiappender.log4j2;

import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.async.AsyncLoggerContext;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.lines;
import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.stackTrace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * All loggers asynchronous ({@code AsyncLoggerContextSelector} with the LMAX Disruptor): the
 * appender runs on Log4j2's background thread. The selector is JVM-wide, so this class runs in a
 * surefire execution of its own ({@code async-loggers} in the module's pom).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncLoggersTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SELECTOR = "org.apache.logging.log4j.core.async.AsyncLoggerContextSelector";

    @TempDir
    Path dir;
    private FakeLoki loki;
    private LoggerContext ctx;

    @BeforeAll
    static void onlyWithTheAsyncSelector() {
        assumeTrue(SELECTOR.equals(System.getProperty("log4j2.contextSelector")),
                "runs in the async-loggers surefire execution, which sets log4j2.contextSelector");
    }

    private void configure(String attributes) {
        loki = FakeLoki.start();
        ctx = (LoggerContext) LogManager.getContext(false);
        assertThat(ctx).isInstanceOf(AsyncLoggerContext.class);
        ctx.setConfigLocation(Log4jTestSupport.write(dir, "async.xml", Log4jTestSupport.xml(loki.url(), attributes,
                "<PatternLayout pattern=\"%msg%n%ex\"/><Label name=\"app\" value=\"shop\"/>"
                        + "<Label name=\"level\" pattern=\"%level\"/><Label name=\"worker\" pattern=\"%X{worker}\"/>"
                        + "<StructuredMetadata name=\"thread\" pattern=\"%thread\"/>")).toUri());
    }

    @AfterEach
    void restore() {
        if (ctx != null && ctx.isStarted()) {
            ctx.setConfiguration(new DefaultConfiguration());
        }
        ThreadContext.clearAll();
        if (loki != null) {
            loki.close();
        }
    }

    @Test
    @Order(1)
    void labelsContextAndExceptionsCrossToTheAsyncThread() {
        configure("flushIntervalMs=\"20\"");
        Logger log = LogManager.getLogger("shop.async");
        IllegalStateException failure = new IllegalStateException("async ✗", new RuntimeException("cause"));

        ThreadContext.put("worker", "main");
        log.warn("größer");
        log.error("failed", failure);
        ThreadContext.clearAll();
        loki.awaitEntries(2, WAIT);

        List<Entry> entries = loki.entries();
        assertThat(lines(entries)).containsExactly("größer", "failed" + System.lineSeparator() + stackTrace(failure));
        assertThat(entries.get(0).labels()).isEqualTo(Map.of("app", "shop", "level", "WARN", "worker", "main"));
        assertThat(entries.get(1).labels()).isEqualTo(Map.of("app", "shop", "level", "ERROR", "worker", "main"));
        // the caller's thread name, captured before the hand-off
        assertThat(entries.get(0).structuredMetadata()).isEqualTo(Map.of("thread", Thread.currentThread().getName()));
    }

    @Test
    @Order(2)
    void tenThousandEventsFromFourThreadsAreDeliveredExactlyOnce() throws Exception {
        configure("flushIntervalMs=\"50\" batchMaxEvents=\"1000\"");

        Set<String> expected = Log4jApiEndToEndTest.logConcurrently(ctx, 4, 2_500);
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

    @Test
    @Order(3)
    void reconfigurationWhileLoggingAsynchronously() throws Exception {
        configure("flushIntervalMs=\"50\"");
        Path other = Log4jTestSupport.write(dir, "other.xml", Log4jTestSupport.xml(loki.url(), "flushIntervalMs=\"50\"",
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"other\"/>"));
        Path first = dir.resolve("async.xml");
        Set<String> expected = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong logged = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int worker = t;
            Thread thread = new Thread(() -> {
                Logger log = LogManager.getLogger("shop.worker" + worker);
                for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                    String line = "w" + worker + "-" + i;
                    expected.add(line);
                    log.info(line);
                    logged.incrementAndGet();
                    if (i % 10 == 9) {
                        LockSupport.parkNanos(5_000_000L); // pacing, about 2000 events/s per thread
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (int round = 0; round < 4; round++) {
            long target = logged.get() + 300;
            await().atMost(Duration.ofSeconds(10)).until(() -> logged.get() >= target);
            ctx.setConfigLocation((round % 2 == 0 ? other : first).toUri());
            assertThat(Log4jTestSupport.shipperThreads()).hasSize(1);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        ctx.setConfiguration(new DefaultConfiguration());

        assertThat(loki.entryCount()).isEqualTo(expected.size()).isEqualTo((int) logged.get());
        assertThat(new HashSet<>(lines(loki.entries()))).isEqualTo(expected);
        assertThat(loki.duplicatesDropped()).isZero();
        assertThat(Log4jTestSupport.shipperThreads()).isEmpty();
    }

    @Test
    @Order(4)
    void logManagerShutdownDrainsTheRingBufferAndDeliversWhatIsBuffered() {
        // nothing would be sent for a minute: only the shutdown can deliver these
        configure("flushIntervalMs=\"60000\" batchMaxEvents=\"10000\"");
        Logger log = LogManager.getLogger("shop.async");
        try (StatusCapture status = StatusCapture.open(Level.INFO)) {
            for (int i = 0; i < 2_000; i++) {
                log.info("buffered {}", i);
            }
            assertThat(loki.requests()).isEmpty();

            LogManager.shutdown();

            assertThat(loki.entryCount()).isEqualTo(2_000);
            assertThat(Log4jTestSupport.shipperThreads()).isEmpty();
            assertThat(status.lokiMessages(Level.INFO))
                    .contains("Loki appender 'LOKI' stopped: 2000 events delivered, 0 not delivered");
        }
        ctx = null;
    }
}
