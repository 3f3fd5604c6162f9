package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.spool.SpoolFiles;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FaultyProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.lokiappender.core.reliability.FaultRig.T0;
import static io.github.lokiappender.core.reliability.FaultRig.event;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static io.github.lokiappender.core.reliability.FaultRig.line;
import static io.github.lokiappender.core.reliability.FaultRig.seqOf;
import static io.github.lokiappender.core.spool.SpoolFiles.records;
import static io.github.lokiappender.core.spool.SpoolFiles.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "Reliability", the optional on-disk spool: events survive an outage longer than the
 * memory buffer and a restart, are replayed in order, damaged spool files are skipped and counted,
 * and the disk limit hands over to the memory buffer's overflow policy. Every test checks the
 * accounting: {@code offered == delivered + dropped + inSpool} once closed.
 */
class SpoolReliabilityTest {

    private static final String[] STREAMS = {"a", "b", "c"};
    private final FaultRig rig = new FaultRig();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private String spool() {
        return dir.toString();
    }

    private static void assertAccounted(StatsSnapshot s) {
        assertThat(s.offered()).isEqualTo(s.delivered() + s.droppedTotal() + s.inSpool());
        assertThat(s.pending()).isZero();
    }

    private List<String> deliveredLines() {
        return rig.loki.entries().stream().map(FakeLoki.Entry::line).collect(Collectors.toList());
    }

    @ParameterizedTest
    @EnumSource(value = FaultyProxy.Mode.class, names = {"REFUSE", "RESET"})
    void anOutageFarLongerThanTheMemoryBufferGoesThroughTheSpoolAndEveryEventArrivesOnceInOrder(FaultyProxy.Mode outage) {
        int bufferEvents = 800; // 0.8 s of logging: the shipper may stall that long on a busy machine
        LokiPipeline p = rig.start(b -> b.spoolDirectory(spool()).bufferMaxEvents(bufferEvents).batchMaxEvents(100));
        LabelSet[] streams = new LabelSet[STREAMS.length];
        for (int s = 0; s < STREAMS.length; s++) {
            streams[s] = labels("app", "spool", "stream", STREAMS[s]);
        }
        int[] seq = new int[1];

        log(p, streams, seq, 300);
        assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(rig.loki.entryCount()).isEqualTo(300);

        rig.proxy.mode(outage);
        log(p, streams, seq, 4_000); // five times what the memory buffer holds; every offer is accepted
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().retries() >= 3);
        assertThat(p.stats().delivered()).isEqualTo(300);
        assertThat(p.stats().spooled()).isGreaterThanOrEqualTo(4_000 - bufferEvents);
        assertThat(segments(dir)).isNotEmpty();

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        log(p, streams, seq, 300);
        assertThat(p.flush(Duration.ofSeconds(30))).isTrue();

        StatsSnapshot s = p.close(Duration.ofSeconds(5));
        assertThat(s.offered()).isEqualTo(4_600);
        assertThat(s.delivered()).isEqualTo(4_600);
        assertThat(s.droppedTotal()).isZero(); // the memory buffer never overflowed
        assertThat(s.inSpool()).isZero();
        assertThat(s.deliveredFromSpool()).isEqualTo(s.spooled());
        assertThat(s.spoolBytes()).isZero();
        assertAccounted(s);
        assertThat(segments(dir)).isEmpty();

