package io.github.lokiappender.core.stats;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class StatsReportingTest {

    @Test
    void countersAreReadableOverJmxWhileRunningAndGoneAfterClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try (FakeLoki loki = FakeLoki.start()) {
            LokiPipeline a = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("jmx-test").flushIntervalMs(10).build(), new RecordingStatus());
            LokiPipeline b = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("jmx-test").flushIntervalMs(10).build(), new RecordingStatus());
            ObjectName na = a.jmxName();
            ObjectName nb = b.jmxName();
            assertThat(na).hasToString("io.github.lokiappender:type=LokiAppender,name=\"jmx-test\"");
            assertThat(nb).hasToString("io.github.lokiappender:type=LokiAppender,name=\"jmx-test-2\"");
            LabelSet l = a.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"jmx"}));
            for (int i = 0; i < 3; i++) {
                a.offer(LokiEvent.of(System.currentTimeMillis() * 1_000_000L + i, "l" + i, l));
            }
            assertThat(a.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(server.getAttribute(na, "EventsOffered")).isEqualTo(3L);
            assertThat(server.getAttribute(na, "EventsDelivered")).isEqualTo(3L);
            assertThat(server.getAttribute(na, "EventsDropped")).isEqualTo(0L);
            assertThat(server.getAttribute(na, "BatchesSent")).isEqualTo(1L);
            assertThat((Long) server.getAttribute(na, "BytesSent")).isPositive();
            assertThat(server.getAttribute(na, "BacklogBatches")).isEqualTo(0L);
            assertThat(server.getAttribute(nb, "EventsOffered")).isEqualTo(0L);
            a.close(Duration.ofSeconds(5));
            b.close(Duration.ofSeconds(5));
            assertThat(server.isRegistered(na)).isFalse();
            assertThat(server.isRegistered(nb)).isFalse();
        }
    }

    @Test
    void jmxCanBeTurnedOff() {
        try (FakeLoki loki = FakeLoki.start()) {
            LokiPipeline p = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("no-jmx").jmx(false).build(), new RecordingStatus());
            assertThat(p.jmxName()).isNull();
            p.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void dropSummaryReportsOncePerIntervalOnlyWhenSomethingWasDropped() {
        PipelineStats stats = new PipelineStats();
        long[] now = {0};
        DropSummary summary = new DropSummary(stats, 60_000_000_000L, () -> now[0]);
        stats.dropped(DropReason.BUFFER_FULL, 5);
        assertThat(summary.poll()).isNull(); // interval not over
        now[0] = 61_000_000_000L;
        assertThat(summary.poll()).startsWith("5 events were not delivered to Loki in the last 61 s {BUFFER_FULL=5}; totals: ");
        now[0] = 200_000_000_000L;
        assertThat(summary.poll()).isNull(); // nothing new
        stats.dropped(DropReason.REJECTED, 2);
        stats.dropped(DropReason.BUFFER_FULL, 1);
        now[0] = 261_000_000_000L;
        assertThat(summary.poll()).startsWith("3 events were not delivered to Loki in the last 61 s {BUFFER_FULL=1, REJECTED=2}");
    }

    @Test
    void snapshotArithmetic() {
        PipelineStats stats = new PipelineStats();
        for (int i = 0; i < 10; i++) {
            stats.offered();
        }
        stats.delivered(6);
        stats.dropped(DropReason.CLOSED, 1);
        StatsSnapshot s = stats.snapshot();
        assertThat(s.pending()).isEqualTo(3);
        assertThat(s.droppedTotal()).isEqualTo(1);
        assertThat(s.droppedByReason()).containsOnlyKeys(DropReason.CLOSED);
        assertThat(s.toString()).startsWith("offered=10, delivered=6, dropped=1 {CLOSED=1}, pending=3");
    }
}
