package io.github.lokiappender.logback;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

import static io.github.lokiappender.logback.TestLogback.config;
import static io.github.lokiappender.logback.TestLogback.configure;
import static io.github.lokiappender.logback.TestLogback.list;
import static io.github.lokiappender.logback.TestLogback.loki;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The JDK HTTP client's own logging (System.Logger, backed by java.util.logging) bridged into
 * SLF4J, as jul-to-slf4j does in many applications: its records reach Logback, but the appender
 * must neither ship them nor stall on them. Runs in its own surefire execution, which turns the
 * client's logging on with {@code -Djdk.httpclient.HttpClient.log} before the client loads.
 */
class JdkHttpClientLoggingTest {

    @Test
    @Timeout(60)
    void httpClientLogsBridgedIntoLogbackAreNotShippedAndDoNotStall() {
        assumeTrue(System.getProperty("jdk.httpclient.HttpClient.log") != null,
                "needs -Djdk.httpclient.HttpClient.log (the jdk-http-client-logging surefire execution)");
        java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        Handler[] saved = julRoot.getHandlers();
        Level savedLevel = julRoot.getLevel();
        try (FakeLoki fake = FakeLoki.start()) {
            // httpTransport=jdk: the JDK client is used when asked for, or when a system proxy applies
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url><httpTransport>jdk</httpTransport>"
                    + "<overflowPolicy>BLOCK</overflowPolicy>"
                    + "<blockTimeoutMs>20000</blockTimeoutMs><bufferMaxEvents>2</bufferMaxEvents>"
                    + "<flushIntervalMs>20</flushIntervalMs><labels>app=shop</labels>"));
            for (Handler h : saved) {
                julRoot.removeHandler(h);
            }
            julRoot.addHandler(new BridgeToSlf4j(ctx));
            julRoot.setLevel(Level.ALL);
            LokiAppender appender = loki(ctx);
            ListAppender<ILoggingEvent> all = list(ctx);

            long start = System.nanoTime();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ctx.getLogger("app").info("app event {}", i);
                expected.add("app event " + i);
            }
            fake.awaitEntries(30, java.time.Duration.ofSeconds(15));
            ctx.stop();
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(all.list).as("the JDK client's records reached Logback through the bridge")
                    .anyMatch(e -> e.getLoggerName().equals("jdk.httpclient.HttpClient"));
            assertThat(fake.entries()).extracting(Entry::line).containsExactlyElementsOf(expected);
            assertThat(appender.getStats().offered()).isEqualTo(30);
            assertThat(tookMs).as("no stall waiting for buffer room").isLessThan(10_000);
        } finally {
            for (Handler h : julRoot.getHandlers()) {
                julRoot.removeHandler(h);
            }
            for (Handler h : saved) {
                julRoot.addHandler(h);
            }
            julRoot.setLevel(savedLevel);
        }
    }

    /** A minimal java.util.logging to SLF4J bridge, in the spirit of jul-to-slf4j. */
    private static final class BridgeToSlf4j extends Handler {
        private final LoggerContext ctx;
        private final SimpleFormatter formatter = new SimpleFormatter();

        BridgeToSlf4j(LoggerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLoggerName() != null && r.getLoggerName().startsWith("com.sun.net.httpserver")) {
                return; // the stand-in's own server: in production Loki runs in another process
            }
            org.slf4j.Logger log = ctx.getLogger(r.getLoggerName() == null ? "jul" : r.getLoggerName());
            String msg = formatter.formatMessage(r);
            int level = r.getLevel().intValue();
            if (level >= Level.SEVERE.intValue()) {
                log.error(msg, r.getThrown());
            } else if (level >= Level.WARNING.intValue()) {
                log.warn(msg, r.getThrown());
            } else if (level >= Level.INFO.intValue()) {
                log.info(msg, r.getThrown());
            } else {
                log.debug(msg, r.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
