package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.http.JdkPushTransport;
import io.github.lokiappender.core.http.PushResponse;
import io.github.lokiappender.core.http.PushTransport;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.lokiappender.core.reliability.FaultRig.event;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static io.github.lokiappender.core.reliability.FaultRig.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "429 storms and 5xx bursts": retried with exponential backoff and full jitter, several
 * pipelines in one JVM do not retry in step, and a batch Loki rejects for good (400) is dropped at
 * once with Loki's reason and does not hold back the batches behind it.
 */
class RetryStormTest {

    private static final long MIN_BACKOFF_MS = 10;
    private static final long MAX_BACKOFF_MS = 400;
    private final FaultRig rig = new FaultRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    /** Records when each push attempt leaves, per pipeline (the tenant tells them apart at Loki). */
    private static final class TimedTransport implements PushTransport {
        final List<Long> sentAtNanos = new CopyOnWriteArrayList<>();
        private final PushTransport delegate;

        TimedTransport(PushTransport delegate) {
            this.delegate = delegate;
        }

        @Override
        public PushResponse push(EncodedRequest request, long timeoutNanos) throws IOException, InterruptedException {
            sentAtNanos.add(System.nanoTime());
            return delegate.push(request, timeoutNanos);
        }

        @Override
        public void close() {
            delegate.close();
        }

