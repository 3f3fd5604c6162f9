package io.github.lokiappender.logback;

import ch.qos.logback.classic.LoggerContext;
import io.github.lokiappender.testsupport.FakeLoki;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.util.List;
import java.util.stream.Collectors;

import static io.github.lokiappender.logback.TestLogback.configure;
import static io.github.lokiappender.logback.TestLogback.find;
import static io.github.lokiappender.logback.TestLogback.problems;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code micrometer} option and the meters a Logback appender registers in Micrometer's global registry. */
class LokiAppenderMicrometerTest {

    private final FakeLoki loki = FakeLoki.start();
    private final SimpleMeterRegistry simple = new SimpleMeterRegistry();
    private LoggerContext ctx;

    @BeforeEach
    void addRegistry() {
        Metrics.addRegistry(simple);
    }

    @AfterEach
    void tearDown() {
        if (ctx != null) {
            ctx.stop();
        }
        Metrics.removeRegistry(simple);
        simple.close();
        loki.close();
    }

    private LoggerContext start(String appenderName, String extraElements) {
        ctx = configure("<configuration>\n"
                + "  <appender name=\"" + appenderName + "\" class=\"io.github.lokiappender.logback.LokiAppender\">\n"
                + "    <url>" + loki.url() + "</url><labels>app=shop</labels><flushIntervalMs>20</flushIntervalMs>\n"
                + "    " + extraElements + "\n"
                + "  </appender>\n"
                + "  <root level=\"INFO\"><appender-ref ref=\"" + appenderName + "\"/></root>\n"
                + "</configuration>\n");
        return ctx;
    }

    private List<Meter> metersOf(String appender) {
        return simple.getMeters().stream().filter(m -> appender.equals(m.getId().getTag("appender")))
                .collect(Collectors.toList());
    }

    /** One of each meter (no duplicates), the main ones among them. */
    private void assertAllMeters(String appender) {
        List<Meter> meters = metersOf(appender);
        assertThat(meters.stream().map(Meter::getId).distinct()).hasSameSizeAs(meters);
        assertThat(meters).extracting(m -> m.getId().getName()).contains("loki.appender.events.offered",
                "loki.appender.events.delivered", "loki.appender.events.dropped", "loki.appender.sent.bytes",
                "loki.appender.buffer.events", "loki.appender.events.pending");
    }

    private double counter(String name, String appender) {
        return simple.get(name).tag("appender", appender).functionCounter().count();
    }

    @Test
    void registersMetersNamedAfterTheAppenderAndRemovesThemOnStop() {
        start("LOKI_METERS", "");
        LokiAppender appender = (LokiAppender) find(ctx, "LOKI_METERS");
        assertThat(appender.config().micrometer()).isTrue();
        Logger log = ctx.getLogger("shop.orders");
        for (int i = 0; i < 3; i++) {
            log.info("order {}", i);
        }
        assertThat(appender.flush(10_000)).isTrue();

        assertAllMeters("LOKI_METERS");
        assertThat(counter("loki.appender.events.offered", "LOKI_METERS")).isEqualTo(3);
        assertThat(counter("loki.appender.events.delivered", "LOKI_METERS")).isEqualTo(3);
        assertThat(counter("loki.appender.batches.sent", "LOKI_METERS"))
                .isEqualTo(appender.getStats().batchesSent()).isPositive();
        assertThat(problems(ctx)).isEmpty();

        appender.stop();
        assertThat(metersOf("LOKI_METERS")).isEmpty();
        appender.start(); // a restarted appender registers again, from zero
        assertAllMeters("LOKI_METERS");
        assertThat(counter("loki.appender.events.offered", "LOKI_METERS")).isZero();
        ctx.stop();
        assertThat(metersOf("LOKI_METERS")).isEmpty();
    }

    @Test
    void micrometerFalseRegistersNothing() {
        start("LOKI_NO_METERS", "<micrometer>false</micrometer>");
        LokiAppender appender = (LokiAppender) find(ctx, "LOKI_NO_METERS");
        ctx.getLogger("shop.orders").info("order");
        assertThat(appender.flush(10_000)).isTrue();

        assertThat(appender.isStarted()).isTrue();
        assertThat(appender.config().micrometer()).isFalse();
        assertThat(metersOf("LOKI_NO_METERS")).isEmpty();
        assertThat(problems(ctx)).isEmpty();
    }
}
