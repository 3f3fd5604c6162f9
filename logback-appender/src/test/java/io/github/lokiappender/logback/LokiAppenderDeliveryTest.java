package io.github.lokiappender.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.github.lokiappender.logback.TestLogback.config;
import static io.github.lokiappender.logback.TestLogback.configure;
import static io.github.lokiappender.logback.TestLogback.list;
import static io.github.lokiappender.logback.TestLogback.loki;
import static io.github.lokiappender.logback.TestLogback.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/** SLF4J through a real logback configuration to the in-process Loki stand-in. */
class LokiAppenderDeliveryTest {

    static FakeLoki fake;

    @BeforeAll
    static void startFake() {
        fake = FakeLoki.start();
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @BeforeEach
    void clear() {
        fake.reset();
        MDC.clear();
    }

    private static LoggerContext start(String elements) {
        LoggerContext ctx = configure(config("<url>" + fake.url() + "</url>\n<flushIntervalMs>50</flushIntervalMs>\n"
                + elements));
        assertThat(loki(ctx).isStarted()).as("appender started; status: %s", problems(ctx)).isTrue();
        return ctx;
    }

    @Test
    void labelsComeFromStaticValuesLevelMdcAndKeyValuePairs() {
        LoggerContext ctx = start("""
                <labels>
                  app=shop
                  host=${HOSTNAME}
                  env=${LOKI_APPENDER_TEST_UNSET:-dev}
                  level=%level
                  tenant=%mdc{tenant}
                  user=%kvp{user}
                  source=%logger{0}-%kvp{channel}
                </labels>
                """);
        String host = ctx.getProperty("HOSTNAME");
        try {
            Logger log = ctx.getLogger("shop.orders.OrderService");
            MDC.put("tenant", "acme");
            log.atInfo().addKeyValue("user", "alice").addKeyValue("channel", "web").log("order placed");
            MDC.clear();
            log.warn("stock low");
            log.atError().addKeyValue("user", 42).log("payment failed");
            LokiAppender appender = loki(ctx);
            ctx.stop();

            assertThat(fake.entries()).extracting(Entry::line, Entry::labels).containsExactlyInAnyOrder(
                    tuple("order placed", Map.of("app", "shop", "host", host, "env", "dev",
                            "level", "INFO", "tenant", "acme", "user", "alice", "source", "OrderService-web")),
                    tuple("stock low", Map.of("app", "shop", "host", host, "env", "dev",
                            "level", "WARN", "source", "OrderService-")),
                    tuple("payment failed", Map.of("app", "shop", "host", host, "env", "dev",
                            "level", "ERROR", "user", "42", "source", "OrderService-")));
            assertThat(appender.getStats().delivered()).isEqualTo(3);
        } finally {
            ctx.stop();
        }
    }

    @Test
    void eventsWithoutAnyLabelGoToTheServiceNameStream() {
        LoggerContext ctx = start("<labels>trace=%mdc{trace}</labels>");
        try {
            Logger log = ctx.getLogger("app");
            log.info("no labels at all");
            MDC.put("trace", "t1");
            log.info("with trace");
            ctx.stop();
            assertThat(fake.entries()).extracting(Entry::line, Entry::labels).containsExactlyInAnyOrder(
                    tuple("no labels at all", Map.of("service_name", "test-app")),
                    tuple("with trace", Map.of("trace", "t1")));
        } finally {
            ctx.stop();
        }
    }

    @Test
    void inAnUnnamedContextEventsWithoutAnyLabelGoToUnknownServiceAsInLog4j2() {
        LoggerContext ctx = TestLogback.configure(TestLogback.config("<url>" + fake.url() + "</url>"
                + "<flushIntervalMs>50</flushIntervalMs><labels>trace=%mdc{trace}</labels>"),
                ch.qos.logback.core.CoreConstants.DEFAULT_CONTEXT_NAME); // the name SLF4J's Logback binding gives
        try {
            assertThat(ctx.getName()).isEqualTo("default");
            ctx.getLogger("app").info("no labels, no context name");
            ctx.stop();
            assertThat(fake.entries()).extracting(Entry::line, Entry::labels).containsExactly(
                    tuple("no labels, no context name", Map.of("service_name", "unknown_service")));
        } finally {
            ctx.stop();
        }
    }

    @Test
    void structuredMetadataIsSentAsConfigured() {
        LoggerContext ctx = start("""
                <labels>app=shop</labels>
                <structuredMetadata>trace_id=%mdc{trace_id}, order=%kvp{order_id}, thread=%thread, build=b-17</structuredMetadata>
                """);
        try {
            Logger log = ctx.getLogger("app");
            MDC.put("trace_id", "4bf92f35");
            log.atInfo().addKeyValue("order_id", 1001).log("with metadata");
            MDC.clear();
            log.info("without dynamic metadata");
            ctx.stop();
            String thread = Thread.currentThread().getName();
            assertThat(fake.entries()).extracting(Entry::line, Entry::structuredMetadata).containsExactly(
                    tuple("with metadata",
                            Map.of("trace_id", "4bf92f35", "order", "1001", "thread", thread, "build", "b-17")),
                    tuple("without dynamic metadata", Map.of("thread", thread, "build", "b-17")));
        } finally {
            ctx.stop();
        }
    }

    @Test
    void noStructuredMetadataIsSentUnlessConfigured() {
        // Loki 2.8 rejects any third element in a JSON entry: every push must pass
        try (FakeLoki old = FakeLoki.builder().lokiVersion("2.8.0").start()) {
            LoggerContext ctx = configure(config("<url>" + old.url() + "</url><labels>app=shop, level=%level</labels>"));
            Logger log = ctx.getLogger("app");
            MDC.put("trace_id", "abc");
            log.atInfo().addKeyValue("k", "v").log("plain");
            ctx.stop();
            assertThat(old.requests()).extracting(FakeLoki.Request::status).containsOnly(204);
            assertThat(old.entries()).singleElement().satisfies(e -> {
                assertThat(e.line()).isEqualTo("plain");
                assertThat(e.structuredMetadata()).isEmpty();
            });
        }
    }

    @Test
    void lineIsExactIncludingNonAsciiAndAnExceptionWithCauseAndSuppressed() {
        LoggerContext ctx = start("<labels>app=shop</labels>");
        try {
            Logger log = ctx.getLogger("app.payments");
            String message = "Zahlung fehlgeschlagen: 123,45 € für Jürgen — 日本語 ✓ 🚀";
            IOException cause = new IOException("disk full: /var/data");
            IllegalStateException error = new IllegalStateException("payment failed", cause);
            error.addSuppressed(new IllegalArgumentException("rollback failed"));
            log.error("Zahlung fehlgeschlagen: {} für {} — 日本語 ✓ 🚀", "123,45 €", "Jürgen", error);
            log.info("first line\nsecond line\ttab");
            ILoggingEvent captured = list(ctx).list.get(0);
            ctx.stop();

            PatternLayout reference = new PatternLayout();
            reference.setContext(ctx);
            reference.setPattern("%msg%n%ex");
            reference.start();
            String rendered = reference.doLayout(captured);
            String expected = rendered.substring(0, rendered.length() - System.lineSeparator().length());

            List<Entry> entries = fake.entries();
            assertThat(entries).hasSize(2);
            String line = entries.get(0).line();
            assertThat(line).isEqualTo(expected);
            String[] lines = line.split("\n");
            assertThat(lines[0]).isEqualTo(message);
            assertThat(lines[1]).isEqualTo("java.lang.IllegalStateException: payment failed");
            assertThat(line).contains("\n\tSuppressed: java.lang.IllegalArgumentException: rollback failed\n")
                    .contains("\nCaused by: java.io.IOException: disk full: /var/data\n")
                    .doesNotEndWith("\n");
            assertThat(entries.get(1).line()).isEqualTo("first line\nsecond line\ttab");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void lineComesFromAConfiguredLayout() {
        LoggerContext ctx = start("""
                <labels>app=shop</labels>
                <layout class="ch.qos.logback.classic.PatternLayout"><pattern>[%level] %logger{0} - %msg%n</pattern></layout>
                """);
        try {
            ctx.getLogger("app.Orders").info("hello ü");
            ctx.stop();
            assertThat(fake.entries()).extracting(Entry::line).containsExactly("[INFO] Orders - hello ü");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void lineComesFromAConfiguredEncoder() {
        LoggerContext ctx = start("""
                <labels>app=shop</labels>
                <encoder><pattern>%level|%msg%n</pattern></encoder>
                """);
        try {
            ctx.getLogger("app").warn("careful ✓");
            ctx.stop();
            assertThat(fake.entries()).extracting(Entry::line).containsExactly("WARN|careful ✓");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void lineComesFromAnEncoderThatOnlyProducesBytes() {
        LoggerContext ctx = start("""
                <labels>app=shop</labels>
                <encoder class="io.github.lokiappender.logback.LokiAppenderDeliveryTest$BytesEncoder"/>
                """);
        try {
            ctx.getLogger("app").info("grüße");
            ctx.stop();
            assertThat(fake.entries()).extracting(Entry::line).containsExactly("{\"msg\":\"grüße\"}");
        } finally {
            ctx.stop();
        }
    }

    /** A JSON-ish encoder that is not layout-based: its UTF-8 bytes become the line. */
    public static final class BytesEncoder extends EncoderBase<ILoggingEvent> {
        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            return ("{\"msg\":\"" + event.getFormattedMessage() + "\"}\r\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }

    @Test
    void timestampsKeepNanosecondsAndStayInOrderWithinAStream() {
        LoggerContext ctx = start("<labels>app=shop, level=%level</labels>");
        try {
            Logger log = ctx.getLogger("app");
            for (int i = 0; i < 300; i++) {
                log.info("event {}", i);
            }
            // an event with a timestamp finer than the clock's, through Logback's own event type
            LoggingEvent precise = new LoggingEvent(LokiAppenderDeliveryTest.class.getName(), ctx.getLogger("app"),
                    Level.WARN, "precise", null, null);
            Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1).plusNanos(123_456_789);
            precise.setInstant(t);
            ctx.getLogger("app").callAppenders(precise);
            List<ILoggingEvent> captured = list(ctx).list;
            ctx.stop();

            Map<String, Long> sent = new HashMap<>();
            for (ILoggingEvent e : captured) {
                Instant i = e.getInstant();
                sent.put(e.getFormattedMessage(), i.getEpochSecond() * 1_000_000_000L + i.getNano());
            }
            List<Entry> info = fake.streams().get("{app=\"shop\", level=\"INFO\"}");
            assertThat(info).hasSize(300);
            for (int i = 0; i < info.size(); i++) {
                Entry e = info.get(i);
                assertThat(e.line()).isEqualTo("event " + i);
                assertThat(e.timestampNanos()).isEqualTo(sent.get(e.line()));
                if (i > 0) {
                    assertThat(e.timestampNanos()).isGreaterThanOrEqualTo(info.get(i - 1).timestampNanos());
                }
            }
            List<Entry> warn = fake.streams().get("{app=\"shop\", level=\"WARN\"}");
            assertThat(warn).singleElement().extracting(Entry::timestampNanos)
                    .isEqualTo(t.getEpochSecond() * 1_000_000_000L + 123_456_789L);
        } finally {
            ctx.stop();
        }
    }

    @Test
    void tenThousandEventsFromFourThreadsAreDeliveredExactlyOnce() throws Exception {
        LoggerContext ctx = start("<labels>app=shop, level=%level, worker=%mdc{worker}</labels>");
        try {
            int threads = 4;
            int perThread = 2_500;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    Logger log = ctx.getLogger("app.worker" + id);
                    MDC.put("worker", "w" + id);
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        if (i % 10 == 0) {
                            log.warn("w{}-{}", id, i);
                        } else {
                            log.info("w{}-{}", id, i);
                        }
                    }
                }, "worker-" + t);
                workers.add(w);
                w.start();
            }
            go.countDown();
            for (Thread w : workers) {
                w.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(w.isAlive()).isFalse();
            }
            fake.awaitEntries(threads * perThread, Duration.ofSeconds(30));
            LokiAppender appender = loki(ctx);
            ctx.stop();

            List<Entry> entries = fake.entries();
            assertThat(entries).hasSize(threads * perThread);
            Set<String> lines = new HashSet<>();
            for (Entry e : entries) {
                lines.add(e.line());
                String worker = e.line().substring(0, e.line().indexOf('-'));
                assertThat(e.labels()).containsEntry("worker", worker);
            }
            assertThat(lines).hasSize(threads * perThread);
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    assertThat(lines).contains("w" + t + "-" + i);
                }
            }
            assertThat(fake.streams()).hasSize(8);
            assertThat(fake.duplicatesDropped()).isZero();
            assertThat(fake.requests()).allSatisfy(r -> assertThat(r.status()).isEqualTo(204));
            assertThat(fake.requests().stream().mapToInt(FakeLoki.Request::entryCount).sum()).isEqualTo(threads * perThread);
            assertThat(appender.getStats().delivered()).isEqualTo(threads * perThread);
            assertThat(appender.getStats().droppedTotal()).isZero();
            assertThat(appender.labelResolver()).isNull(); // stopped
        } finally {
            ctx.stop();
        }
    }

    @Test
    void worksBehindAsyncAppender() {
        LoggerContext ctx = configure("""
                <configuration>
                  <appender name="LOKI" class="io.github.lokiappender.logback.LokiAppender">
                    <url>%s</url>
                    <flushIntervalMs>50</flushIntervalMs>
                    <labels>app=shop, level=%%level, tenant=%%mdc{tenant}</labels>
                    <structuredMetadata>thread=%%thread</structuredMetadata>
                  </appender>
                  <appender name="ASYNC" class="ch.qos.logback.classic.AsyncAppender">
                    <queueSize>256</queueSize>
                    <discardingThreshold>0</discardingThreshold>
                    <maxFlushTime>10000</maxFlushTime>
                    <appender-ref ref="LOKI"/>
                  </appender>
                  <root level="INFO"><appender-ref ref="ASYNC"/></root>
                </configuration>
                """.formatted(fake.url()));
        try {
            LokiAppender appender = (LokiAppender) TestLogback.find(ctx, "LOKI");
            assertThat(appender.isStarted()).isTrue();
            Logger log = ctx.getLogger("app");
            MDC.put("tenant", "acme");
            for (int i = 0; i < 1_000; i++) {
                log.info("async {}", i);
            }
            ctx.stop(); // drains the async queue into LOKI, which then flushes

            List<Entry> entries = fake.entries();
            assertThat(entries).hasSize(1_000);
            assertThat(entries).extracting(Entry::line).doesNotHaveDuplicates();
            assertThat(entries).allSatisfy(e -> {
                assertThat(e.labels()).containsExactly(entry("app", "shop"), entry("level", "INFO"), entry("tenant", "acme"));
                assertThat(e.structuredMetadata()).containsExactly(entry("thread", Thread.currentThread().getName()));
            });
            assertThat(appender.getStats().delivered()).isEqualTo(1_000);
        } finally {
            ctx.stop();
        }
    }

    @Test
    void appenderCanBeRestartedAndDeliversAgain() {
        LoggerContext ctx = start("<labels>app=shop</labels>");
        try {
            LokiAppender appender = loki(ctx);
            Logger log = ctx.getLogger("app");
            log.info("before restart");
            appender.stop();
            assertThat(appender.getStats().delivered()).isEqualTo(1);
            log.info("while stopped");
            appender.start();
            log.info("after restart");
            assertThat(appender.flush(5_000)).isTrue();
            assertThat(fake.entries()).extracting(Entry::line).containsExactly("before restart", "after restart");
            assertThat(appender.getStats().delivered()).isEqualTo(1);
        } finally {
            ctx.stop();
        }
    }
}
