package io.github.lokiappender.core.spool;

import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;
import io.github.lokiappender.core.stats.StatsSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.github.lokiappender.core.spool.SpoolFiles.flipByte;
import static io.github.lokiappender.core.spool.SpoolFiles.records;
import static io.github.lokiappender.core.spool.SpoolFiles.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The segment format and the spool's queue, without a pipeline. */
class SpoolTest {

    @TempDir
    Path dir;

    private final RecordingStatus status = new RecordingStatus();
    private final PipelineStats stats = new PipelineStats();

    private static EncodedRequest request(String text, String contentType, String encoding) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        // a larger array than the body, as an encoder's reused buffer is
        byte[] withSlack = java.util.Arrays.copyOf(b, b.length + 100);
        return new EncodedRequest(withSlack, b.length, contentType, encoding);
    }

    private Spool open(long maxBytes) {
        Spool s = Spool.open(dir, maxBytes, status, stats, "test");
        assertThat(s).isNotNull();
        return s;
    }

    private static String body(SpoolRecord r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void recordsRoundTripInOrderWithTheirHeadersAcrossARestart() throws IOException {
        Spool a = open(1 << 20);
        a.recover();
        assertThat(a.append(request("first", "application/json", null), 3)).isEqualTo(Spool.Append.WRITTEN);
        assertThat(a.append(request("second", "application/json", "gzip"), 1)).isEqualTo(Spool.Append.WRITTEN);
        assertThat(a.append(request("third", "application/x-protobuf", null), 7)).isEqualTo(Spool.Append.WRITTEN);
        assertThat(a.records()).isEqualTo(3);
        long written = a.bytes();
        assertThat(written).isEqualTo(SegmentFormat.recordLength(5, "application/json", null)
                + SegmentFormat.recordLength(6, "application/json", "gzip")
                + SegmentFormat.recordLength(5, "application/x-protobuf", null));
        assertThat(SpoolFiles.segmentBytes(dir)).isEqualTo(written);
        a.close();

        PipelineStats later = new PipelineStats();
        Spool b = Spool.open(dir, 1 << 20, status, later, "test");
        b.recover();
        assertThat(later.snapshot().recoveredRecords()).isEqualTo(3);
        assertThat(later.snapshot().recoveredEvents()).isEqualTo(11);
        assertThat(status.messages).contains("INFO spool " + dir + ": 11 events in 3 requests from an earlier run, delivered first");

        SpoolRecord r1 = b.peek();
        assertThat(body(r1)).isEqualTo("first");
        assertThat(r1.contentType()).isEqualTo("application/json");
        assertThat(r1.contentEncoding()).isNull();
        assertThat(r1.events()).isEqualTo(3);
        assertThat(r1.recovered()).isTrue();
        assertThat(b.peek()).isSameAs(r1); // the head stays until removed
        b.remove(r1, true);
        SpoolRecord r2 = b.peek();
        assertThat(body(r2)).isEqualTo("second");
        assertThat(r2.contentEncoding()).isEqualTo("gzip");
        assertThat(r2.request().length()).isEqualTo(6);
        b.remove(r2, false);
        SpoolRecord r3 = b.peek();
        assertThat(body(r3)).isEqualTo("third");
        assertThat(r3.contentType()).isEqualTo("application/x-protobuf");
        assertThat(r3.events()).isEqualTo(7);
        b.remove(r3, true);
        assertThat(b.peek()).isNull();
        assertThat(b.hasRecords()).isFalse();
        StatsSnapshot s = later.snapshot();
        assertThat(s.recoveredDelivered()).isEqualTo(10);
        assertThat(s.recoveredRejected()).isEqualTo(1);
        assertThat(s.recoveredInSpool()).isZero();
        assertThat(s.spoolBytes()).isZero();
        assertThat(segments(dir)).isEmpty(); // a segment goes once all its records are done
        b.close();
    }

    @Test
    void appendedRecordsAreOwnAndCountedAndTheSegmentsRotate() throws IOException {
        Spool s = open(64 * 1024); // segments of 8 KiB
        s.recover();
        String payload = String.join("", Collections.nCopies(1000, "x"));
        for (int i = 0; i < 40; i++) {
            assertThat(s.append(request(payload + i, "application/json", null), 2)).isEqualTo(Spool.Append.WRITTEN);
        }
        assertThat(segments(dir)).hasSize(5); // 8 records of ~1 KiB fill each 8 KiB segment
        assertThat(stats.snapshot().spooled()).isEqualTo(80);
        assertThat(stats.snapshot().inSpool()).isEqualTo(80);
        assertThat(stats.snapshot().spoolBytes()).isEqualTo(SpoolFiles.segmentBytes(dir)).isEqualTo(s.bytes());
        for (int i = 0; i < 40; i++) {
            SpoolRecord r = s.peek();
            assertThat(body(r)).isEqualTo(payload + i);
            assertThat(r.recovered()).isFalse();
            s.remove(r, true);
            assertThat(segments(dir)).hasSize(5 - (i + 1) / 8);
        }
        assertThat(stats.snapshot().inSpool()).isZero();
        assertThat(stats.snapshot().deliveredFromSpool()).isEqualTo(80);
        assertThat(stats.snapshot().spoolBytes()).isZero();
        s.close();
    }

    @Test
    void aFullSpoolSaysSoAndTakesMoreOnceTheOldestIsGone() throws IOException {
        Spool s = open(16 * 1024); // segments of 4 KiB
        s.recover();
        String payload = String.join("", Collections.nCopies(1900, "y"));
        long one = SegmentFormat.recordLength(payload.length(), "application/json", null);
        int fit = (int) (16 * 1024 / one);
        for (int i = 0; i < fit; i++) {
            assertThat(s.append(request(payload, "application/json", null), 1)).isEqualTo(Spool.Append.WRITTEN);
        }
        assertThat(s.append(request(payload, "application/json", null), 1)).isEqualTo(Spool.Append.FULL);
        assertThat(s.bytes()).isLessThanOrEqualTo(16 * 1024);
        String tooLarge = String.join("", Collections.nCopies(17 * 1024, "z"));
        assertThat(s.append(request(tooLarge, "application/json", null), 1)).isEqualTo(Spool.Append.TOO_LARGE);
        // a segment is closed once it reaches 4 KiB, so three records of ~1.9 KiB share one: only
        // removing all three frees its space
        assertThat(fit).isEqualTo(8);
        assertThat(segments(dir)).hasSize(3);
        for (int i = 0; i < 2; i++) {
            s.remove(s.peek(), true);
            assertThat(s.append(request(payload, "application/json", null), 1)).isEqualTo(Spool.Append.FULL);
        }
        s.remove(s.peek(), true);
        assertThat(segments(dir)).hasSize(2);
        assertThat(s.append(request(payload, "application/json", null), 1)).isEqualTo(Spool.Append.WRITTEN);
        assertThat(stats.snapshot().spooled()).isEqualTo(fit + 1);
        s.close();
    }

    @Test
    void checksumsDetectADamagedHeaderOrPayloadAndTheEndDetectsTruncation() throws IOException {
        EncodedRequest r = request("{\"streams\":[]}", "application/json", null);
        Path seg = SpoolFiles.writeSegment(dir, List.of(r), List.of(4));
        long[] rec = records(seg).get(0);
        byte[] good = Files.readAllBytes(seg);

        assertThat(readOnly(seg).status).isEqualTo(SegmentFormat.Status.OK);
        assertThat(readOnly(seg).record.events()).isEqualTo(4);

        flipByte(seg, rec[0] + 7); // inside the event count: only the header checksum can tell
        SegmentFormat.Result header = readOnly(seg);
        assertThat(header.status).isEqualTo(SegmentFormat.Status.CORRUPT);
        assertThat(header.events).isZero();
        assertThat(header.problem).isEqualTo("record header checksum mismatch at byte 0");

        Files.write(seg, good);
        flipByte(seg, rec[1] + 3);
        SegmentFormat.Result payload = readOnly(seg);
        assertThat(payload.status).isEqualTo(SegmentFormat.Status.CORRUPT);
        assertThat(payload.events).isEqualTo(4);
        assertThat(payload.problem).isEqualTo("record payload checksum mismatch at byte 0 (4 events)");

        Files.write(seg, good);
        flipByte(seg, good.length - 1); // the payload checksum itself
        assertThat(readOnly(seg).status).isEqualTo(SegmentFormat.Status.CORRUPT);

        Files.write(seg, good);
        flipByte(seg, 0);
        assertThat(readOnly(seg).problem).isEqualTo("no record marker at byte 0");

        Files.write(seg, java.util.Arrays.copyOf(good, good.length - 1));
        SegmentFormat.Result cut = readOnly(seg);
        assertThat(cut.status).isEqualTo(SegmentFormat.Status.TRUNCATED);
        assertThat(cut.events).isEqualTo(4);

        Files.write(seg, java.util.Arrays.copyOf(good, 12));
        SegmentFormat.Result cutHeader = readOnly(seg);
        assertThat(cutHeader.status).isEqualTo(SegmentFormat.Status.TRUNCATED);
        assertThat(cutHeader.events).isZero();
    }

    private static SegmentFormat.Result readOnly(Path seg) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "r")) {
            return SegmentFormat.read(f, 0, f.length(), true);
        }
    }

    @Test
    void recoverySkipsTheRestOfADamagedFileReportsItOnceAndLeavesForeignFilesAlone() throws IOException {
        List<EncodedRequest> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            three.add(request("r" + i, "application/json", null));
        }
        Path intact = SpoolFiles.writeSegment(dir, three, List.of(1, 2, 3));
        Path damaged = SpoolFiles.writeSegment(dir, three, List.of(1, 2, 3));
        flipByte(damaged, records(damaged).get(1)[1]); // the second record's payload
        Path foreign = Files.writeString(dir.resolve("notes.txt"), "mine");
        Path almost = Files.writeString(dir.resolve("loki-spool-1.seg"), "not ours either");
        Path huge = Files.writeString(dir.resolve("loki-spool-99999999999999999999.seg"), "beyond any sequence we write");

        Spool s = open(1 << 20);
        s.recover();
        StatsSnapshot st = stats.snapshot();
        assertThat(st.recoveredRecords()).isEqualTo(4);
        assertThat(st.recoveredEvents()).isEqualTo(7);
        assertThat(st.spoolCorruptRecords()).isEqualTo(1);
        assertThat(st.spoolCorruptEvents()).isEqualTo(2);
        assertThat(status.messages.stream().filter(m -> m.startsWith("WARN"))).containsExactly(
                "WARN spool file " + damaged + " is corrupt: record payload checksum mismatch at byte "
                        + records(damaged).get(1)[0] + " (2 events); 1 requests before it are delivered, the rest"
                        + " of the file is skipped");
        List<String> bodies = new ArrayList<>();
        for (SpoolRecord r; (r = s.peek()) != null; ) {
            bodies.add(body(r));
            s.remove(r, true);
        }
        assertThat(bodies).containsExactly("r0", "r1", "r2", "r0");
        assertThat(segments(dir)).containsExactly(huge);
        assertThat(intact).doesNotExist();
        assertThat(Files.readString(foreign)).isEqualTo("mine");
        assertThat(Files.readString(almost)).isEqualTo("not ours either");
        assertThat(Files.readString(huge)).isEqualTo("beyond any sequence we write");
        s.close();
    }

    @Test
    void anotherAppenderInThisJvmIsAWarningFirstAnErrorWhenItLastsAndTheDirectoryIsTakenOverOnceFree()
            throws IOException {
        Spool first = open(1 << 20);
        long retryNanos = 10_000_000L;
        long graceNanos = 300_000_000L;
        Spool second = Spool.open(dir, 1 << 20, status, stats, "second", retryNanos, graceNanos);
        assertThat(second.acquired()).isFalse();
        assertThat(status.messages).containsExactly("WARN 'spoolDirectory' " + dir + " is in use by another appender in"
                + " this JVM; Loki appender 'second' keeps events in memory only until the directory is free");
        second.recover(); // nothing to do without the lock
        assertThat(second.recovered()).isFalse();
        assertThatThrownBy(() -> second.append(request("x", "application/json", null), 1))
                .isInstanceOf(IOException.class);

        // longer than a reconfiguration takes: an error, once
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            second.tryAcquire();
            return status.messages.size() == 2;
        });
        assertThat(status.messages.get(1)).isEqualTo(lockedOutError("second"));
        for (int i = 0; i < 5; i++) {
            assertThat(second.tryAcquire()).isFalse();
        }
        assertThat(status.messages).hasSize(2);

        first.close();
        await().atMost(Duration.ofSeconds(10)).until(second::tryAcquire);
        assertThat(status.messages).last().isEqualTo("INFO 'spoolDirectory' " + dir
                + " is free now: Loki appender 'second' uses it");
        second.recover();
        assertThat(second.recovered()).isTrue();
        assertThat(second.append(request("x", "application/json", null), 1)).isEqualTo(Spool.Append.WRITTEN);
        second.close();
    }

    private String lockedOutError(String appender) {
        return "ERROR 'spoolDirectory' " + dir + " is in use by another appender or process (the lock on "
                + dir.resolve("loki-spool.lock") + " is held); Loki appender '" + appender + "' keeps events in memory"
                + " only until the directory is free. Give each appender its own directory";
    }

    @Test
    void anotherProcessHoldingTheDirectoryIsAnErrorAtOnceAndTheDirectoryIsTakenOverWhenItExits() throws Exception {
        Process other = SpoolFiles.holdLockInAnotherProcess(dir);
        try {
            Spool s = Spool.open(dir, 1 << 20, status, stats, "mine", 10_000_000L, 300_000_000L);
            assertThat(s.acquired()).isFalse();
            assertThat(status.messages).containsExactly(lockedOutError("mine"));

            SpoolFiles.release(other); // the other process exits and its lock goes with it
            await().atMost(Duration.ofSeconds(10)).until(s::tryAcquire);
            assertThat(status.messages).hasSize(2).last().isEqualTo("INFO 'spoolDirectory' " + dir
                    + " is free now: Loki appender 'mine' uses it");
            s.close();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aRecordThatChangedOnDiskAfterItWasWrittenIsDroppedAsSpoolFailed() throws IOException {
        Spool s = open(1 << 20);
        s.recover();
        s.append(request("a", "application/json", null), 5);
        s.append(request("b", "application/json", null), 6);
        Path seg = segments(dir).get(0);
        flipByte(seg, records(seg).get(0)[1]);
        assertThat(s.peek()).isNull();
        assertThat(s.takeLostOwnEvents()).isEqualTo(11);
        StatsSnapshot st = stats.snapshot();
        assertThat(st.dropped(DropReason.SPOOL_FAILED)).isEqualTo(11);
        assertThat(st.inSpool()).isZero();
        assertThat(st.spoolCorruptRecords()).isEqualTo(2);
        assertThat(st.spoolCorruptEvents()).isEqualTo(11);
        assertThat(segments(dir)).isEmpty();
        s.close();
    }

    private List<String> drain(Spool s) {
        List<String> out = new ArrayList<>();
        for (SpoolRecord r; (r = s.peek()) != null; ) {
            out.add(body(r));
            s.remove(r, true);
        }
        return out;
    }

    private Spool restart() {
        Spool s = Spool.open(dir, 1 << 20, status, new PipelineStats(), "test");
        assertThat(s).isNotNull();
        s.recover();
        return s;
    }

    @Test
    void aCleanRestartResumesAfterTheLastDeliveredRecordOfAPartlyDeliveredSegment() throws IOException {
        Spool a = restart();
        for (String b : List.of("one", "two", "three")) {
            a.append(request(b, "application/json", null), 1);
        }
        a.remove(a.peek(), true);
        a.close();
        assertThat(dir.resolve("loki-spool.cursor")).exists();

        Spool b = restart();
        assertThat(drain(b)).containsExactly("two", "three");
        b.close();
        assertThat(dir.resolve("loki-spool.cursor")).doesNotExist(); // nothing left to point into
        assertThat(segments(dir)).isEmpty();
    }

    @Test
    void aDamagedCursorIsReportedAndEverythingIsSentAgainRatherThanLost() throws IOException {
        Spool a = restart();
        for (String b : List.of("one", "two")) {
            a.append(request(b, "application/json", null), 1);
        }
        a.remove(a.peek(), true);
        a.close();
        flipByte(dir.resolve("loki-spool.cursor"), 12);

        Spool b = restart();
        assertThat(drain(b)).containsExactly("one", "two");
        assertThat(status.messages).contains("WARN spool cursor " + dir.resolve("loki-spool.cursor")
                + " is damaged; every record in the spool is sent, some perhaps again");
        b.close();
    }

    @Test
    void aStaleCursorNeverHidesRecordsWrittenLater() throws IOException {
        Spool a = restart();
        for (String b : List.of("one", "two", "three")) {
            a.append(request(b, "application/json", null), 1);
        }
        a.remove(a.peek(), true);
        a.close();
        byte[] cursor = Files.readAllBytes(dir.resolve("loki-spool.cursor")); // names segment 1
        Spool b = restart();
        drain(b);
        b.close();
        // as if a crash had left the old cursor behind after segment 1 was gone
        Files.write(dir.resolve("loki-spool.cursor"), cursor);

        Spool c = restart();
        c.append(request("four", "application/json", null), 1);
        c.append(request("five", "application/json", null), 1);
        c.close();
        assertThat(segments(dir)).singleElement().satisfies(p -> assertThat(p.getFileName().toString())
                .isEqualTo("loki-spool-00000000000000000002.seg")); // never number 1 again
        Spool d = restart();
        assertThat(drain(d)).containsExactly("four", "five");
        d.close();
    }

    @Test
    void aSpoolDirectoryThatIsAFileIsReportedAndTheAppenderRunsWithoutASpool() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "a file, not a directory");
        assertThat(Spool.open(file, 1 << 20, status, stats, "test")).isNull();
        assertThat(status.messages).singleElement().asString()
                .startsWith("ERROR 'spoolDirectory' " + file + " cannot be used: java.nio.file.FileAlreadyExistsException")
                .endsWith("; Loki appender 'test' keeps events in memory only");
    }
}
