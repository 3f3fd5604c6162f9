package io.github.lokiappender.logback;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import io.github.lokiappender.core.http.InternalThreads;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.github.lokiappender.logback.TestLogback.config;
import static io.github.lokiappender.logback.TestLogback.configure;
import static io.github.lokiappender.logback.TestLogback.list;
import static io.github.lokiappender.logback.TestLogback.loki;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing the appender's own machinery logs may come back into it. The appenders here use the
 * BLOCK policy with a tiny buffer: an event that did come back on the shipper's thread would wait
 * for room only the shipper can make, so a missing guard shows as a stall, not only as an extra line.
 */
@Timeout(60)
class RecursionGuardTest {

    private static final String BLOCKING = "<overflowPolicy>BLOCK</overflowPolicy><blockTimeoutMs>20000</blockTimeoutMs>"
            + "<bufferMaxEvents>2</bufferMaxEvents><flushIntervalMs>20</flushIntervalMs><labels>app=shop</labels>";

    @Test
    void eventsLoggedOnTheAppendersOwnThreadsAreNotShipped() throws Exception {
        try (FakeLoki fake = FakeLoki.start()) {
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url>" + BLOCKING));
            LokiAppender appender = loki(ctx);
            ListAppender<ILoggingEvent> all = list(ctx);
            Thread internal = InternalThreads.factory("loki-test").newThread(
                    () -> ctx.getLogger("app").info("from an internal thread"));
            internal.start();
            internal.join(TimeUnit.SECONDS.toMillis(10));
            ctx.getLogger("app").info("from the application");
            ctx.stop();

            assertThat(all.list).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("from an internal thread", "from the application");
            assertThat(fake.entries()).extracting(Entry::line).containsExactly("from the application");
            assertThat(appender.getStats().offered()).isEqualTo(1);
        }
    }

    @Test
    void eventsFromTheHttpClientAndTheCoreLoggersAreNotShipped() {
        try (FakeLoki fake = FakeLoki.start()) {
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url>" + BLOCKING));
            LokiAppender appender = loki(ctx);
            for (String name : List.of("jdk.httpclient.HttpClient", "jdk.internal.httpclient.debug",
                    "java.net.http.HttpClient", "io.github.lokiappender.core.Shipper")) {
                ctx.getLogger(name).warn("internal from {}", name);
            }
            ctx.getLogger("app").info("kept");
            ctx.stop();

            assertThat(fake.entries()).extracting(Entry::line).containsExactly("kept");
            assertThat(appender.getStats().offered()).isEqualTo(1);
        }
    }

    @Test
    void aStatusListenerThatLogsOnTheShipperThreadDoesNotFeedTheAppender() {
        try (FakeLoki fake = FakeLoki.start()) {
            fake.respondWith(500, 500); // the shipper reports two retries through Logback's status
            LoggerContext ctx = configure(config("<url>" + fake.url() + "</url><retryMinBackoffMs>10</retryMinBackoffMs>"
                    + BLOCKING));
            LokiAppender appender = loki(ctx);
            ListAppender<ILoggingEvent> all = list(ctx);
            // a listener that logs every status message, on whatever thread reported it
            List<String> echoThreads = new CopyOnWriteArrayList<>();
            StatusListener echo = new StatusListener() {
                @Override
                public void addStatusEvent(Status status) {
                    if (status.getOrigin() instanceof LokiAppender && status.getLevel() >= Status.WARN) {
                        echoThreads.add(Thread.currentThread().getName());
                        ctx.getLogger("app.status").warn("status: {}", status.getMessage());
                    }
                }

                @Override
                public boolean isResetResistant() {
                    return false;
                }
            };
            ctx.getStatusManager().add(echo);
            ctx.getLogger("app").info("triggers retries");
            fake.awaitEntries(1, java.time.Duration.ofSeconds(10));
            ctx.stop();

            List<ILoggingEvent> echoed = all.list.stream().filter(e -> e.getLoggerName().equals("app.status")).toList();
            assertThat(echoed).hasSize(2).allSatisfy(
                    e -> assertThat(e.getFormattedMessage()).startsWith("status: push to Loki failed"));
            assertThat(echoThreads).hasSize(2).allSatisfy(t -> assertThat(t).startsWith("loki-shipper-LOKI"));
            assertThat(fake.entries()).extracting(Entry::line).containsExactly("triggers retries");
            assertThat(appender.getStats().offered()).isEqualTo(1);
            assertThat(appender.getStats().retries()).isEqualTo(2);
        }
    }
}
