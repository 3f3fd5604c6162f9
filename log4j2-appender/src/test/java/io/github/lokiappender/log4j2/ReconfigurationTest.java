package io.github.lokiappender.log4j2;

import io.github.lokiappender.testsupport.FakeLoki;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.lines;
import static io.github.lokiappender.log4j2.Log4jTestSupport.shipperThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Log4j2 replaces the configuration (explicitly or through {@code monitorInterval}) while the
 * application logs: the old appender's stop delivers what it buffered, the new one takes over,
 * no event is lost or sent twice, and no thread of the old appender stays behind.
 */
class ReconfigurationTest {

    @TempDir
    Path dir;
    private FakeLoki loki;
    private LoggerContext ctx;
    private final AtomicBoolean stopLogging = new AtomicBoolean();
    private final AtomicLong logged = new AtomicLong();
    private final Set<String> expected = ConcurrentHashMap.newKeySet();
    private final List<Thread> loggers = new ArrayList<>();

    @BeforeEach
    void startLoki() {
        loki = FakeLoki.start();
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        stopLoggers();
        Log4jTestSupport.stop(ctx);
        loki.close();
    }

    @Test
    void explicitReconfigurationWhileFourThreadsLog() throws Exception {
        Path a = Log4jTestSupport.write(dir, "a.xml", config("", "a"));
        Path b = Log4jTestSupport.write(dir, "b.xml", config("", "b"));
        ctx = Log4jTestSupport.start("reconfigure", a);
        startLoggers(4);

        for (int round = 0; round < 6; round++) {
            awaitProgress(300);
            ctx.setConfigLocation((round % 2 == 0 ? b : a).toUri());
            // the old appender has stopped by now: only the new one's shipper runs
            assertThat(shipperThreads()).hasSize(1);
        }
        awaitProgress(300);
        stopLoggers();
        Log4jTestSupport.stop(ctx);
        ctx = null;

        assertEverythingDeliveredOnce();
        assertThat(loki.streams()).containsOnlyKeys("{app=\"shop\", config=\"a\"}", "{app=\"shop\", config=\"b\"}");
        assertNoAppenderThreadLeft();
    }

    @Test
    void monitorIntervalReloadWhileLogging() throws Exception {
        Path file = Log4jTestSupport.write(dir, "monitored.xml", config("monitorInterval=\"1\"", "a"));
        ctx = Log4jTestSupport.start("monitored", file);
        Configuration first = ctx.getConfiguration();
        startLoggers(2);
        awaitProgress(300);

        Log4jTestSupport.write(dir, "monitored.xml", config("monitorInterval=\"1\"", "b"));
        assertThat(file.toFile().setLastModified(System.currentTimeMillis() + 5_000)).isTrue();
        await().atMost(Duration.ofSeconds(15)).until(() -> ctx.getConfiguration() != first);
        // the reload runs on Log4j2's watcher thread; it stops the old appender right after the swap
        await().atMost(Duration.ofSeconds(15)).until(() -> shipperThreads().size() == 1);
        awaitProgress(300);
        stopLoggers();
        Log4jTestSupport.stop(ctx);
        ctx = null;

        assertEverythingDeliveredOnce();
        assertThat(loki.streams()).containsOnlyKeys("{app=\"shop\", config=\"a\"}", "{app=\"shop\", config=\"b\"}");
        assertNoAppenderThreadLeft();
    }

    @Test
    void reconfigurationDuringAnOutageWithASpoolLosesNothingAndSendsNothingTwice() throws Exception {
        String spool = "spoolDirectory=\"" + dir.resolve("spool") + "\" retryMinBackoffMs=\"10\" retryMaxBackoffMs=\"100\""
                + " shutdownTimeoutMs=\"3000\"";
        Path a = Log4jTestSupport.write(dir, "a.xml", config("", "a", spool));
        Path b = Log4jTestSupport.write(dir, "b.xml", config("", "b", spool));
        StatusCapture status = StatusCapture.open(Level.WARN);
        try {
            ctx = Log4jTestSupport.start("reconfigure-spool", a);
            startLoggers(2);
            awaitProgress(300);
            loki.setDown(true); // 503 from now on: the old appender spools
            awaitProgress(300);
            ctx.setConfigLocation(b.toUri()); // the new appender waits for the old one's spool directory
            assertThat(shipperThreads()).hasSize(1);
            awaitProgress(300);
            loki.setDown(false);
            awaitProgress(300);
            stopLoggers();
            Log4jTestSupport.stop(ctx);
            ctx = null;

            assertEverythingDeliveredOnce();
            assertThat(status.lokiMessages(Level.ERROR)).isEmpty();
            assertThat(status.lokiMessages(Level.WARN)).anyMatch(m -> m.contains("is in use by another appender in this JVM"));
            assertNoAppenderThreadLeft();
        } finally {
            status.close();
        }
    }

    private String config(String configAttributes, String name) {
        return config(configAttributes, name, "");
    }

    private String config(String configAttributes, String name, String appenderAttributes) {
        return Log4jTestSupport.xml(configAttributes, loki.url(), "flushIntervalMs=\"100\" batchMaxEvents=\"500\" "
                        + appenderAttributes,
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"
                        + "<Label name=\"config\" value=\"" + name + "\"/>", "");
    }

    private void startLoggers(int n) {
        for (int t = 0; t < n; t++) {
            int worker = t;
            Thread thread = new Thread(() -> {
                Logger log = ctx.getLogger("shop.worker" + worker);
                // bounded: a broken test cannot log forever
                for (int i = 0; i < 1_000_000 && !stopLogging.get(); i++) {
                    String line = "w" + worker + "-" + i;
                    expected.add(line);
                    log.info(line);
                    logged.incrementAndGet();
                    if (i % 10 == 9) {
                        // pacing (about 2000 events/s per thread), so that the test is about reconfiguration
                        // and not about outrunning the stand-in until the buffer overflows
                        LockSupport.parkNanos(5_000_000L);
                    }
                }
            }, "test-logger-" + t);
            thread.start();
            loggers.add(thread);
        }
    }

    private void awaitProgress(long events) {
        long target = logged.get() + events;
        await().atMost(Duration.ofSeconds(10)).until(() -> logged.get() >= target);
    }

    private void stopLoggers() throws InterruptedException {
        stopLogging.set(true);
        for (Thread t : loggers) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).isFalse();
        }
        loggers.clear();
    }

    private void assertEverythingDeliveredOnce() {
        assertThat(loki.entryCount()).isEqualTo(expected.size()).isEqualTo((int) logged.get());
        assertThat(new HashSet<>(lines(loki.entries()))).isEqualTo(expected);
        assertThat(loki.duplicatesDropped()).isZero();
    }

    private static void assertNoAppenderThreadLeft() {
        assertThat(shipperThreads()).isEmpty();
        // the HTTP client's executor threads end shortly after its shutdownNow()
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<String> names = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && t.getName().startsWith("loki-")) {
                    names.add(t.getName());
                }
            }
            assertThat(names).isEmpty();
        });
    }
}
