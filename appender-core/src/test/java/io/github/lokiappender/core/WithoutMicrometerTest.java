package io.github.lokiappender.core;

import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.MicrometerSupport;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Micrometer is optional: without micrometer-core on the class path the pipeline starts, ships
 * and reports nothing about it. Runs in its own surefire execution of this module
 * ({@code without-micrometer}) whose class path leaves micrometer-core out; that execution sets
 * {@code loki.test.withoutMicrometer} and always runs this class, whatever {@code -Dtest} says.
 * Picked by {@code -Dtest} in the normal execution (with Micrometer), it is skipped.
 */
class WithoutMicrometerTest {

    @BeforeAll
    static void onlyInTheExecutionWithoutMicrometer() {
        assumeTrue(Boolean.getBoolean("loki.test.withoutMicrometer"),
                "runs in the surefire execution 'without-micrometer' only");
    }

    @Test
    void micrometerIsReallyAbsent() {
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(MicrometerSupport.isPresent()).isFalse();
        assertThat(MicrometerSupport.isRegistry(new Object())).isFalse();
    }

    @Test
    void thePipelineStartsShipsAndClosesWithoutAWord() {
        RecordingStatus status = new RecordingStatus();
        try (FakeLoki loki = FakeLoki.start()) {
            LokiConfig config = LokiConfig.builder().url(loki.url()).name("plain").flushIntervalMs(20).build();
            assertThat(config.micrometer()).isTrue(); // on by default, and simply nothing to register with
            LokiPipeline p = LokiPipeline.start(config, status);
            LabelSet labels = p.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"shop"}));
            long t0 = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < 25; i++) {
                assertThat(p.offer(LokiEvent.of(t0 + i, "line " + i, labels))).isTrue();
            }
            assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(p.hasMeters()).isFalse();
            assertThat(p.jmxName()).isNotNull();
            StatsSnapshot s = p.close(Duration.ofSeconds(10));

            assertThat(s.offered()).isEqualTo(25);
            assertThat(s.delivered()).isEqualTo(25);
            assertThat(s.droppedTotal()).isZero();
            assertThat(loki.entries()).hasSize(25);
            assertThat(status.messages).containsExactly("INFO Loki appender 'plain' stopped: 25 events delivered, 0 not delivered");
        }
    }

    @Test
    void aMeterRegistryCannotBeGivenWithoutMicrometer() {
        assertThatThrownBy(() -> LokiConfig.builder().url("http://127.0.0.1:3100").meterRegistry(new Object()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'meterRegistry' must be an io.micrometer.core.instrument.MeterRegistry");
    }
}
