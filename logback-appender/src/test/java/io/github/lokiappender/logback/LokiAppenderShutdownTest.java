package io.github.lokiappender.logback;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.hook.DefaultShutdownHook;
import ch.qos.logback.core.util.Duration;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.github.lokiappender.logback.TestLogback.config;
import static io.github.lokiappender.logback.TestLogback.configure;
import static io.github.lokiappender.logback.TestLogback.loki;
import static io.github.lokiappender.logback.TestLogback.lokiStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What stopping the logging system does with events that are still buffered. */
class LokiAppenderShutdownTest {

    /** Beyond shutdownTimeoutMs: joining threads and closing the client on a loaded 2-core build machine. */
    private static final long SLACK_MS = 500;

    @Test
    void stopDeliversEverythingBufferedBeforeReturning() {
        try (FakeLoki fake = FakeLoki.start()) {
            // nothing would be sent for a minute on its own: only the stop sends it
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url><flushIntervalMs>60000</flushIntervalMs>"
                    + "<labels>app=shop, level=%level</labels>"));
            LokiAppender appender = loki(ctx);
            Logger log = ctx.getLogger("app");
            for (int i = 0; i < 500; i++) {
                log.info("buffered {}", i);
            }
            assertThat(fake.requests()).isEmpty();
            assertThat(appender.getStats().pending()).isEqualTo(500);

            ctx.stop();

