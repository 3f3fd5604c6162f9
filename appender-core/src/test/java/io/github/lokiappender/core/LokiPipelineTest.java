package io.github.lokiappender.core;

import io.github.lokiappender.core.batch.BatchAssembler;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole core, from offer to what the in-process Loki stored. */
class LokiPipelineTest {

    private static final long T0 = System.currentTimeMillis() * 1_000_000L;
    private final FakeLoki loki = FakeLoki.start();
    private final RecordingStatus status = new RecordingStatus();
    private final List<LokiPipeline> pipelines = new ArrayList<>();

    @AfterEach
    void tearDown() {
        pipelines.forEach(p -> p.close(Duration.ofSeconds(2)));
        loki.close();
    }

    private LokiPipeline pipeline(Consumer<LokiConfig.Builder> options) {
        LokiConfig.Builder b = LokiConfig.builder().url(loki.url()).name("test")
                .retryMinBackoffMs(10).retryMaxBackoffMs(50);
        options.accept(b);
        LokiPipeline p = LokiPipeline.start(b.build(), status);
        pipelines.add(p);
        return p;
    }

    private static LabelSet labels(String... kv) {
        String[] n = new String[kv.length / 2];
        String[] v = new String[kv.length / 2];
        for (int i = 0; i < n.length; i++) {
            n[i] = kv[2 * i];
            v[i] = kv[2 * i + 1];
        }
        return LabelSet.of(n, v);
    }

    private static LokiEvent event(LokiPipeline p, int i, LabelSet l) {
        return LokiEvent.of(T0 + i, "line " + i, p.labelSets().intern(l));
    }

