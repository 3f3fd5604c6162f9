package io.github.lokiappender.core;

import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recycled events through the whole pipeline: however events are reused, every delivered line is
 * exactly the one its caller wrote (nothing reads an event after it went back to the pool), retries
 * resend the same content, and the pool stays within its bounds.
 */
class PooledEventsPipelineTest {

    private static final long T0 = System.currentTimeMillis() * 1_000_000L;
    private final FakeLoki loki = FakeLoki.start();
    private LokiPipeline pipeline;

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.close(Duration.ofSeconds(2));
        }
        loki.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "protobuf"})
    void concurrentCallersReusingEventsDeliverExactlyTheirLines(String format) throws Exception {
        // small batches and a small pool: events are recycled many times while others are in flight
        pipeline = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("pool").format(format)
                .batchMaxEvents(50).flushIntervalMs(5).bufferMaxEvents(1_000_000).overflowPolicy("BLOCK")
                .blockTimeoutMs(60_000).retryMinBackoffMs(1).retryMaxBackoffMs(5).recycleEvents(true).build(), new RecordingStatus());
        loki.respondWith(500, 503, 500); // some batches are retried: they must be resent unchanged
        LabelSet l = pipeline.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"pool"}));
        int threads = 4;
        int perThread = 2_500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] done = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                int worker = t;
                done[t] = pool.submit(() -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < perThread; i++) {
                        sb.setLength(0);
                        // lengths vary so that recycled arrays are both longer and shorter than the next line
                        sb.append('w').append(worker).append('-').append(i).append(" é日😀 ").append("x".repeat(i % 97));
                        pipeline.offer(pipeline.newEvent().set(T0 + worker * 1_000_000L + i, sb, l, null));
                    }
                });
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(pipeline.flush(Duration.ofSeconds(60))).isTrue();
        StatsSnapshot s = pipeline.close(Duration.ofSeconds(10));

        Set<String> expected = new HashSet<>();
        for (int w = 0; w < threads; w++) {
            for (int i = 0; i < perThread; i++) {
                expected.add("w" + w + "-" + i + " é日😀 " + "x".repeat(i % 97));
            }
        }
        List<FakeLoki.Entry> got = loki.entries();
        assertThat(got).hasSize(threads * perThread);
        assertThat(got).extracting(FakeLoki.Entry::line).doesNotHaveDuplicates();
        assertThat(new HashSet<>(got.stream().map(FakeLoki.Entry::line).collect(java.util.stream.Collectors.toList())))
                .isEqualTo(expected);
        for (FakeLoki.Entry e : got) {
            String line = e.line();
            int worker = line.charAt(1) - '0';
            int i = Integer.parseInt(line.substring(3, line.indexOf(' ')));
            assertThat(e.timestampNanos()).isEqualTo(T0 + worker * 1_000_000L + i);
        }
        assertThat(s.offered()).isEqualTo(threads * perThread);
        assertThat(s.delivered()).isEqualTo(threads * perThread);
        assertThat(s.droppedTotal()).isZero();
        EventPool p = pipeline.eventPool();
        assertThat(p.size()).isPositive().isLessThanOrEqualTo(p.maxEvents());
        assertThat(p.retainedBytes()).isLessThanOrEqualTo(p.maxBytes());
        assertThat(p.maxEvents()).isEqualTo(100); // two batches of 50
    }

    @org.junit.jupiter.api.Test
    void byDefaultNothingIsRecycled() {
        pipeline = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("no-pool").flushIntervalMs(5).build(),
                new RecordingStatus());
        LabelSet l = pipeline.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"pool"}));
        LokiEvent first = pipeline.newEvent();
        pipeline.offer(first.set(T0, "one", l, null));
        assertThat(pipeline.flush(java.time.Duration.ofSeconds(10))).isTrue();
        pipeline.offer(pipeline.newEvent().set(T0 + 1, "two", l, null));
        assertThat(pipeline.flush(java.time.Duration.ofSeconds(10))).isTrue();

        assertThat(pipeline.eventPool().maxEvents()).isZero();
        assertThat(pipeline.eventPool().size()).isZero();
        assertThat(pipeline.newEvent()).isNotSameAs(first);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("one", "two");
    }
}
