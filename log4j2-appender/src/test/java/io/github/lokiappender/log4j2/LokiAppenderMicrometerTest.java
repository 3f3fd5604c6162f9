package io.github.lokiappender.log4j2;

import io.github.lokiappender.testsupport.FakeLoki;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code micrometer} attribute and the meters a Log4j2 appender registers in Micrometer's global registry. */
class LokiAppenderMicrometerTest {

    @TempDir
    Path dir;
    private final FakeLoki loki = FakeLoki.start();
    private final SimpleMeterRegistry simple = new SimpleMeterRegistry();
    private LoggerContext ctx;
    private StatusCapture status;

    @BeforeEach
    void addRegistry() {
        Metrics.addRegistry(simple);
        status = StatusCapture.open(Level.WARN);
    }

    @AfterEach
    void tearDown() {
        Log4jTestSupport.stop(ctx);
        status.close();
        Metrics.removeRegistry(simple);
        simple.close();
        loki.close();
    }

    private String xml(String appenderName, String attributes, String labelValue) {
        return "<Configuration><Appenders>"
                + "<Loki name=\"" + appenderName + "\" url=\"" + loki.url() + "\" flushIntervalMs=\"20\" " + attributes + ">"
                + "<PatternLayout pattern=\"%m\"/><Label name=\"app\" value=\"" + labelValue + "\"/></Loki>"
                + "</Appenders><Loggers><Root level=\"info\"><AppenderRef ref=\"" + appenderName + "\"/></Root>"
                + "</Loggers></Configuration>";
    }

    private LokiAppender appender(String name) {
        return ctx.getConfiguration().getAppender(name);
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

    private void log(int n) {
        Logger log = ctx.getLogger("shop.orders");
        for (int i = 0; i < n; i++) {
            log.info("order {}", i);
        }
    }

    @Test
    void registersMetersNamedAfterTheAppenderAndRemovesThemOnStop() {
        ctx = Log4jTestSupport.startXml(dir, "meters", xml("LOKI_METERS", "", "shop"));
        assertThat(appender("LOKI_METERS").config().micrometer()).isTrue();
        log(3);
        assertThat(appender("LOKI_METERS").flush(Duration.ofSeconds(10))).isTrue();

        assertAllMeters("LOKI_METERS");
        assertThat(counter("loki.appender.events.offered", "LOKI_METERS")).isEqualTo(3);
        assertThat(counter("loki.appender.events.delivered", "LOKI_METERS")).isEqualTo(3);
        assertThat(status.lokiMessages(Level.WARN)).isEmpty();

        Log4jTestSupport.stop(ctx);
        ctx = null;
        assertThat(metersOf("LOKI_METERS")).isEmpty();
    }

    /** Log4j2 starts the new appender before it stops the old one: the meters stay, and count on. */
    @Test
    void reconfigurationKeepsTheMetersAndTheirCounts() {
        Path a = Log4jTestSupport.write(dir, "a.xml", xml("LOKI_RECONF", "", "a"));
        Path b = Log4jTestSupport.write(dir, "b.xml", xml("LOKI_RECONF", "", "b"));
        ctx = Log4jTestSupport.start("reconf", a);
        log(4);
        assertThat(appender("LOKI_RECONF").flush(Duration.ofSeconds(10))).isTrue();
        assertThat(counter("loki.appender.events.delivered", "LOKI_RECONF")).isEqualTo(4);

        ctx.setConfigLocation(b.toUri());
        log(2);
        assertThat(appender("LOKI_RECONF").flush(Duration.ofSeconds(10))).isTrue();

        assertAllMeters("LOKI_RECONF");
        assertThat(counter("loki.appender.events.offered", "LOKI_RECONF")).isEqualTo(6);
        assertThat(counter("loki.appender.events.delivered", "LOKI_RECONF")).isEqualTo(6);
        assertThat(loki.entryCount()).isEqualTo(6);
        Log4jTestSupport.stop(ctx);
        ctx = null;
        assertThat(metersOf("LOKI_RECONF")).isEmpty();
    }

    @Test
    void micrometerFalseRegistersNothing() {
        ctx = Log4jTestSupport.startXml(dir, "off", xml("LOKI_NO_METERS", "micrometer=\"false\"", "shop"));
        log(1);
        assertThat(appender("LOKI_NO_METERS").flush(Duration.ofSeconds(10))).isTrue();

        assertThat(appender("LOKI_NO_METERS").config().micrometer()).isFalse();
        assertThat(appender("LOKI_NO_METERS").stats().delivered()).isEqualTo(1);
        assertThat(metersOf("LOKI_NO_METERS")).isEmpty();
    }
}