    @Test
    void deliversEveryEventOnceGroupedByStream() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(50));
        LabelSet info = labels("app", "shop", "level", "info");
        LabelSet error = labels("app", "shop", "level", "error");
        for (int i = 0; i < 100; i++) {
            assertThat(p.offer(event(p, i, i % 3 == 0 ? error : info))).isTrue();
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        Map<String, List<FakeLoki.Entry>> streams = loki.streams();
        assertThat(streams).containsOnlyKeys("{app=\"shop\", level=\"error\"}", "{app=\"shop\", level=\"info\"}");
        assertThat(streams.get("{app=\"shop\", level=\"error\"}")).hasSize(34);
        assertThat(streams.get("{app=\"shop\", level=\"info\"}")).hasSize(66);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).doesNotHaveDuplicates().hasSize(100);
        List<Long> infoTimes = streams.get("{app=\"shop\", level=\"info\"}").stream()
                .map(FakeLoki.Entry::timestampNanos).collect(Collectors.toList());
        assertThat(infoTimes).isSorted();
        StatsSnapshot s = p.stats();
        assertThat(s.offered()).isEqualTo(100);
        assertThat(s.delivered()).isEqualTo(100);
        assertThat(s.droppedTotal()).isZero();
        assertThat(s.pending()).isZero();
        assertThat(s.bytesSent()).isEqualTo(loki.requests().stream().mapToLong(r -> r.body().length).sum());
        assertThat(loki.requests()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.contentType()).isEqualTo("application/json");
        });
    }

    /**
     * Accepted events are counted as offered by the buffer under its lock; events it refuses with an
     * exception before that (odd metadata) by the pipeline: each exactly once, whichever way it went.
     */
    @Test
    void everyOfferIsCountedOnceAsOfferedWhetherAcceptedRefusedOrFailed() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(60_000).batchMaxEvents(1_000).bufferMaxEvents(3));
        LabelSet l = p.labelSets().intern(labels("app", "count"));
        assertThat(p.offer(T0 + 1, "one", l, null)).isTrue();
        assertThat(p.offer(T0 + 2, new StringBuilder("two"), l, null, new io.github.lokiappender.core.encode.Utf8Scratch()))
                .isTrue();
        assertThat(p.offer(LokiEvent.of(T0 + 3, "three", l))).isTrue();
        assertThat(p.offer(T0 + 4, "full", l, null)).isFalse(); // the buffer holds 3 events
        assertThat(p.offer(T0 + 5, "odd", l, new String[]{"name-without-value"})).isFalse(); // throws inside
        assertThat(p.offer(T0 + 6, "odd too", l, new String[]{"a", "b", "c"}, new io.github.lokiappender.core.encode.Utf8Scratch()))
                .isFalse();

        StatsSnapshot before = p.stats();
        assertThat(before.offered()).isEqualTo(6);
        assertThat(before.dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
        assertThat(before.dropped(DropReason.UNSENDABLE)).isEqualTo(2);
        assertThat(before.delivered()).isZero();

        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        StatsSnapshot s = p.stats();
        assertThat(s.offered()).isEqualTo(6);
        assertThat(s.delivered()).isEqualTo(3);
        assertThat(s.delivered() + s.droppedTotal()).isEqualTo(s.offered());
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("one", "two", "three");
    }

    @Test
    void batchIsCutByTimeWhenFewEventsArrive() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(50));
        p.offer(event(p, 1, labels("app", "t")));
        assertThat(loki.awaitRequests(1, Duration.ofSeconds(5))).hasSize(1);
        assertThat(loki.entries().get(0).line()).isEqualTo("line 1");
    }

    @Test
    void batchIsCutByCountWithoutWaitingForTheInterval() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(600_000).batchMaxEvents(10));
        for (int i = 0; i < 35; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        assertThat(loki.awaitRequests(3, Duration.ofSeconds(10))).extracting(FakeLoki.Request::entryCount).containsExactly(10, 10, 10);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.requests()).extracting(FakeLoki.Request::entryCount).containsExactly(10, 10, 10, 5);
    }

    @Test
    void batchIsCutByBytesAndNeverExceedsTheLimit() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(600_000).batchMaxBytes(1_000));
        String hundred = "x".repeat(100);
        for (int i = 0; i < 25; i++) {
            p.offer(LokiEvent.of(T0 + i, hundred, p.labelSets().intern(labels("app", "t"))));
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.requests()).extracting(FakeLoki.Request::entryCount).containsExactly(10, 10, 5);
        assertThat(loki.entryCount()).isEqualTo(25);
    }

    @Test
    void idleShipperSleepsInsteadOfPolling() {
        pipeline(b -> b.flushIntervalMs(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("loki-shipper-test"))
                .anyMatch(t -> t.getState() == Thread.State.WAITING));
    }

    @Test
    void retriesThroughTooManyRequestsAndServerErrors() {
        loki.respondWith(429, 503, 500);
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10));
        for (int i = 0; i < 5; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.entryCount()).isEqualTo(5);
        assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(429, 503, 500, 204);
        assertThat(p.stats().retries()).isEqualTo(3);
        assertThat(p.stats().delivered()).isEqualTo(5);
    }

    @Test
    void retriesDroppedConnections() {
        loki.dropConnections(2);
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10));
        p.offer(event(p, 0, labels("app", "t")));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.entryCount()).isEqualTo(1);
        assertThat(p.stats().delivered()).isEqualTo(1);
        assertThat(p.stats().retries()).isEqualTo(2);
    }

    @Test
    void rejectedBatchIsDroppedAtOnceAndDoesNotHoldBackTheNext() {
        loki.respondWith(FakeLoki.Response.status(400).body("entry too old"));
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(600_000).batchMaxEvents(3));
        for (int i = 0; i < 6; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("line 3", "line 4", "line 5");
        StatsSnapshot s = p.stats();
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(3);
        assertThat(s.delivered()).isEqualTo(3);
        assertThat(s.retries()).isZero();
        assertThat(s.batchesFailed()).isEqualTo(1);
        assertThat(status.messages).contains("ERROR Loki rejected a batch of 3 events with HTTP 400: entry too old");
    }

    @Test
    void givesUpAfterMaxRetriesAndCountsTheLoss() {
        loki.respondWith(503, 503, 503);
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10).maxRetries(2));
        for (int i = 0; i < 4; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        StatsSnapshot s = p.stats();
        assertThat(s.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(4);
        assertThat(s.delivered()).isZero();
        assertThat(loki.requests()).hasSize(3);
        p.offer(event(p, 10, labels("app", "t")));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("line 10");
    }

    @Test
    void closeUnderLoadAccountsForEveryEvent() throws Exception {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(20).batchMaxEvents(500));
        int threads = 4;
        int per = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        LabelSet l = p.labelSets().intern(labels("app", "load"));
        for (int t = 0; t < threads; t++) {
            int base = t * per;
            fs.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < per; i++) {
                    p.offer(LokiEvent.of(T0 + base + i, "e" + (base + i), l));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        StatsSnapshot s = p.close(Duration.ofSeconds(20));
        assertThat(s.offered()).isEqualTo(threads * per);
        assertThat(s.delivered() + s.droppedTotal()).isEqualTo(s.offered());
        assertThat(s.delivered()).isEqualTo(loki.entryCount());
        assertThat(s.delivered()).isEqualTo(threads * per); // nothing should be lost with a healthy Loki
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).doesNotHaveDuplicates();
        assertThat(status.messages).last().isEqualTo("INFO Loki appender 'test' stopped: 20000 events delivered, 0 not delivered");
    }

    @Test
    void closeDeliversWhatIsBuffered() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(600_000));
        for (int i = 0; i < 50; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        StatsSnapshot s = p.close(Duration.ofSeconds(10));
        assertThat(s.delivered()).isEqualTo(50);
        assertThat(loki.entryCount()).isEqualTo(50);
        assertThat(p.offer(event(p, 99, labels("app", "t")))).isFalse();
        assertThat(p.stats().dropped(DropReason.CLOSED)).isEqualTo(1);
        assertThat(p.close(Duration.ofSeconds(1)).delivered()).isEqualTo(50); // idempotent
    }

    @Test
    void closeWithLokiHangingEndsWithinTheDeadlineAndReportsTheLoss() {
        loki.hang(true);
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10).requestTimeoutMs(60_000));
        for (int i = 0; i < 30; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> loki.pendingPushes() > 0);
        long t0 = System.nanoTime();
        StatsSnapshot s = p.close(Duration.ofMillis(500));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(tookMs).isLessThan(2_500);
        assertThat(s.delivered()).isZero();
        assertThat(s.dropped(DropReason.SHUTDOWN_TIMEOUT)).isEqualTo(30);
        assertThat(s.pending()).isZero();
        assertThat(status.messages).last().asString()
                .startsWith("INFO Loki appender 'test' stopped: 0 events delivered, 30 not delivered {SHUTDOWN_TIMEOUT=30}");
        loki.hang(false);
    }

    @Test
    void closeWithLokiDownEndsWithinTheDeadline() {
        loki.close();
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10).retryMinBackoffMs(100).retryMaxBackoffMs(100));
        for (int i = 0; i < 10; i++) {
            p.offer(event(p, i, labels("app", "t")));
        }
        long t0 = System.nanoTime();
        StatsSnapshot s = p.close(Duration.ofMillis(300));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
        assertThat(s.delivered()).isZero();
        assertThat(s.droppedTotal()).isEqualTo(10);
        assertThat(s.dropped(DropReason.SHUTDOWN_TIMEOUT)).isEqualTo(10);
    }

    @Test
    void badInputNeverEscapesAndArrivesAsValidLines() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10));
        LabelSet weird = p.labelSets().intern(labels("app", "say \"hi\"\nback\\slash", "empty", ""));
        String mb = "m".repeat(1024 * 1024);
        assertThat(p.offer(LokiEvent.of(T0 + 1, null, weird))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0 + 2, "", weird))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0 + 3, mb, weird))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0 + 4, "lone \uD800 high, lone \uDC00 low, ctl \u0000\u001b", weird))).isTrue();
        assertThat(p.offer(LokiEvent.of(T0 + 5, "md", weird, new String[]{"k", null, "x", "\uD800"}))).isTrue();
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();

        List<FakeLoki.Entry> got = loki.entries();
        assertThat(got).hasSize(5);
        assertThat(got.get(0).labels()).containsExactly(Map.entry("app", "say \"hi\"\nback\\slash"));
        assertThat(got).extracting(FakeLoki.Entry::line).containsExactly(
                "", "",
                "m".repeat(256 * 1024 - BatchAssembler.TRUNCATION_MARKER.length()) + BatchAssembler.TRUNCATION_MARKER,
                "lone \uFFFD high, lone \uFFFD low, ctl \u0000\u001b",
                "md");
        assertThat(got.get(4).structuredMetadata()).containsExactly(Map.entry("x", "\uFFFD"));
        assertThat(p.stats().linesTruncated()).isEqualTo(1);
        assertThat(p.stats().delivered()).isEqualTo(5);
    }

    @Test
    void streamsPastTheCapGoToTheOverflowStream() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10).maxStreams(2));
        for (int i = 0; i < 5; i++) {
            p.offer(LokiEvent.of(T0 + i, "u" + i, p.labelSets().intern(labels("user", "u" + i))));
        }
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(loki.streams()).containsOnlyKeys("{user=\"u0\"}", "{user=\"u1\"}", "{loki_appender_overflow=\"stream_limit\"}");
        assertThat(loki.streams().get("{loki_appender_overflow=\"stream_limit\"}")).extracting(FakeLoki.Entry::line)
                .containsExactly("u2", "u3", "u4");
        assertThat(p.stats().streamsOverflowed()).isEqualTo(3);
    }

    @Test
    void sendsTenantAuthAndExtraHeaders() {
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(10).tenantId("team-a").bearerToken("tok").header("X-Extra", "1"));
        p.offer(event(p, 0, labels("app", "t")));
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        FakeLoki.Request r = loki.requests().get(0);
        assertThat(r.header("X-Scope-OrgID")).isEqualTo("team-a");
        assertThat(r.header("Authorization")).isEqualTo("Bearer tok");
        assertThat(r.header("X-Extra")).isEqualTo("1");
        assertThat(loki.entries("team-a")).hasSize(1);
    }

    @Test
    void basicAuthIsAcceptedByALokiThatRequiresIt() {
        try (FakeLoki secured = FakeLoki.builder().basicAuth("123", "glc").start()) {
            LokiPipeline ok = LokiPipeline.start(LokiConfig.builder().url(secured.url()).flushIntervalMs(10)
                    .username("123").password("glc").build(), status);
            pipelines.add(ok);
            ok.offer(LokiEvent.of(T0, "authorised", ok.labelSets().intern(labels("app", "t"))));
            assertThat(ok.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(secured.entries()).extracting(FakeLoki.Entry::line).containsExactly("authorised");

            LokiPipeline bad = LokiPipeline.start(LokiConfig.builder().url(secured.url()).flushIntervalMs(10)
                    .username("123").password("wrong").build(), status);
            pipelines.add(bad);
            bad.offer(LokiEvent.of(T0 + 1, "refused", bad.labelSets().intern(labels("app", "t"))));
            assertThat(bad.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(bad.stats().dropped(DropReason.REJECTED)).isEqualTo(1);
            assertThat(status.messages).anyMatch(m -> m.startsWith("ERROR Loki rejected a batch of 1 events with HTTP 401")
                    && m.endsWith("(check tenantId / username / password / bearerToken)"));
        }
    }

    @Test
    void offerNeverBlocksUnderDropNewestWhenLokiHangs() {
        loki.hang(true);
        LokiPipeline p = pipeline(b -> b.flushIntervalMs(1).bufferMaxEvents(1_000).batchMaxEvents(100));
        LabelSet l = p.labelSets().intern(labels("app", "t"));
        for (int i = 0; i < 100_000; i++) {
            p.offer(LokiEvent.of(T0 + i, "x", l));
        }
        StatsSnapshot s = p.stats();
        assertThat(s.offered()).isEqualTo(100_000);
        assertThat(s.dropped(DropReason.BUFFER_FULL)).isGreaterThanOrEqualTo(100_000 - 1_000 - 100);
        StatsSnapshot end = p.close(Duration.ofMillis(200));
        assertThat(end.delivered() + end.droppedTotal()).isEqualTo(100_000);
        loki.hang(false);
    }
}