            assertThat(fake.entryCount()).isEqualTo(500);
            assertThat(fake.entries()).extracting(Entry::line).containsExactlyElementsOf(lines("buffered ", 500));
            StatsSnapshot s = appender.getStats();
            assertThat(s.delivered()).isEqualTo(500);
            assertThat(s.droppedTotal()).isZero();
            assertThat(lokiStatus(ctx)).contains("INFO Loki appender 'LOKI' stopped: 500 events delivered, 0 not delivered");
            assertThat(lokiStatus(ctx)).noneMatch(m -> m.startsWith("WARN") || m.startsWith("ERROR"));
        }
    }

    @Test
    void withASpoolWhatLokiCouldNotTakeBeforeStopIsDeliveredFirstByTheNextStart(@TempDir Path spool) {
        try (FakeLoki fake = FakeLoki.start()) {
            String xml = config("<url>" + fake.url() + "</url><labels>app=shop</labels><spoolDirectory>" + spool
                    + "</spoolDirectory><retryMinBackoffMs>10</retryMinBackoffMs><retryMaxBackoffMs>50</retryMaxBackoffMs>"
                    + "<flushIntervalMs>20</flushIntervalMs><shutdownTimeoutMs>1000</shutdownTimeoutMs>");
            fake.setDown(true); // 503 for every push
            LoggerContext first = configure(xml);
            LokiAppender a = loki(first);
            for (int i = 0; i < 100; i++) {
                first.getLogger("app").info("before restart {}", i);
            }
            first.stop();
            StatsSnapshot s = a.getStats();
            assertThat(s.inSpool()).isEqualTo(100);
            assertThat(s.droppedTotal()).isZero();
            assertThat(lokiStatus(first)).contains("INFO Loki appender 'LOKI' stopped: 0 events delivered, 0 not"
                    + " delivered, 100 left in the spool " + spool + " for the next start");

            fake.setDown(false);
            LoggerContext second = configure(xml);
            LokiAppender b = loki(second);
            for (int i = 0; i < 10; i++) {
                second.getLogger("app").info("after restart {}", i);
            }
            await().atMost(java.time.Duration.ofSeconds(20)).until(() -> fake.entryCount() == 110);
            second.stop();
            List<String> expected = lines("before restart ", 100);
            expected.addAll(lines("after restart ", 10));
            assertThat(fake.entries()).extracting(Entry::line).containsExactlyElementsOf(expected);
            assertThat(b.getStats().recoveredDelivered()).isEqualTo(100);
            assertThat(b.getStats().delivered()).isEqualTo(10);
            assertThat(lokiStatus(second)).anyMatch(m -> m.startsWith("INFO spool " + spool + ": 100 events in ")
                    && m.endsWith(" requests from an earlier run, delivered first"));
        }
    }

    @Test
    void logbackShutdownHookDeliversEverythingBuffered() {
        try (FakeLoki fake = FakeLoki.start()) {
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url><flushIntervalMs>60000</flushIntervalMs>"
                    + "<labels>app=shop</labels>"));
            LokiAppender appender = loki(ctx);
            Logger log = ctx.getLogger("app");
            for (int i = 0; i < 100; i++) {
                log.info("hooked {}", i);
            }
            // what <shutdownHook/> registers with the JVM, run here instead of at JVM exit
            DefaultShutdownHook hook = new DefaultShutdownHook();
            hook.setContext(ctx);
            hook.setDelay(Duration.buildByMilliseconds(0));
            hook.run();

            assertThat(fake.entries()).extracting(Entry::line).containsExactlyElementsOf(lines("hooked ", 100));
            assertThat(appender.isStarted()).isFalse();
            assertThat(appender.getStats().delivered()).isEqualTo(100);
        }
    }

    @Test
    void stopWithLokiHangingReturnsWithinShutdownTimeoutAndReportsTheLoss() {
        try (FakeLoki fake = FakeLoki.start()) {
            fake.hang(true);
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url><flushIntervalMs>20</flushIntervalMs>"
                    + "<shutdownTimeoutMs>1000</shutdownTimeoutMs><labels>app=shop</labels>"));
            LokiAppender appender = loki(ctx);
            Logger log = ctx.getLogger("app");
            for (int i = 0; i < 100; i++) {
                log.info("in flight {}", i);
            }
            await().until(() -> fake.pendingPushes() == 1);
            for (int i = 0; i < 50; i++) {
                log.info("still buffered {}", i);
            }

            long start = System.nanoTime();
            ctx.stop();
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(tookMs).isLessThan(1000 + SLACK_MS);
            StatsSnapshot s = appender.getStats();
            assertThat(s.delivered()).isZero();
            assertThat(s.dropped(DropReason.SHUTDOWN_TIMEOUT)).isEqualTo(150);
            assertThat(s.pending()).isZero();
            assertThat(lokiStatus(ctx)).contains(
                    "INFO Loki appender 'LOKI' stopped: 0 events delivered, 150 not delivered {SHUTDOWN_TIMEOUT=150}",
                    "WARN Loki appender 'LOKI' lost 150 of 150 events {SHUTDOWN_TIMEOUT=150}");
            fake.hang(false);
        }
    }

    @Test
    void stopWithLokiGoneReturnsWithinShutdownTimeoutAndReportsTheLoss() {
        FakeLoki fake = FakeLoki.start();
        String url = fake.url();
        fake.close(); // nothing listens there any more: every push is refused
        LoggerContext ctx = configure(config("<url>" + url + "</url><flushIntervalMs>20</flushIntervalMs>"
                + "<maxRetries>1000</maxRetries><retryMinBackoffMs>20</retryMinBackoffMs><retryMaxBackoffMs>100</retryMaxBackoffMs>"
                + "<shutdownTimeoutMs>800</shutdownTimeoutMs><labels>app=shop</labels>"));
        LokiAppender appender = loki(ctx);
        Logger log = ctx.getLogger("app");
        for (int i = 0; i < 20; i++) {
            log.info("lost {}", i);
        }
        await().until(() -> appender.getStats().retries() >= 2);

        long start = System.nanoTime();
        ctx.stop();
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(tookMs).isLessThan(800 + SLACK_MS);
        StatsSnapshot s = appender.getStats();
        assertThat(s.delivered()).isZero();
        assertThat(s.droppedTotal()).isEqualTo(20);
        assertThat(s.pending()).isZero();
        assertThat(lokiStatus(ctx)).contains("WARN Loki appender 'LOKI' lost 20 of 20 events " + s.droppedByReason())
                .anyMatch(m -> m.startsWith("INFO Loki appender 'LOKI' stopped: 0 events delivered, 20 not delivered"));
    }

    private static List<String> lines(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }
}
