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
 * Concurrent callers through the whole pipeline with a small buffer, so that its chunks are filled
 * again many times: every delivered line is exactly the one its caller wrote, with its own labels
 * and metadata (the label and metadata queues stay in step with the records under concurrency),
 * and retries resend the same content. A chunk reused too early is a race of microseconds that
 * this test rarely hits; {@code batch.DrainedBatchesTest} checks that deterministically.
 */
class ConcurrentCallersPipelineTest {

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
    void concurrentCallersDeliverExactlyTheirLines(String format) throws Exception {
        // small batches and a buffer of one 16 KiB chunk: chunks are reused many times while others are read
        pipeline = LokiPipeline.start(LokiConfig.builder().url(loki.url()).name("chunks").format(format)
                .batchMaxEvents(50).flushIntervalMs(5).bufferMaxBytes(16_384).overflowPolicy("BLOCK")
                .blockTimeoutMs(60_000).retryMinBackoffMs(1).retryMaxBackoffMs(5).build(), new RecordingStatus());
        loki.respondWith(500, 503, 500); // some batches are retried: they must be resent unchanged
        LabelSet even = pipeline.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"even"}));
        LabelSet odd = pipeline.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"odd"}));
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
                        // lengths vary so that records end anywhere in a chunk; labels change, some have metadata
                        sb.append('w').append(worker).append('-').append(i).append(" é日😀 ").append("x".repeat(i % 97));
                        pipeline.offer(T0 + worker * 1_000_000L + i, sb, i % 2 == 0 ? even : odd,
                                i % 3 == 0 ? new String[]{"n", Integer.toString(i)} : null);
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
            assertThat(e.labels()).containsEntry("app", i % 2 == 0 ? "even" : "odd");
            assertThat(e.structuredMetadata()).isEqualTo(i % 3 == 0 ? java.util.Map.of("n", Integer.toString(i)) : java.util.Map.of());
        }
        assertThat(s.offered()).isEqualTo(threads * perThread);
        assertThat(s.delivered()).isEqualTo(threads * perThread);
        assertThat(s.droppedTotal()).isZero();
    }
}
