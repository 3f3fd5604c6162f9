package io.github.lokiappender.core.stats;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.testsupport.FakeLoki;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Micrometer meters of a pipeline, read through a SimpleMeterRegistry added to the global registry. */
class MicrometerMetersTest {

    private static final long T0 = System.currentTimeMillis() * 1_000_000L;
    private static final LabelSet APP = LabelSet.of(new String[]{"app"}, new String[]{"shop"});
    private static final LabelSet OTHER = LabelSet.of(new String[]{"app"}, new String[]{"other"});
    /** Today 6 drop reasons + 8 other counters + 3 gauges. */
    private static final int METERS_PER_APPENDER = MicrometerMeters.METERS.size();

    private final FakeLoki loki = FakeLoki.start();
    private final RecordingStatus status = new RecordingStatus();
    private final SimpleMeterRegistry simple = new SimpleMeterRegistry();
    private final List<LokiPipeline> pipelines = new ArrayList<>();

    @BeforeEach
    void addRegistry() {
        Metrics.addRegistry(simple);
    }

    @AfterEach
    void tearDown() {
        pipelines.forEach(p -> p.close(Duration.ofSeconds(2)));
        Metrics.removeRegistry(simple);
        simple.close();
        loki.close();
    }

    private LokiPipeline start(String name, Consumer<LokiConfig.Builder> options) {
        LokiConfig.Builder b = LokiConfig.builder().url(loki.url()).name(name).jmx(false)
                .retryMinBackoffMs(10).retryMaxBackoffMs(50);
        options.accept(b);
        LokiPipeline p = LokiPipeline.start(b.build(), status);
        pipelines.add(p);
        return p;
    }

    private static LokiEvent event(LokiPipeline p, int i, LabelSet labels) {
        return LokiEvent.of(T0 + i, "line " + i, p.labelSets().intern(labels));
    }

    private static void offer(LokiPipeline p, int from, int to) {
        for (int i = from; i < to; i++) {
            p.offer(event(p, i, APP));
        }
    }

    private static double counter(MeterRegistry r, String name, String appender) {
        return r.get(name).tag("appender", appender).functionCounter().count();
    }

    private double counter(String name, String appender) {
        return counter(simple, name, appender);
    }

    private double dropped(String appender, DropReason reason) {
        return simple.get("loki.appender.events.dropped").tag("appender", appender)
                .tag("reason", reason.name().toLowerCase(Locale.ROOT)).functionCounter().count();
    }

    private double gauge(String name, String appender) {
        return simple.get(name).tag("appender", appender).gauge().value();
    }

    private static List<Meter> metersOf(MeterRegistry r, String appender) {
        return r.getMeters().stream().filter(m -> appender.equals(m.getId().getTag("appender")))
                .collect(Collectors.toList());
    }

    /** Every counter meter equals the snapshot's value. */
    private void assertMetersMatch(String appender, StatsSnapshot s) {
        assertThat(counter("loki.appender.events.offered", appender)).isEqualTo(s.offered());
        assertThat(counter("loki.appender.events.delivered", appender)).isEqualTo(s.delivered());
        for (DropReason r : DropReason.values()) {
            assertThat(dropped(appender, r)).as("dropped %s", r).isEqualTo(s.dropped(r));
        }
        assertThat(counter("loki.appender.batches.sent", appender)).isEqualTo(s.batchesSent());
        assertThat(counter("loki.appender.batches.failed", appender)).isEqualTo(s.batchesFailed());
        assertThat(counter("loki.appender.retries", appender)).isEqualTo(s.retries());
        assertThat(counter("loki.appender.sent.bytes", appender)).isEqualTo(s.bytesSent());
        assertThat(counter("loki.appender.lines.truncated", appender)).isEqualTo(s.linesTruncated());
        assertThat(counter("loki.appender.streams.overflowed", appender)).isEqualTo(s.streamsOverflowed());
        assertThat(counter("loki.appender.batches.backlog", appender)).isEqualTo(s.backlogBatches());
        assertThat(gauge("loki.appender.events.pending", appender)).isEqualTo(s.pending());
    }