        List<FakeLoki.Entry> entries = rig.loki.entries();
        assertThat(entries).hasSize(4_600);
        assertThat(entries).extracting(FakeLoki.Entry::line).doesNotHaveDuplicates();
        assertThat(rig.loki.duplicatesDropped()).isZero();
        Map<String, List<FakeLoki.Entry>> byStream = rig.loki.streams();
        for (int st = 0; st < STREAMS.length; st++) {
            List<Integer> seqs = byStream.get("{app=\"spool\", stream=\"" + STREAMS[st] + "\"}").stream()
                    .map(e -> seqOf(e.line())).collect(Collectors.toList());
            assertThat(seqs).hasSize(4_600 / 3 + (st < 4_600 % 3 ? 1 : 0)).isSorted();
        }
        System.out.printf("spool outage (%s): %,d events through the spool, %,d retries%n", outage, s.spooled(), s.retries());
    }

    /** Round-robin over the streams, one event a millisecond (a rate, not synchronisation). */
    private static void log(LokiPipeline p, LabelSet[] streams, int[] seq, int n) {
        for (int i = 0; i < n; i++) {
            int k = seq[0]++;
            int s = k % streams.length;
            assertThat(p.offer(event(p, streams[s], STREAMS[s], k))).isTrue();
            LockSupport.parkNanos(1_000_000L);
        }
    }

    @Test
    void eventsLeftInTheSpoolAtCloseAreDeliveredFirstByTheNextPipelineOnTheSameDirectory() {
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LabelSet l = labels("app", "restart");
        // batches are cut by count only: 1,000 events make exactly 20 requests
        LokiPipeline a = rig.start(b -> b.name("first").spoolDirectory(spool()).batchMaxEvents(50).flushIntervalMs(60_000));
        for (int i = 0; i < 1_000; i++) {
            assertThat(a.offer(event(a, l, "r", i))).isTrue();
        }
        StatsSnapshot sa = a.close(Duration.ofSeconds(3));
        assertThat(sa.offered()).isEqualTo(1_000);
        assertThat(sa.delivered()).isZero();
        assertThat(sa.droppedTotal()).isZero();
        assertThat(sa.inSpool()).isEqualTo(1_000);
        assertThat(sa.spooled()).isEqualTo(1_000);
        assertAccounted(sa);
        assertThat(rig.status.messages).contains("INFO Loki appender 'first' stopped: 0 events delivered, 0 not delivered,"
                + " 1000 left in the spool " + dir + " for the next start");
        assertThat(segments(dir)).isNotEmpty();
        assertThat(rig.loki.entryCount()).isZero();

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        LokiPipeline b = rig.start(o -> o.name("second").spoolDirectory(spool()).batchMaxEvents(50));
        for (int i = 1_000; i < 1_500; i++) {
            assertThat(b.offer(event(b, l, "r", i))).isTrue();
        }
        assertThat(b.flush(Duration.ofSeconds(20))).isTrue();
        StatsSnapshot sb = b.close(Duration.ofSeconds(5));
        assertThat(sb.offered()).isEqualTo(500);
        assertThat(sb.delivered()).isEqualTo(500);
        assertThat(sb.droppedTotal()).isZero();
        assertThat(sb.inSpool()).isZero();
        assertAccounted(sb);
        assertThat(sb.recoveredRecords()).isEqualTo(20);
        assertThat(sb.recoveredEvents()).isEqualTo(1_000);
        assertThat(sb.recoveredDelivered()).isEqualTo(1_000);
        assertThat(sb.recoveredRejected()).isZero();
        assertThat(sb.recoveredInSpool()).isZero();
        assertThat(sb.spoolCorruptRecords()).isZero();
        assertThat(rig.status.messages).contains("INFO spool " + dir + ": 1000 events in 20 requests from an earlier run,"
                + " delivered first");

        // the first pipeline's events first, then the second's, each once and in order
        assertThat(deliveredLines()).containsExactlyElementsOf(
                IntStream.range(0, 1_500).mapToObj(i -> line("r", i)).collect(Collectors.toList()));
        assertThat(segments(dir)).isEmpty();
    }

    @Test
    void aRestartInTheMiddleOfReplayingSendsNothingTwice() {
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LabelSet l = labels("app", "resume");
        LokiPipeline a = rig.start(b -> b.name("first").spoolDirectory(spool()).batchMaxEvents(50).flushIntervalMs(60_000));
        for (int i = 0; i < 1_000; i++) {
            assertThat(a.offer(event(a, l, "m", i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().spooled() == 1_000);
        rig.loki.setDelay(Duration.ofMillis(200)); // 20 requests take about 4 s: time to stop in the middle
        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> a.stats().delivered() >= 250);
        rig.loki.setDown(true);
        rig.loki.setDelay(Duration.ZERO); // 503 at once: no request is left in flight at the first pipeline's deadline
        StatsSnapshot sa = a.close(Duration.ofSeconds(3));
        long left = sa.inSpool();
        assertThat(sa.delivered()).isBetween(250L, 950L);
        assertThat(sa.delivered() + left).isEqualTo(1_000);
        assertAccounted(sa);

        // a request the first pipeline gave up on at its deadline may still be inside Loki: it must
        // end (503) before Loki is up again, else Loki stores what the spool still holds, and the
        // second pipeline sends it again (at-least-once; a real Loki drops the duplicate)
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.loki.pendingPushes() == 0);
        rig.loki.setDown(false);
        LokiPipeline b = rig.start(o -> o.name("second").spoolDirectory(spool()));
        await().atMost(Duration.ofSeconds(20)).until(() -> b.stats().recoveredInSpool() == 0);
        StatsSnapshot sb = b.close(Duration.ofSeconds(5));
        assertThat(sb.recoveredEvents()).isEqualTo(left);
        assertThat(sb.recoveredDelivered()).isEqualTo(left);
        assertThat(rig.loki.duplicatesDropped()).isZero(); // nothing was sent twice
        assertThat(deliveredLines()).containsExactlyElementsOf(
                IntStream.range(0, 1_000).mapToObj(i -> line("m", i)).collect(Collectors.toList()));
    }

    @Test
    void theSpoolCountersAreReadableOverJmx() throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LokiPipeline p = rig.start(b -> b.name("spool-jmx").jmx(true).spoolDirectory(spool()).batchMaxEvents(10)
                .flushIntervalMs(60_000));
        javax.management.ObjectName n = p.jmxName();
        LabelSet l = labels("app", "jmx");
        for (int i = 0; i < 30; i++) {
            p.offer(event(p, l, "j", i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().spooled() == 30);
        assertThat(server.getAttribute(n, "EventsSpooled")).isEqualTo(30L);
        assertThat(server.getAttribute(n, "EventsInSpool")).isEqualTo(30L);
        assertThat((Long) server.getAttribute(n, "SpoolBytes")).isEqualTo(SpoolFiles.segmentBytes(dir)).isPositive();
        assertThat(server.getAttribute(n, "EventsDroppedSpoolFailed")).isEqualTo(0L);
        assertThat(p.stats().toString()).contains("spooled=30, inSpool=30, deliveredFromSpool=0");

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(server.getAttribute(n, "EventsDeliveredFromSpool")).isEqualTo(30L);
        assertThat(server.getAttribute(n, "EventsInSpool")).isEqualTo(0L);
        assertThat(server.getAttribute(n, "SpoolBytes")).isEqualTo(0L);
        assertThat(server.getAttribute(n, "RecoveredEvents")).isEqualTo(0L);
        assertThat(server.getAttribute(n, "SpoolCorruptRecords")).isEqualTo(0L);
        assertAccounted(p.close(Duration.ofSeconds(5)));
    }

    @Test
    void theSpoolCountersAreMicrometerMeters() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LokiPipeline p = rig.start(b -> b.name("spool-mm").meterRegistry(registry).spoolDirectory(spool())
                .batchMaxEvents(10).flushIntervalMs(60_000));
        LabelSet l = labels("app", "mm");
        for (int i = 0; i < 30; i++) {
            p.offer(event(p, l, "m", i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().spooled() == 30);
        assertThat(registry.get("loki.appender.spool.written").tag("appender", "spool-mm").functionCounter().count())
                .isEqualTo(30.0);
        assertThat(registry.get("loki.appender.spool.events").gauge().value()).isEqualTo(30.0);
        assertThat(registry.get("loki.appender.spool.bytes").gauge().value())
                .isEqualTo((double) SpoolFiles.segmentBytes(dir)).isPositive();
        assertThat(registry.get("loki.appender.events.pending").gauge().value()).isZero();

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(registry.get("loki.appender.spool.delivered").functionCounter().count()).isEqualTo(30.0);
        assertThat(registry.get("loki.appender.events.delivered").functionCounter().count()).isEqualTo(30.0);
        assertThat(registry.get("loki.appender.spool.events").gauge().value()).isZero();
        assertThat(registry.get("loki.appender.spool.bytes").gauge().value()).isZero();
        assertThat(registry.get("loki.appender.spool.recovered").functionCounter().count()).isZero();
        assertThat(registry.get("loki.appender.spool.corrupt.records").functionCounter().count()).isZero();
        assertAccounted(p.close(Duration.ofSeconds(5)));
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void withLokiHangingAtShutdownEverythingGoesToTheSpoolWithinTheTimeout() {
        rig.proxy.mode(FaultyProxy.Mode.HANG);
        long shutdownMs = 1_000;
        LokiPipeline a = rig.start(b -> b.name("hung").spoolDirectory(spool()).requestTimeoutMs(5_000)
                .shutdownTimeoutMs(shutdownMs).batchMaxEvents(100));
        LabelSet l = labels("app", "hung");
        for (int i = 0; i < 1_000; i++) {
            assertThat(a.offer(event(a, l, "h", i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.proxy.openConnections() > 0); // a request is stuck
        long t0 = System.nanoTime();
        a.close();
        StatsSnapshot sa = a.stats();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("hung Loki with a spool: close took %d ms (shutdownTimeoutMs %d), %,d events left in the spool%n",
                tookMs, shutdownMs, sa.inSpool());
        assertThat(tookMs).isLessThan(shutdownMs + 1_000); // margin for a busy machine
        assertThat(sa.inSpool()).isEqualTo(1_000);
        assertThat(sa.droppedTotal()).isZero();
        assertAccounted(sa);

        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        LokiPipeline b = rig.start(o -> o.name("after-hang").spoolDirectory(spool()));
        await().atMost(Duration.ofSeconds(20)).until(() -> b.stats().recoveredDelivered() == 1_000);
        assertThat(deliveredLines()).containsExactlyElementsOf(
                IntStream.range(0, 1_000).mapToObj(i -> line("h", i)).collect(Collectors.toList()));
    }

    private static EncodedRequest request(String name, int records, int k) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add(name + "-r" + k + "-" + i);
        }
        return SpoolFiles.jsonRequest("recovered", T0 + (long) records * 1_000_000L + k * 1_000L, lines);
    }

    /** A segment of {@code n} requests of 10 events each, as an earlier process leaves it. */
    private Path segment(String name, int n) {
        List<EncodedRequest> reqs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            reqs.add(request(name, segments(dir).size(), k));
        }
        return SpoolFiles.writeSegment(dir, reqs, Collections.nCopies(n, 10));
    }

    private static List<String> linesOf(String name, int... recordsKept) {
        List<String> out = new ArrayList<>();
        for (int k : recordsKept) {
            for (int i = 0; i < 10; i++) {
                out.add(name + "-r" + k + "-" + i);
            }
        }
        return out;
    }

    @Test
    void damagedSpoolFilesAreReportedOnceSkippedAndCountedAndEverythingElseIsDelivered() throws IOException {
        // every file first (writing one reads the others), then the damage
        Path intact = segment("intact", 3);
        Path badPayload = segment("payload", 3);
        Path badHeader = segment("header", 3);
        Path truncated = segment("truncated", 3);
        Path empty = segment("empty", 1);
        Path garbage = segment("garbage", 1);
        Path after = segment("after", 1);
        long damagedRecordAt = records(badPayload).get(1)[0];
        long cutRecordAt = records(truncated).get(2)[0];
        SpoolFiles.flipByte(badPayload, records(badPayload).get(1)[1] + 5);
        SpoolFiles.flipByte(badHeader, records(badHeader).get(0)[0] + 7); // the event count: only the header CRC sees it
        SpoolFiles.cutTail(truncated, 3); // a crash in the middle of writing the last record
        Files.write(empty, new byte[0]); // a crash right after the file was created
        Files.write(garbage, "this is not a spool file, whatever its name says".getBytes(StandardCharsets.UTF_8));
        Path foreign = Files.writeString(dir.resolve("README.txt"), "not the appender's");
        Path lookalike = Files.writeString(dir.resolve("loki-spool-12.seg"), "no 20-digit sequence: not ours");
        Path subdir = Files.createDirectory(dir.resolve("loki-spool-00000000000000000099.seg"));

        LabelSet l = labels("app", "after-restart");
        LokiPipeline p = rig.start(b -> b.spoolDirectory(spool()));
        for (int i = 0; i < 5; i++) {
            assertThat(p.offer(event(p, l, "own", i))).isTrue();
        }
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
        StatsSnapshot s = p.close(Duration.ofSeconds(5));

        List<String> expected = new ArrayList<>();
        expected.addAll(linesOf("intact", 0, 1, 2));
        expected.addAll(linesOf("payload", 0)); // the record before the damage; nothing after it
        expected.addAll(linesOf("truncated", 0, 1));
        expected.addAll(linesOf("after", 0));
        for (int i = 0; i < 5; i++) {
            expected.add(line("own", i));
        }
        assertThat(deliveredLines()).containsExactlyElementsOf(expected);

        assertThat(s.recoveredRecords()).isEqualTo(7);
        assertThat(s.recoveredEvents()).isEqualTo(70);
        assertThat(s.recoveredDelivered()).isEqualTo(70);
        assertThat(s.recoveredInSpool()).isZero();
        // payload (10 events), header (events unknown), truncated (10 events), garbage (unknown)
        assertThat(s.spoolCorruptRecords()).isEqualTo(4);
        assertThat(s.spoolCorruptEvents()).isEqualTo(20);
        assertThat(s.offered()).isEqualTo(5);
        assertThat(s.delivered()).isEqualTo(5);
        assertAccounted(s);

        List<String> warnings = rig.status.messages.stream().filter(m -> m.startsWith("WARN")).collect(Collectors.toList());
        assertThat(warnings).containsExactly(
                "WARN spool file " + badPayload + " is corrupt: record payload checksum mismatch at byte "
                        + damagedRecordAt + " (10 events); 1 requests before it are delivered, the rest of"
                        + " the file is skipped",
                "WARN spool file " + badHeader + " is corrupt: record header checksum mismatch at byte 0; the file is"
                        + " skipped and deleted",
                "WARN spool file " + truncated + " is truncated: ends inside the record at byte "
                        + cutRecordAt + " (10 events); 2 requests before it are delivered, the rest of"
                        + " the file is skipped",
                "WARN spool file " + empty + " is empty (a crash right after the file was created?); the file is"
                        + " skipped and deleted",
                "WARN spool file " + garbage + " is corrupt: no record marker at byte 0; the file is skipped and deleted");
        assertThat(segments(dir)).containsExactly(subdir); // a directory of that name is not a segment
        assertThat(Files.readString(foreign)).isEqualTo("not the appender's");
        assertThat(Files.readString(lookalike)).isEqualTo("no 20-digit sequence: not ours");
        assertThat(after).doesNotExist();
    }

    @Test
    void aFullSpoolLeavesTheRestToTheMemoryBuffersOverflowPolicyWithExactCounts() throws Exception {
        long max = 64 * 1024;
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LokiPipeline p = rig.start(b -> b.spoolDirectory(spool()).spoolMaxBytes(max).batchMaxBytes(4_096)
                .batchMaxEvents(20).bufferMaxEvents(300));
        LabelSet l = labels("app", "full");
        String pad = String.join("", Collections.nCopies(180, "."));

        AtomicLong maxDisk = new AtomicLong();
        AtomicLong maxCounted = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread watcher = new Thread(() -> {
            while (!done.isDone()) {
                maxDisk.accumulateAndGet(SpoolFiles.segmentBytes(dir), Math::max);
                maxCounted.accumulateAndGet(p.stats().spoolBytes(), Math::max);
                LockSupport.parkNanos(200_000L);
            }
        }, "spool-watcher");
        watcher.start();
        List<String> accepted = new ArrayList<>();
        try {
            for (int i = 0; i < 2_000; i++) {
                LokiEvent e = LokiEvent.of(T0 + i * 1_000L, line("f", i) + pad, p.labelSets().intern(l));
                if (p.offer(e)) {
                    accepted.add(e.line());
                }
                LockSupport.parkNanos(500_000L); // a rate, so that the spool fills before the buffer does
            }
            rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
            assertThat(p.flush(Duration.ofSeconds(30))).isTrue();
        } finally {
            done.complete(null);
            watcher.join(TimeUnit.SECONDS.toMillis(10));
        }
        StatsSnapshot s = p.close(Duration.ofSeconds(5));

        System.out.printf("spool full: %,d of 2,000 accepted, max %,d bytes on disk of %,d%n", accepted.size(),
                maxDisk.get(), max);
        assertThat(maxDisk.get()).isLessThanOrEqualTo(max);
        assertThat(maxCounted.get()).isLessThanOrEqualTo(max).isGreaterThan(max - 2 * 4_096 - 1_024); // it did fill
        assertThat(s.dropped(DropReason.BUFFER_FULL)).isEqualTo(2_000 - accepted.size()).isPositive();
        assertThat(s.droppedTotal()).isEqualTo(s.dropped(DropReason.BUFFER_FULL));
        assertThat(s.delivered()).isEqualTo(accepted.size());
        assertThat(s.inSpool()).isZero();
        assertAccounted(s);
        assertThat(deliveredLines()).containsExactlyElementsOf(accepted);
    }

    @Test
    void aSpooledRequestLokiRejectsIsDroppedAndCountedAndTheNextOnesAreDelivered() {
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LokiPipeline p = rig.start(b -> b.spoolDirectory(spool()).batchMaxEvents(10).flushIntervalMs(60_000));
        LabelSet l = labels("app", "rejected");
        for (int i = 0; i < 30; i++) {
            assertThat(p.offer(event(p, l, "x", i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().spooled() == 30);
        String reason = "entry for stream '{app=\"rejected\"}' has timestamp too old";
        rig.loki.respondWith(FakeLoki.Response.status(400).body(reason));
        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();

        StatsSnapshot s = p.close(Duration.ofSeconds(5));
        assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(10);
        assertThat(s.delivered()).isEqualTo(20);
        assertThat(s.deliveredFromSpool()).isEqualTo(20);
        assertThat(s.inSpool()).isZero();
        assertAccounted(s);
        assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status).containsExactly(400, 204, 204);
        assertThat(deliveredLines()).containsExactlyElementsOf(
                IntStream.range(10, 30).mapToObj(i -> line("x", i)).collect(Collectors.toList()));
        assertThat(rig.status.messages).contains("ERROR Loki rejected a batch of 10 events with HTTP 400: " + reason);
        assertThat(segments(dir)).isEmpty();
    }

    @Test
    void anAppenderStartedBeforeTheOneHoldingItsDirectoryStopsWaitsForItAndKeepsTheOrder() {
        // as in a Log4j2 reconfiguration: the new appender starts, then the old one stops
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LabelSet l = labels("app", "handover");
        LokiPipeline old = rig.start(b -> b.name("old").spoolDirectory(spool()));
        for (int i = 0; i < 100; i++) {
            assertThat(old.offer(event(old, l, "h", i))).isTrue();
        }
        LokiPipeline next = rig.start(b -> b.name("new").spoolDirectory(spool()));
        assertThat(rig.status.messages).contains("WARN 'spoolDirectory' " + dir + " is in use by another appender in"
                + " this JVM; Loki appender 'new' keeps events in memory only until the directory is free");
        for (int i = 100; i < 150; i++) {
            assertThat(next.offer(event(next, l, "h", i))).isTrue();
        }
        StatsSnapshot so = old.close(Duration.ofSeconds(2));
        assertThat(so.inSpool()).isEqualTo(100);
        assertAccounted(so);

        await().atMost(Duration.ofSeconds(10)).until(() -> rig.status.messages.contains(
                "INFO 'spoolDirectory' " + dir + " is free now: Loki appender 'new' uses it"));
        rig.proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(next.flush(Duration.ofSeconds(20))).isTrue();
        StatsSnapshot sn = next.close(Duration.ofSeconds(5));
        assertThat(sn.recoveredDelivered()).isEqualTo(100);
        assertThat(sn.delivered()).isEqualTo(50);
        assertThat(sn.droppedTotal()).isZero();
        assertAccounted(sn);
        // the new appender sent nothing before it had the directory: the old appender's events come first
        assertThat(deliveredLines()).containsExactlyElementsOf(
                IntStream.range(0, 150).mapToObj(i -> line("h", i)).collect(Collectors.toList()));
        assertThat(rig.status.messages).noneMatch(m -> m.startsWith("ERROR"));
    }

    @Test
    void whileAnotherProcessHoldsTheDirectoryEventsGoFromMemoryAndItsSpoolIsTakenOverWhenItExits() throws Exception {
        List<EncodedRequest> left = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            left.add(request("other", 0, k));
        }
        SpoolFiles.writeSegment(dir, left, Collections.nCopies(3, 10));
        Process other = SpoolFiles.holdLockInAnotherProcess(dir);
        try {
            LokiPipeline p = rig.start(b -> b.name("second").spoolDirectory(spool()));
            assertThat(rig.status.messages).contains("ERROR 'spoolDirectory' " + dir + " is in use by another appender"
                    + " or process (the lock on " + dir.resolve("loki-spool.lock") + " is held); Loki appender 'second'"
                    + " keeps events in memory only until the directory is free. Give each appender its own directory");
            LabelSet l = labels("app", "locked");
            for (int i = 0; i < 10; i++) {
                assertThat(p.offer(event(p, l, "mem", i))).isTrue();
            }
            assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(p.stats().delivered()).isEqualTo(10);
            assertThat(p.stats().spooled()).isZero();

            SpoolFiles.release(other); // the other process exits
            await().atMost(Duration.ofSeconds(20)).until(() -> p.stats().recoveredDelivered() == 30);
            StatsSnapshot s = p.close(Duration.ofSeconds(5));
            assertThat(s.delivered()).isEqualTo(10);
            assertThat(s.recoveredEvents()).isEqualTo(30);
            assertAccounted(s);
            List<String> expected = IntStream.range(0, 10).mapToObj(i -> line("mem", i)).collect(Collectors.toList());
            expected.addAll(linesOf("other", 0, 1, 2));
            assertThat(deliveredLines()).containsExactlyElementsOf(expected);
            assertThat(rig.status.messages).contains("INFO 'spoolDirectory' " + dir
                    + " is free now: Loki appender 'second' uses it");
            assertThat(segments(dir)).isEmpty();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void whenTheSpoolCannotBeWrittenTheBatchIsRetriedInMemoryThenCountedAsSpoolFailed() throws IOException {
        rig.proxy.mode(FaultyProxy.Mode.REFUSE);
        LokiPipeline p = rig.start(b -> b.spoolDirectory(spool()).maxRetries(2).batchMaxEvents(10)
                .flushIntervalMs(60_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.status.messages.contains(
                "INFO spool " + dir + ": nothing from an earlier run"));
        // the directory is replaced by a file (running as root, a read-only directory would still be writable)
        Files.delete(dir.resolve("loki-spool.lock"));
        Files.delete(dir);
        Files.writeString(dir, "in the way");

        LabelSet l = labels("app", "nowhere");
        for (int i = 0; i < 20; i++) {
            assertThat(p.offer(event(p, l, "w", i))).isTrue();
        }
        assertThat(p.flush(Duration.ofSeconds(20))).isTrue();
        StatsSnapshot s = p.close(Duration.ofSeconds(5));
        assertThat(s.offered()).isEqualTo(20);
        assertThat(s.dropped(DropReason.SPOOL_FAILED)).isEqualTo(20);
        assertThat(s.droppedTotal()).isEqualTo(20);
        assertThat(s.retries()).isEqualTo(2 * 2); // each batch: the old retry schedule, in memory
        assertThat(s.spooled()).isZero();
        assertAccounted(s);
        assertThat(rig.status.messages.stream().filter(m -> m.startsWith("ERROR writing to the spool " + dir + " failed")))
                .hasSize(2).allMatch(m -> m.endsWith("; a batch of 10 events is retried in memory only"));
        // Files.delete again at cleanup: @TempDir removes the file
    }
}