        /** Milliseconds between consecutive attempts. */
        List<Long> gapsMs() {
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < sentAtNanos.size(); i++) {
                gaps.add((sentAtNanos.get(i) - sentAtNanos.get(i - 1)) / 1_000_000);
            }
            return gaps;
        }
    }

    private LokiPipeline start(TimedTransport[] out, Consumer<LokiConfig.Builder> options) {
        LokiConfig.Builder b = rig.config().retryMinBackoffMs(MIN_BACKOFF_MS).retryMaxBackoffMs(MAX_BACKOFF_MS);
        options.accept(b);
        LokiConfig config = b.build();
        out[0] = new TimedTransport(new JdkPushTransport(config.http(), "loki-" + config.name()));
        return rig.track(LokiPipeline.startWith(config, rig.status, out[0], LokiPipeline.DEFAULT_OVERFLOW_LABELS));
    }

    @Test
    void aStormOf429And5xxIsRetriedWithGrowingJitteredBackoffThenDelivered() {
        rig.loki.respondWith(429, 429, 429, 429, 503, 502, 500);
        TimedTransport[] t = new TimedTransport[1];
        LokiPipeline p = start(t, b -> b.maxRetries(10));
        LabelSet l = labels("app", "storm");
        for (int i = 0; i < 5; i++) {
            p.offer(event(p, l, "s", i));
        }
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();

        StatsSnapshot s = p.stats();
        assertThat(s.delivered()).isEqualTo(5);
        assertThat(s.retries()).isEqualTo(7);
        assertThat(s.droppedTotal()).isZero();
        assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status)
                .containsExactly(429, 429, 429, 429, 503, 502, 500, 204);
        assertThat(rig.loki.entries()).extracting(FakeLoki.Entry::line)
                .containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(i -> line("s", i)).collect(Collectors.toList()));
        List<Long> gaps = t[0].gapsMs();
        assertThat(gaps).hasSize(7);
        for (int k = 0; k < gaps.size(); k++) {
            long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << k);
            // never sooner than the minimum; later than the jitter ceiling only by the machine's delays
            assertThat(gaps.get(k)).as("gap before retry %d", k + 1).isBetween(MIN_BACKOFF_MS, ceiling + 1_000);
        }
    }

    @Test
    void aRetryAfterLongerThanTheBackoffIsHonoured() {
        rig.loki.respondWith(FakeLoki.Response.status(429).header("Retry-After", "1").body("slow down"));
        TimedTransport[] t = new TimedTransport[1];
        LokiPipeline p = start(t, b -> b.retryMaxBackoffMs(5_000));
        p.offer(event(p, labels("app", "storm"), "ra", 0));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(p.stats().delivered()).isEqualTo(1);
        assertThat(t[0].gapsMs()).singleElement().satisfies(gap -> assertThat(gap).isBetween(1_000L, 3_000L));
        assertThat(rig.status.messages).contains("WARN push to Loki failed (HTTP 429: slow down); retry 1 of 10 in 1000 ms");
    }

    @Test
    void pipelinesInOneJvmDoNotRetryInStep() {
        rig.loki.setDown(true); // 503 for every push until the pipelines give up
        int n = 4;
        int maxRetries = 6;
        TimedTransport[] transports = new TimedTransport[n];
        LokiPipeline[] pipelines = new LokiPipeline[n];
        for (int i = 0; i < n; i++) {
            TimedTransport[] t = new TimedTransport[1];
            String tenant = "tenant" + i;
            pipelines[i] = start(t, b -> b.tenantId(tenant).name(tenant).maxRetries(maxRetries));
            transports[i] = t[0];
        }
        LabelSet l = labels("app", "jitter");
        for (LokiPipeline p : pipelines) {
            p.offer(event(p, l, "j", 0));
        }
        for (LokiPipeline p : pipelines) {
            assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
            assertThat(p.stats().dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
            assertThat(p.stats().retries()).isEqualTo(maxRetries);
        }

        // Loki saw every attempt of every pipeline, told apart by tenant
        Map<String, Long> perTenant = rig.loki.requests().stream()
                .collect(Collectors.groupingBy(r -> r.header("X-Scope-OrgID"), Collectors.counting()));
        assertThat(perTenant).hasSize(n).allSatisfy((tenant, count) -> assertThat(count).isEqualTo(maxRetries + 1L));
        assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status).containsOnly(503);

        // Retries were all due at about the same instants; full jitter spreads them: every pair of
        // pipelines differs by more than 5 ms in at least one gap (all equal would mean retrying in step).
        List<List<Long>> gaps = new ArrayList<>();
        for (TimedTransport t : transports) {
            assertThat(t.sentAtNanos).hasSize(maxRetries + 1);
            gaps.add(t.gapsMs());
        }
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                long maxDiff = 0;
                for (int k = 0; k < maxRetries; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(gaps.get(a).get(k) - gaps.get(b).get(k)));
                }
                assertThat(maxDiff).as("pipelines %d and %d retried in step: %s", a, b, gaps).isGreaterThan(5);
            }
        }
        long distinctLastAttempts = IntStream.range(0, n)
                .mapToLong(i -> (transports[i].sentAtNanos.get(maxRetries) - transports[i].sentAtNanos.get(0)) / 1_000_000)
                .distinct().count();
        assertThat(distinctLastAttempts).isGreaterThan(1);
    }

    @Test
    void aBatchRejectedWith400IsDroppedAtOnceWithLokisReasonAndDoesNotHoldBackTheNext() {
        String reason = "entry for stream '{app=\"storm\"}' has timestamp too old: 2020-01-01T00:00:00Z";
        rig.loki.respondWith(FakeLoki.Response.status(400).body(reason));
        TimedTransport[] t = new TimedTransport[1];
        // batches are cut by count only, so 30 events are exactly three batches of 10 queued one behind the other
        LokiPipeline p = start(t, b -> b.batchMaxEvents(10).flushIntervalMs(60_000).maxRetries(10));
        LabelSet l = labels("app", "storm");
        for (int i = 0; i < 30; i++) {
            p.offer(event(p, l, "r", i));
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        StatsSnapshot s = p.stats();
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(10);
        assertThat(s.delivered()).isEqualTo(20);
        assertThat(s.retries()).isZero();
        assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status).containsExactly(400, 204, 204);
        assertThat(rig.loki.entries()).extracting(FakeLoki.Entry::line)
                .containsExactlyElementsOf(IntStream.range(10, 30).mapToObj(i -> line("r", i)).collect(Collectors.toList()));
        assertThat(rig.status.messages.stream().filter(m -> m.startsWith("ERROR")))
                .containsExactly("ERROR Loki rejected a batch of 10 events with HTTP 400: " + reason);
        assertThat(rig.status.messages).noneMatch(m -> m.startsWith("WARN push to Loki failed"));
    }
}