    @Test
    void everyMeterIsThereFromTheStartWithADescription() {
        LokiPipeline p = start("mm-names", b -> { });

        assertThat(p.hasMeters()).isTrue();
        List<Meter> meters = metersOf(simple, "mm-names");
        assertThat(meters).hasSize(METERS_PER_APPENDER);
        Set<String> names = meters.stream().map(m -> m.getId().getName()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(names).containsExactly("loki.appender.batches.backlog", "loki.appender.batches.failed", "loki.appender.batches.sent",
                "loki.appender.buffer.bytes", "loki.appender.buffer.events", "loki.appender.events.delivered",
                "loki.appender.events.dropped", "loki.appender.events.offered", "loki.appender.events.pending",
                "loki.appender.lines.truncated", "loki.appender.retries", "loki.appender.sent.bytes",
                "loki.appender.spool.bytes", "loki.appender.spool.corrupt.records", "loki.appender.spool.delivered",
                "loki.appender.spool.events", "loki.appender.spool.recovered", "loki.appender.spool.recovered.delivered",
                "loki.appender.spool.written", "loki.appender.streams.overflowed");
        assertThat(meters).allSatisfy(m -> assertThat(m.getId().getDescription()).isNotBlank());
        assertThat(meters.stream().filter(m -> m.getId().getName().equals("loki.appender.events.dropped"))
                .map(m -> m.getId().getTag("reason")).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("buffer_full", "closed", "rejected", "retries_exhausted",
                        "shutdown_timeout", "unsendable", "spool_failed");
        for (DropReason r : DropReason.values()) {
            assertThat(dropped("mm-names", r)).isZero();
        }
        assertThat(meters.stream().filter(m -> "bytes".equals(m.getId().getBaseUnit()))
                .map(m -> m.getId().getName()).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("loki.appender.sent.bytes", "loki.appender.buffer.bytes",
                        "loki.appender.spool.bytes");
        assertThat(meters.stream().filter(m -> m instanceof Gauge).map(m -> m.getId().getName())
                .collect(Collectors.toList()))
                .containsExactlyInAnyOrder("loki.appender.buffer.events", "loki.appender.buffer.bytes",
                        "loki.appender.events.pending", "loki.appender.spool.events", "loki.appender.spool.bytes");
        assertThat(meters.stream().filter(m -> m instanceof FunctionCounter)).hasSize(METERS_PER_APPENDER - 5);
        assertThat(status.messages).noneMatch(m -> m.startsWith("WARN") || m.startsWith("ERROR"));
    }

    @Test
    void metersShowTheExactCountsOfKnownTraffic() {
        // nothing is shipped before flush: the buffer holds 10 events and drops the rest
        LokiPipeline p = start("mm-counts", b -> b.bufferMaxEvents(10).batchMaxEvents(1_000)
                .flushIntervalMs(60_000).maxLineBytes(64).maxStreams(1));
        offer(p, 0, 15);
        assertThat(gauge("loki.appender.buffer.events", "mm-counts")).isEqualTo(10);
        assertThat(gauge("loki.appender.buffer.bytes", "mm-counts")).isEqualTo(p.bufferedBytes()).isPositive();
        assertThat(gauge("loki.appender.events.pending", "mm-counts")).isEqualTo(10);
        assertThat(dropped("mm-counts", DropReason.BUFFER_FULL)).isEqualTo(5);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(gauge("loki.appender.buffer.events", "mm-counts")).isZero();
        assertThat(gauge("loki.appender.buffer.bytes", "mm-counts")).isZero();

        // one retry, a truncated line and an event past the stream cap, then delivered
        loki.respondWith(503);
        p.offer(LokiEvent.of(T0 + 100, "x".repeat(100), p.labelSets().intern(APP)));
        p.offer(event(p, 101, OTHER));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        // a batch Loki rejects
        loki.respondWith(400);
        offer(p, 200, 203);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        StatsSnapshot s = p.stats();
        assertThat(s.offered()).isEqualTo(20);
        assertThat(s.delivered()).isEqualTo(12);
        assertThat(s.dropped(DropReason.BUFFER_FULL)).isEqualTo(5);
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(3);
        assertThat(s.batchesSent()).isEqualTo(2);
        assertThat(s.batchesFailed()).isEqualTo(1);
        assertThat(s.retries()).isEqualTo(1);
        assertThat(s.linesTruncated()).isEqualTo(1);
        assertThat(s.streamsOverflowed()).isEqualTo(1);
        assertThat(s.bytesSent()).isPositive();
        assertMetersMatch("mm-counts", s);
        assertThat(counter("loki.appender.events.offered", "mm-counts")).isEqualTo(20);
        assertThat(counter("loki.appender.events.delivered", "mm-counts")).isEqualTo(12);
        assertThat(dropped("mm-counts", DropReason.REJECTED)).isEqualTo(3);
        assertThat(counter("loki.appender.batches.sent", "mm-counts")).isEqualTo(2);
        assertThat(counter("loki.appender.sent.bytes", "mm-counts"))
                .isEqualTo(loki.requests().stream().filter(r -> r.status() == 204).mapToLong(r -> r.body().length).sum());
    }

    @Test
    void metersAreRemovedWhenThePipelineCloses() {
        LokiPipeline p = start("mm-close", b -> { });
        offer(p, 0, 3);
        assertThat(metersOf(simple, "mm-close")).hasSize(METERS_PER_APPENDER);
        assertThat(metersOf(Metrics.globalRegistry, "mm-close")).hasSize(METERS_PER_APPENDER);

        StatsSnapshot s = p.close(Duration.ofSeconds(10));

        assertThat(s.delivered()).isEqualTo(3);
        assertThat(p.hasMeters()).isFalse();
        assertThat(metersOf(simple, "mm-close")).isEmpty();
        assertThat(metersOf(Metrics.globalRegistry, "mm-close")).isEmpty();
        p.close(Duration.ofSeconds(1)); // a second close changes nothing
        assertThat(metersOf(simple, "mm-close")).isEmpty();
    }

    @Test
    void twoAppendersHaveSeparateMeters() {
        LokiPipeline a = start("mm-a", b -> { });
        LokiPipeline b = start("mm-b", o -> { });
        offer(a, 0, 3);
        offer(b, 0, 5);
        assertThat(a.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(b.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(counter("loki.appender.events.offered", "mm-a")).isEqualTo(3);
        assertThat(counter("loki.appender.events.offered", "mm-b")).isEqualTo(5);
        assertThat(counter("loki.appender.events.delivered", "mm-a")).isEqualTo(3);
        assertThat(counter("loki.appender.events.delivered", "mm-b")).isEqualTo(5);
        a.close(Duration.ofSeconds(10));
        assertThat(metersOf(simple, "mm-a")).isEmpty();
        assertThat(metersOf(simple, "mm-b")).hasSize(METERS_PER_APPENDER);
        assertThat(counter("loki.appender.events.offered", "mm-b")).isEqualTo(5);
    }

    @Test
    void aRestartedAppenderOfTheSameNameRegistersAgainFromZero() {
        LokiPipeline first = start("mm-restart", b -> { });
        offer(first, 0, 4);
        first.close(Duration.ofSeconds(10));
        assertThat(metersOf(simple, "mm-restart")).isEmpty();

        LokiPipeline second = start("mm-restart", b -> { });
        offer(second, 0, 2);
        assertThat(second.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(metersOf(simple, "mm-restart")).hasSize(METERS_PER_APPENDER);
        assertThat(counter("loki.appender.events.offered", "mm-restart")).isEqualTo(2);
        assertThat(counter("loki.appender.events.delivered", "mm-restart")).isEqualTo(2);
        second.close(Duration.ofSeconds(10));
        assertThat(metersOf(simple, "mm-restart")).isEmpty();
    }

    /** Log4j2 starts the new appender of a reconfiguration before stopping the old one. */
    @Test
    void overlappingPipelinesOfOneNameShareMetersThatNeverGoBackwards() {
        LokiPipeline old = start("mm-overlap", b -> { });
        offer(old, 0, 3);
        assertThat(old.flush(Duration.ofSeconds(10))).isTrue();
        LokiPipeline next = start("mm-overlap", b -> { });
        offer(next, 3, 5);
        assertThat(next.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(metersOf(simple, "mm-overlap")).hasSize(METERS_PER_APPENDER);
        assertThat(counter("loki.appender.events.offered", "mm-overlap")).isEqualTo(5);

        old.close(Duration.ofSeconds(10));
        assertThat(counter("loki.appender.events.offered", "mm-overlap")).isEqualTo(5);
        assertThat(counter("loki.appender.events.delivered", "mm-overlap")).isEqualTo(5);
        offer(next, 5, 6);
        assertThat(next.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(counter("loki.appender.events.delivered", "mm-overlap")).isEqualTo(6);
        assertThat(counter("loki.appender.batches.sent", "mm-overlap")).isEqualTo(3);

        next.close(Duration.ofSeconds(10));
        assertThat(metersOf(simple, "mm-overlap")).isEmpty();
    }

    /** As with Spring Boot: the appender starts before the application's registry joins the global one. */
    @Test
    void aRegistryAddedToTheGlobalOneLaterSeesTheMeters() {
        LokiPipeline p = start("mm-later", b -> { });
        offer(p, 0, 4);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        SimpleMeterRegistry later = new SimpleMeterRegistry();
        Metrics.addRegistry(later);
        try {
            assertThat(metersOf(later, "mm-later")).hasSize(METERS_PER_APPENDER);
            assertThat(counter(later, "loki.appender.events.delivered", "mm-later")).isEqualTo(4);
        } finally {
            Metrics.removeRegistry(later);
            later.close();
        }
    }

    @Test
    void micrometerFalseRegistersNothing() {
        LokiPipeline p = start("mm-off", b -> b.micrometer(false));
        offer(p, 0, 2);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(p.config().micrometer()).isFalse();
        assertThat(p.hasMeters()).isFalse();
        assertThat(metersOf(simple, "mm-off")).isEmpty();
        assertThat(metersOf(Metrics.globalRegistry, "mm-off")).isEmpty();
    }

    @Test
    void aGivenRegistryIsUsedInsteadOfTheGlobalOne() {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        LokiPipeline p = start("mm-own", b -> b.meterRegistry(own));
        offer(p, 0, 7);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        assertThat(counter(own, "loki.appender.events.delivered", "mm-own")).isEqualTo(7);
        assertThat(metersOf(simple, "mm-own")).isEmpty();
        p.close(Duration.ofSeconds(10));
        assertThat(metersOf(own, "mm-own")).isEmpty();
    }

    @Test
    void aMeterRegistryThatIsNotOneIsAConfigurationError() {
        assertThatThrownBy(() -> LokiConfig.builder().url(loki.url()).meterRegistry("prometheus").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'meterRegistry' must be an io.micrometer.core.instrument.MeterRegistry visible to the"
                        + " appender's class loader, was java.lang.String");
    }

    @Test
    void defaultsAreOnAndTheGlobalRegistry() {
        LokiConfig c = LokiConfig.builder().url(loki.url()).build();
        assertThat(c.micrometer()).isTrue();
        assertThat(c.meterRegistry()).isNull();
        assertThat(MicrometerSupport.isPresent()).isTrue();
    }
}
