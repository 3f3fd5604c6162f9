package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The appender's whole caller path (format the line, resolve labels, hand over)
 * allocates nothing in steady state, whether the shipper keeps up (the buffer's memory is reused once batches are sent) or the
 * buffer is full (nothing is copied). Measured with the thread's allocation counter
 * over many calls after warm-up; the budget leaves room for the rare lock-queue node when the
 * caller meets the shipper on the buffer's lock.
 */
class CallerAllocationTest {

    /** Bytes per call allowed on average (was 176 per call while each call made an event and a line array). */
    static final long CEILING = 16;

    private final FakeLoki loki = FakeLoki.start();
    private LokiAppender appender;

    @AfterEach
    void tearDown() {
        if (appender != null) {
            appender.stop(10, TimeUnit.SECONDS);
        }
        loki.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "protobuf"})
    void steadyStateLoggingAllocatesAtMostTheCeilingPerCall(String format) {
        appender = LokiAppender.newBuilder()
                .setName("alloc-" + format)
                .setUrl(loki.url())
                .setFormat(format)
                .setBatchMaxEvents(1_000)
                .setFlushIntervalMs(5)
                .setBufferMaxBytes(1 << 20)
                .setLayout(PatternLayout.newBuilder().withPattern("%level %logger [%thread] - %msg").build())
                .setLabels(Label.of("app", "shop"), Label.ofPattern("level", "%level"))
                .build();
        appender.start();
        LogEvent event = Log4jLogEvent.newBuilder().setLoggerName("com.example.shop.OrderService").setLevel(Level.INFO)
                .setThreadName("worker-1").setMessage(new SimpleMessage("GET /api/orders/12345 completed in 17 ms"))
                .setTimeMillis(System.currentTimeMillis()).build();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        for (int i = 0; i < 300_000; i++) {
            appender.append(event);
        }
        int n = 300_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            appender.append(event);
        }
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / n;

        assertThat(appender.flush(Duration.ofSeconds(30))).isTrue();
        StatsSnapshot s = appender.stats();
        System.out.printf("log4j2 caller, %s: %d bytes per call; %d offered, %d delivered, %d dropped%n",
                format, perCall, s.offered(), s.delivered(), s.droppedTotal());
        assertThat(s.offered()).isEqualTo(600_000);
        assertThat(s.delivered() + s.droppedTotal()).isEqualTo(600_000);
        assertThat(perCall).as("bytes allocated per logging call").isLessThanOrEqualTo(CEILING);
    }
}
