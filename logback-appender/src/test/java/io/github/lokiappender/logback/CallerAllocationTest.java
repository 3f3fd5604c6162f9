package io.github.lokiappender.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the appender adds to Logback's own cost on the logging thread: with the default line and up
 * to three dynamic labels, nothing in steady state (the line's bytes are copied into the buffer's
 * reused memory, no event object is made). Logback's event,
 * formatted message and arguments are the framework's and not measured here: the event is built once.
 */
class CallerAllocationTest {

    /** Bytes per call allowed on average (was 240 per call while each call made an event and a line array). */
    static final long CEILING = 16;

    private final FakeLoki loki = FakeLoki.start();
    private LoggerContext ctx;

    @AfterEach
    void tearDown() {
        if (ctx != null) {
            ctx.stop();
        }
        loki.close();
    }

    @ParameterizedTest
    @CsvSource({"json, 'app=shop, level=%level'", "protobuf, 'app=shop, level=%level'",
            "json, 'app=shop, level=%level, logger=%logger, thread=%thread'"})
    void steadyStateAppendAllocatesAtMostTheCeilingPerCall(String format, String labels) {
        ctx = TestLogback.configure(TestLogback.config("<url>" + loki.url() + "</url><format>" + format + "</format>"
                + "<labels>" + labels + "</labels><batchMaxEvents>1000</batchMaxEvents>"
                + "<flushIntervalMs>5</flushIntervalMs><bufferMaxBytes>1048576</bufferMaxBytes>"));
        LokiAppender appender = TestLogback.loki(ctx);
        LoggingEvent event = new LoggingEvent(CallerAllocationTest.class.getName(), ctx.getLogger("com.example.shop.OrderService"),
                Level.INFO, "GET {} completed in {} ms", null, new Object[]{"/api/orders/12345", 17});
        event.getFormattedMessage(); // Logback's own work, done once
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        for (int i = 0; i < 300_000; i++) {
            appender.doAppend(event);
        }
        int n = 300_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            appender.doAppend(event);
        }
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / n;

        assertThat(appender.flush(30_000)).isTrue();
        StatsSnapshot s = appender.getStats();
        System.out.printf("logback caller, %s: %d bytes per call; %d offered, %d delivered, %d dropped%n",
                format, perCall, s.offered(), s.delivered(), s.droppedTotal());
        assertThat(s.offered()).isEqualTo(600_000);
        assertThat(s.delivered() + s.droppedTotal()).isEqualTo(600_000);
        assertThat(perCall).as("bytes the appender allocates per logging call").isLessThanOrEqualTo(CEILING);
    }
}
