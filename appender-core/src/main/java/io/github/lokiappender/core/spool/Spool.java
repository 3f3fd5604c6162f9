package io.github.lokiappender.core.spool;

import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bounded, append-only queue of encoded push requests on disk, oldest first. Requests are
 * appended to segment files {@code loki-spool-<20-digit sequence>.seg} (format:
 * {@link SegmentFormat}); a segment is deleted once every record in it has left the queue. Other
 * files in the directory are left alone. A lock file ({@code loki-spool.lock}) keeps a second
 * appender, in this or another process, out of the directory.
 *
 * <p>Durability: a segment is forced to the device when it is rotated and when the spool is
 * closed; an operating-system crash can lose what was written since, which the next start finds
 * as a truncated record and reports.
 *
 * <p>Used by the shipper thread only, except {@link #close()}.
 */
public final class Spool implements AutoCloseable {

    static final String LOCK_FILE = "loki-spool.lock";
    /** Where the first segment's delivered records end, so that a restart does not send them again. */
    static final String CURSOR_FILE = "loki-spool.cursor";
    private static final int CURSOR_MAGIC = 0x4C4B4331; // "LKC1"
    /** The cursor is saved at most this often while records are delivered (and always on close). */
    private static final long CURSOR_INTERVAL_NANOS = 1_000_000_000L;
    private static final Pattern SEGMENT_NAME = Pattern.compile("loki-spool-(\\d{20})\\.seg");
    private static final long MAX_SEGMENT_BYTES = 4L * 1024 * 1024;
    private static final long MIN_SEGMENT_BYTES = 4L * 1024;

    /** What {@link #append} did. */
    public enum Append {
        WRITTEN,
        /** No room under {@code spoolMaxBytes} now; there will be once older records are delivered. */
        FULL,
        /** The request alone is larger than {@code spoolMaxBytes}: it can never be spooled. */
        TOO_LARGE
    }

    /** One segment file and how much of it is still queued. */
    private static final class Segment {
        final long seq;
        final Path path;
        final boolean recovered;
        /** End of the last whole record this spool trusts. */
        long end;
        /** The file's size on disk (a recovered file's damaged tail included). */
        long fileBytes;
        long readOffset;
        int records;
        long events;
        RandomAccessFile out;

        Segment(long seq, Path path, boolean recovered) {
            this.seq = seq;
            this.path = path;
            this.recovered = recovered;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final StatusReporter status;
    private final PipelineStats stats;
    private final String appenderName;
    private final FileChannel lockChannel;
    /** Null while another appender or process holds the directory. */
    private FileLock lock;
    private final long openedAt = System.nanoTime();
    private long lockTriedAt = openedAt;
    private final long lockRetryNanos;
    private final long sameJvmGraceNanos;
    private boolean heldInThisJvm;
    private boolean lockedOutReported;
    private boolean recovered;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final byte[] header = new byte[SegmentFormat.MAX_HEADER];
    private final byte[] crc = new byte[4];
    private Segment writing;
    private RandomAccessFile reader;
    private Segment readerOf;
    private SpoolRecord peeked;
    private long nextSeq = 1;
    private long bytes;
    private int records;
    private long lostOwnEvents;
    private boolean closed;
    private long cursorSavedAt = System.nanoTime();
    private boolean cursorDirty;

    /** How often, at most, a spool locked out by another appender tries the lock again. */
    private static final long LOCK_RETRY_NANOS = 100_000_000L;
    /** How long another appender of this JVM may hold the directory before that is an error. */
    private static final long SAME_JVM_GRACE_NANOS = 10_000_000_000L;

    private Spool(Path dir, long maxBytes, StatusReporter status, PipelineStats stats, String appenderName,
                  FileChannel lockChannel, long lockRetryNanos, long sameJvmGraceNanos) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8));
        this.status = status;
        this.stats = stats;
        this.appenderName = appenderName;
        this.lockChannel = lockChannel;
        this.lockRetryNanos = lockRetryNanos;
        this.sameJvmGraceNanos = sameJvmGraceNanos;
    }

    /**
     * Creates the directory if needed and takes its lock. Reads nothing yet ({@link #recover()}
     * does, on the shipper thread). When another appender or process holds the directory (Log4j2
     * starts a new configuration before it stops the old one; a new instance may start before the
     * old one stops), this reports an error and returns a spool without the lock: the appender keeps
     * events in memory until {@link #tryAcquire()} gets the lock.
     *
     * @return the spool, or null after reporting an error when the directory cannot be used at all:
     * the appender then keeps events in memory only
     */
    public static Spool open(Path dir, long maxBytes, StatusReporter status, PipelineStats stats, String appenderName) {
        return open(dir, maxBytes, status, stats, appenderName, LOCK_RETRY_NANOS, SAME_JVM_GRACE_NANOS);
    }

    static Spool open(Path dir, long maxBytes, StatusReporter status, PipelineStats stats, String appenderName,
                      long lockRetryNanos, long sameJvmGraceNanos) {
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            Spool s = new Spool(dir, maxBytes, status, stats, appenderName, ch, lockRetryNanos, sameJvmGraceNanos);
            s.lock = s.tryLock();
            if (s.lock == null) {
                if (s.heldInThisJvm) {
                    // Log4j2 starts a new configuration before it stops the old one: usually over in a moment
                    status.warn("'spoolDirectory' " + dir + " is in use by another appender in this JVM; Loki appender '"
                            + appenderName + "' keeps events in memory only until the directory is free", null);
                } else {
                    s.reportLockedOut();
                }
            }
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            status.error("'spoolDirectory' " + dir + " cannot be used: " + e + "; Loki appender '" + appenderName
                    + "' keeps events in memory only", e);
            return null;
        }
    }

    private void reportLockedOut() {
        lockedOutReported = true;
        status.error("'spoolDirectory' " + dir + " is in use by another appender or process (the lock on "
                + dir.resolve(LOCK_FILE) + " is held); Loki appender '" + appenderName + "' keeps events in"
                + " memory only until the directory is free. Give each appender its own directory", null);
    }

    private FileLock tryLock() throws IOException {
        try {
            heldInThisJvm = false;
            return lockChannel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            heldInThisJvm = true;
            return null;
        }
    }

    /** Whether this spool holds the directory's lock. */
    public boolean acquired() {
        return lock != null;
    }

    /**
     * Takes the lock if it is free now; tries at most once a second. True when this spool holds
     * the lock (then {@link #recover()} is due).
     */
    public boolean tryAcquire() {
        if (lock != null) {
            return true;
        }
        long now = System.nanoTime();
        if (closed || now - lockTriedAt < lockRetryNanos) {
            return false;
        }
        lockTriedAt = now;
        try {
            lock = tryLock();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        if (lock == null && !lockedOutReported && (!heldInThisJvm || now - openedAt >= sameJvmGraceNanos)) {
            reportLockedOut(); // not a passing reconfiguration
        }
        if (lock != null) {
            status.info("'spoolDirectory' " + dir + " is free now: Loki appender '" + appenderName + "' uses it");
        }
        return lock != null;
    }

    /**
     * True while another appender of this JVM holds the directory, for less than the grace period
     * (10 s): most likely the old configuration of a Log4j2 reconfiguration, which is stopping.
     */
    public boolean briefSameJvmLockout() {
        return lock == null && !closed && heldInThisJvm && System.nanoTime() - openedAt < sameJvmGraceNanos;
    }

    /** Whether {@link #recover()} has run. */
    public boolean recovered() {
        return recovered;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Finds the segments an earlier process left, checks every record, and queues the valid ones
     * ahead of anything appended later. A damaged or truncated record is reported once per file,
     * counted, and ends the reading of that file (nothing after it can be trusted); a file without
     * a valid record is deleted. Never throws.
     */
    public void recover() {
        if (recovered || lock == null) {
            return;
        }
        recovered = true;
        List<long[]> found = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher m = SEGMENT_NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    try {
                        found.add(new long[]{Long.parseLong(m.group(1)), paths.size()});
                        paths.add(p);
                    } catch (NumberFormatException beyondLong) {
                        // not a number this spool writes: not ours
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            status.error("the spool directory " + dir + " cannot be listed: " + e + "; nothing from an earlier run is"
                    + " delivered", e);
            return;
        }
        found.sort((a, b) -> Long.compare(a[0], b[0]));
        long[] cursor = readCursor();
        if (cursor != null) {
            nextSeq = cursor[0] + 1; // never reuse a number the cursor may name
        }
        long events = 0;
        int recs = 0;
        for (long[] f : found) {
            nextSeq = Math.max(nextSeq, f[0] + 1);
            Path path = paths.get((int) f[1]);
            if (cursor != null && f[0] < cursor[0]) {
                delete(path); // delivered completely; only a failed delete can have left it
                continue;
            }
            Segment s = scan(f[0], path, cursor != null && f[0] == cursor[0] ? cursor[1] : 0);
            if (s != null) {
                segments.addLast(s);
                bytes += s.fileBytes;
                stats.spoolBytes(s.fileBytes);
                records += s.records;
                recs += s.records;
                events += s.events;
            }
        }
        saveCursor(); // now names the first segment left, or is gone
        status.info("spool " + dir + ": " + (recs == 0 ? "nothing from an earlier run"
                : events + " events in " + recs + " requests from an earlier run, delivered first"));
    }

    private Segment scan(long seq, Path path, long from) {
        Segment s = new Segment(seq, path, true);
        long size;
        String problem = null;
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
            size = f.length();
            s.fileBytes = size;
            long offset = from <= size ? from : 0; // a cursor past the end is not trusted: send everything
            s.readOffset = offset;
            while (true) {
                SegmentFormat.Result r = SegmentFormat.read(f, offset, size, true);
                if (r.status == SegmentFormat.Status.END) {
                    break;
                }
                if (r.status != SegmentFormat.Status.OK) {
                    stats.spoolCorrupt(1, r.events);
                    problem = (r.status == SegmentFormat.Status.TRUNCATED ? "truncated: " : "corrupt: ") + r.problem;
                    break;
                }
                s.records++;
                s.events += r.events;
                stats.recovered(r.events);
                offset = r.record.nextOffset();
            }
            s.end = offset;
        } catch (IOException | RuntimeException e) {
            problem = "cannot be read: " + e;
        }
        if (s.fileBytes == 0 && problem == null && from == 0) {
            problem = "empty (a crash right after the file was created?)";
        }
        if (problem != null) {
            status.warn("spool file " + path + " is " + problem + "; " + (s.records == 0 ? "the file is skipped and deleted"
                    : s.records + " requests before it are delivered, the rest of the file is skipped"), null);
        }
        if (s.records == 0) {
            delete(path);
            return null;
        }
        return s;
    }

    /** {seq, offset} from the cursor file, or null when there is none or it cannot be trusted. */
    private long[] readCursor() {
        Path p = dir.resolve(CURSOR_FILE);
        if (!Files.exists(p)) {
            return null;
        }
        try {
            byte[] b;
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) { // not interruptible, unlike Files.readAllBytes
                b = new byte[(int) Math.min(f.length(), 64)];
                f.readFully(b);
            }
            if (b.length == 24 && SegmentFormat.getInt(b, 0) == CURSOR_MAGIC
                    && SegmentFormat.crc(b, 4, 16) == SegmentFormat.getInt(b, 20)) {
                long seq = getLong(b, 4);
                long offset = getLong(b, 12);
                if (seq > 0 && offset >= 0) {
                    return new long[]{seq, offset};
                }
            }
            status.warn("spool cursor " + p + " is damaged; every record in the spool is sent, some perhaps again", null);
        } catch (IOException | RuntimeException e) {
            status.warn("spool cursor " + p + " cannot be read (" + e + "); every record in the spool is sent, some"
                    + " perhaps again", null);
        }
        return null;
    }

    /**
     * Records where the delivered part of the first segment ends (write to a temporary file, then
     * rename). Not forced to the device: after an operating-system crash a few delivered requests
     * may be sent again, which Loki drops as duplicates.
     */
    private void saveCursor() {
        cursorDirty = false;
        cursorSavedAt = System.nanoTime();
        Segment head = segments.peekFirst();
        Path p = dir.resolve(CURSOR_FILE);
        try {
            if (head == null || head.readOffset == 0) {
                Files.deleteIfExists(p);
                return;
            }
            byte[] b = new byte[24];
            SegmentFormat.putInt(b, 0, CURSOR_MAGIC);
            putLong(b, 4, head.seq);
            putLong(b, 12, head.readOffset);
            SegmentFormat.putInt(b, 20, SegmentFormat.crc(b, 4, 16));
            Path tmp = dir.resolve(CURSOR_FILE + ".tmp");
            // not Files.write: its channel gives up on a thread interrupted at the shutdown deadline
            try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
                f.setLength(0);
                f.write(b);
            }
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            status.warn("spool cursor " + p + " could not be saved (" + e + "); after a restart some delivered"
                    + " requests may be sent again", null);
        }
    }

    private static void putLong(byte[] b, int p, long v) {
        SegmentFormat.putInt(b, p, (int) (v >>> 32));
        SegmentFormat.putInt(b, p + 4, (int) v);
    }

    private static long getLong(byte[] b, int p) {
        return ((long) SegmentFormat.getInt(b, p) << 32) | (SegmentFormat.getInt(b, p + 4) & 0xFFFFFFFFL);
    }

    /**
     * Appends a request (its bytes are copied to the file; the array is not kept).
     *
     * @throws IOException when writing fails; the spool then holds what it held before
     */
    public Append append(EncodedRequest request, int events) throws IOException {
        long len = SegmentFormat.recordLength(request.length(), request.contentType(), request.contentEncoding());
        if (len > maxBytes) {
            return Append.TOO_LARGE;
        }
        if (bytes + len > maxBytes) {
            return Append.FULL;
        }
        if (closed || lock == null) {
            throw new IOException(closed ? "the spool is closed" : "the spool directory is held by another appender");
        }
        if (writing == null || writing.fileBytes >= segmentBytes) {
            rotate();
        }
        Segment w = writing;
        int hl = SegmentFormat.writeHeader(header, events, request.length(), request.contentType(),
                request.contentEncoding());
        SegmentFormat.putInt(crc, 0, SegmentFormat.crc(request.body(), 0, request.length()));
        long at = w.fileBytes;
        try {
            w.out.seek(at);
            w.out.write(header, 0, hl);
            w.out.write(request.body(), 0, request.length());
            w.out.write(crc, 0, 4);
        } catch (IOException e) {
            try {
                w.out.setLength(at); // no half record left behind
            } catch (IOException e2) {
                retireWriting(); // the reader stops at w.end anyway
            }
            throw e;
        }
        w.fileBytes += len;
        w.end = w.fileBytes;
        w.records++;
        w.events += events;
        records++;
        bytes += len;
        stats.spoolBytes(len);
        stats.spooled(events);
        return Append.WRITTEN;
    }

    /** Closes the segment being written (forcing it to the device) and starts the next. */
    private void rotate() throws IOException {
        retireWriting();
        Segment s = new Segment(nextSeq, dir.resolve(String.format(Locale.ROOT, "loki-spool-%020d.seg", nextSeq)), false);
        nextSeq++;
        s.out = new RandomAccessFile(s.path.toFile(), "rw");
        s.out.setLength(0);
        writing = s;
        segments.addLast(s);
    }

    private void retireWriting() {
        Segment w = writing;
        if (w == null) {
            return;
        }
        writing = null;
        boolean empty = w.records == 0 && segments.peekLast() == w;
        if (!empty) {
            try {
                w.out.getFD().sync();
            } catch (IOException e) {
                status.warn("spool file " + w.path + " could not be forced to disk: " + e, null);
            }
        }
        closeQuietly(w.out);
        w.out = null;
        if (empty) {
            segments.pollLast();
            if (readerOf == w) {
                closeQuietly(reader);
                reader = null;
                readerOf = null;
            }
            bytes -= w.fileBytes;
            stats.spoolBytes(-w.fileBytes);
            delete(w.path);
        }
    }

    /** True while records wait to be sent. */
    public boolean hasRecords() {
        return records > 0;
    }

    /** Records waiting. */
    public int records() {
        return records;
    }

    /** Bytes of the segment files. */
    public long bytes() {
        return bytes;
    }

    /**
     * The oldest record, left in the queue until {@link #remove}; the same record until then.
     * A record that cannot be read back is reported and skipped with the rest of its file; this
     * process's events in it are dropped as {@link DropReason#SPOOL_FAILED} (see
     * {@link #takeLostOwnEvents()}).
     *
     * @return null when the queue is empty
     */
    public SpoolRecord peek() {
        if (peeked != null) {
            return peeked;
        }
        while (!segments.isEmpty()) {
            Segment s = segments.peekFirst();
            if (s.records == 0) {
                if (s == writing) {
                    return null;
                }
                deleteHead();
                continue;
            }
            String problem;
            try {
                SegmentFormat.Result r = SegmentFormat.read(readerFor(s), s.readOffset, s.end, s.recovered);
                if (r.status == SegmentFormat.Status.OK) {
                    peeked = r.record;
                    return peeked;
                }
                problem = r.status == SegmentFormat.Status.END ? "shorter than written" : r.problem;
            } catch (IOException | RuntimeException e) {
                problem = "cannot be read: " + e;
            }
            status.warn("spool file " + s.path + " changed after it was written (" + problem + "); its remaining "
                    + s.records + " requests (" + s.events + " events) are skipped", null);
            skipRestOf(s);
        }
        return null;
    }

    private void skipRestOf(Segment s) {
        stats.spoolCorrupt(s.records, s.events);
        if (s.recovered) {
            stats.recoveredDone(s.events, false, false);
        } else {
            stats.unspooled(s.events, false);
            stats.dropped(DropReason.SPOOL_FAILED, s.events);
            lostOwnEvents += s.events;
        }
        records -= s.records;
        s.records = 0;
        s.events = 0;
        if (s == writing) {
            retireWriting();
        }
        if (segments.peekFirst() == s) {
            deleteHead();
        }
    }

    /** This process's events that {@link #peek()} dropped since the last call. */
    public long takeLostOwnEvents() {
        long n = lostOwnEvents;
        lostOwnEvents = 0;
        return n;
    }

    /**
     * Takes the record {@link #peek()} returned out of the queue, after Loki accepted it
     * ({@code delivered}) or rejected it for good, and updates the gauges. The caller counts the
     * delivery or drop after this call.
     */
    public void remove(SpoolRecord r, boolean delivered) {
        if (r != peeked) {
            throw new IllegalStateException("not the record at the head of the spool");
        }
        peeked = null;
        Segment s = segments.peekFirst();
        s.readOffset = r.nextOffset();
        s.records--;
        s.events -= r.events();
        records--;
        if (r.recovered()) {
            stats.recoveredDone(r.events(), delivered, !delivered);
        } else {
            stats.unspooled(r.events(), delivered);
        }
        if (s.records == 0) {
            if (s == writing) {
                retireWriting(); // deletes it too
            } else {
                deleteHead();
            }
        }
        cursorDirty = true;
        if (System.nanoTime() - cursorSavedAt >= CURSOR_INTERVAL_NANOS) {
            saveCursor();
        }
    }

    private RandomAccessFile readerFor(Segment s) throws IOException {
        if (readerOf != s) {
            closeQuietly(reader);
            reader = null;
            readerOf = null;
            reader = new RandomAccessFile(s.path.toFile(), "r");
            readerOf = s;
        }
        return reader;
    }

    private void deleteHead() {
        Segment s = segments.pollFirst();
        if (readerOf == s) {
            closeQuietly(reader);
            reader = null;
            readerOf = null;
        }
        bytes -= s.fileBytes;
        stats.spoolBytes(-s.fileBytes);
        delete(s.path);
    }

    private void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
            // left behind, it would be sent again by the next start
            status.warn("spool file " + p + " could not be deleted (" + e + "); delete it by hand, or its"
                    + " requests are sent again after a restart", null);
        }
    }

    /** Forces the segment being written to the device, closes the files and releases the lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        retireWriting();
        if (cursorDirty) {
            saveCursor();
        }
        closeQuietly(reader);
        reader = null;
        readerOf = null;
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing useful to do
        }
    }
}
