package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.github.lokiappender.log4j2.Log4jApiEndToEndTest.lines;
import static io.github.lokiappender.log4j2.Log4jTestSupport.loki;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping Log4j2 ({@code LogManager.shutdown}, the JVM's exit through Log4j2's shutdown hook)
 * delivers what is buffered within {@code shutdownTimeoutMs}, or gives up by then and reports the
 * loss.
 */
class ShutdownTest {

    @TempDir
    Path dir;
    private FakeLoki loki;
    private LoggerContext ctx;
    private StatusCapture status;

    @BeforeEach
    void start() {
        loki = FakeLoki.start();
        status = StatusCapture.open(Level.INFO);
    }

    @AfterEach
    void stop() {
        Log4jTestSupport.stop(ctx);
        status.close();
        loki.close();
    }

    /** Nothing is sent for a minute unless the appender is stopped. */
    private LoggerContext startHolding(String attributes) {
        return Log4jTestSupport.startXml(dir, "shutdown", Log4jTestSupport.xml(loki.url(),
                "flushIntervalMs=\"60000\" batchMaxEvents=\"10000\" " + attributes,
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"));
    }

    @Test
    void logManagerShutdownDeliversEverythingBuffered() {
        ctx = startHolding("");
        LokiAppender appender = loki(ctx);
        Logger log = ctx.getLogger("shop.orders");
        for (int i = 0; i < 500; i++) {
            log.info("buffered {}", i);
        }
        assertThat(loki.requests()).isEmpty();

        LogManager.shutdown(ctx);

        assertThat(ctx.isStopped()).isTrue();
        assertThat(loki.entryCount()).isEqualTo(500);
        assertThat(lines(loki.entries()).get(499)).isEqualTo("buffered 499");
        assertThat(appender.isStopped()).isTrue();
        StatsSnapshot s = appender.stats();
        assertThat(s.delivered()).isEqualTo(500);
        assertThat(s.droppedTotal()).isZero();
        assertThat(status.lokiMessages(Level.INFO))
                .contains("Loki appender 'LOKI' stopped: 500 events delivered, 0 not delivered");
        assertThat(status.lokiMessages(Level.ERROR)).isEmpty();
        assertThat(Log4jTestSupport.shipperThreads()).isEmpty();
        ctx = null;
    }

    @Test
    void standInDownAtShutdownReturnsWithinTheTimeoutAndReportsTheLoss() {
        ctx = startHolding("shutdownTimeoutMs=\"1000\" maxRetries=\"1000\" retryMinBackoffMs=\"100\" retryMaxBackoffMs=\"200\"");
        LokiAppender appender = loki(ctx);
        Logger log = ctx.getLogger("shop.orders");
        for (int i = 0; i < 300; i++) {
            log.info("doomed {}", i);
        }
        loki.close(); // connections are refused from now on

        long started = System.nanoTime();
        LogManager.shutdown(ctx);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(tookMs).as("stop took (ms)").isLessThan(2_000L);
        StatsSnapshot s = appender.stats();
        assertThat(s.delivered()).isZero();
        assertThat(s.dropped(DropReason.SHUTDOWN_TIMEOUT)).isEqualTo(300);
        assertThat(status.lokiMessages(Level.ERROR)).contains("Loki appender 'LOKI' stopped: 300 of 300 events were"
                + " not delivered to Loki {SHUTDOWN_TIMEOUT=300} (delivered 0)");
        assertThat(Log4jTestSupport.shipperThreads()).isEmpty();
        ctx = null;
    }

    @Test
    void withASpoolWhatLokiCouldNotTakeBeforeShutdownIsDeliveredFirstByTheNextStart() {
        Path spool = dir.resolve("spool");
        String attributes = "spoolDirectory=\"" + spool + "\" shutdownTimeoutMs=\"1000\" retryMinBackoffMs=\"10\""
                + " retryMaxBackoffMs=\"50\"";
        loki.setDown(true); // 503 for every push
        ctx = startHolding(attributes);
        LokiAppender first = loki(ctx);
        for (int i = 0; i < 300; i++) {
            ctx.getLogger("shop.orders").info("kept {}", i);
        }
        LogManager.shutdown(ctx);
        StatsSnapshot s = first.stats();
        assertThat(s.inSpool()).isEqualTo(300);
        assertThat(s.droppedTotal()).isZero();
        assertThat(status.lokiMessages(Level.INFO)).contains("Loki appender 'LOKI' stopped: 0 events delivered, 0 not"
                + " delivered, 300 left in the spool " + spool + " for the next start");
        assertThat(status.lokiMessages(Level.ERROR)).isEmpty();

        loki.setDown(false);
        ctx = Log4jTestSupport.startXml(dir, "restarted", Log4jTestSupport.xml(loki.url(), attributes,
                "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"shop\"/>"));
        LokiAppender second = loki(ctx);
        ctx.getLogger("shop.orders").info("new");
        LogManager.shutdown(ctx);
        ctx = null;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            expected.add("kept " + i);
        }
        expected.add("new");
        assertThat(lines(loki.entries())).containsExactlyElementsOf(expected);
        assertThat(second.stats().recoveredDelivered()).isEqualTo(300);
        assertThat(second.stats().delivered()).isEqualTo(1);
    }

    @Test
    void standInHangingAtShutdownReturnsWithinTheTimeoutAndReportsTheLoss() {
        ctx = startHolding("shutdownTimeoutMs=\"1000\"");
        LokiAppender appender = loki(ctx);
        Logger log = ctx.getLogger("shop.orders");
        for (int i = 0; i < 200; i++) {
            log.info("stuck {}", i);
        }
        loki.hang(true);

        long started = System.nanoTime();
        LogManager.shutdown(ctx);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        loki.hang(false);

        assertThat(tookMs).as("stop took (ms)").isLessThan(2_000L);
        assertThat(appender.stats().dropped(DropReason.SHUTDOWN_TIMEOUT)).isEqualTo(200);
        assertThat(status.lokiMessages(Level.ERROR)).contains("Loki appender 'LOKI' stopped: 200 of 200 events were"
                + " not delivered to Loki {SHUTDOWN_TIMEOUT=200} (delivered 0)");
        assertThat(Log4jTestSupport.shipperThreads()).isEmpty();
        ctx = null;
    }

    @Test
    void log4j2ShutdownHookDeliversWhenTheJvmExits() throws Exception {
        Path config = Log4jTestSupport.write(dir, "exit.xml", "<Configuration status=\"info\"><Appenders>"
                + "<Loki name=\"EXIT\" url=\"" + loki.url() + "\" flushIntervalMs=\"60000\" batchMaxEvents=\"10000\">"
                + "<PatternLayout pattern=\"%msg\"/><Label name=\"app\" value=\"exit\"/></Loki></Appenders>"
                + "<Loggers><Root level=\"info\"><AppenderRef ref=\"EXIT\"/></Root></Loggers></Configuration>");
        Path output = dir.resolve("child.log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dlog4j2.configurationFile=" + config);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ShutdownHookMain.class.getName());
        command.add("300");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();

        boolean exited = child.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String out = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);

        assertThat(exited).as(out).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(loki.entryCount()).as(out).isEqualTo(300);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            expected.add("exit " + i);
        }
        assertThat(new HashSet<>(lines(loki.entries()))).isEqualTo(expected);
        assertThat(out).contains("Loki appender 'EXIT' stopped: 300 events delivered, 0 not delivered");
    }
}
