package io.github.lokiappender.core.buffer;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.EventList;
import io.github.lokiappender.core.encode.Utf8Scratch;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;

import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-off between logging threads and the shipper thread, limited both in bytes and
 * in events. A batch is due when {@code batchEvents} events or {@code batchBytes} of content (line
 * bytes plus metadata characters) are waiting.
 *
 * <p>Events are stored as bytes, not objects: each is a record in a chunk of up to 64 KiB (see
 * {@link RecordChunks}), so a logging thread allocates nothing in steady state (it encodes the line
 * into a reused per-thread array, then copies the bytes under the lock) and a byte of budget is a
 * byte of heap. The shipper drains records into an {@link EventList} that refers to the lines in the
 * chunks (numbers per event, no objects); chunks it has read from are reused only after it says,
 * with {@link #releaseDrained()}, that it reads none of them any more.
 *
 * <p>Callers hold the lock only for the copy (O(k) more for k evictions under DROP_OLDEST). The
 * shipper sleeps in {@link #awaitReady(long)} until a batch is due: enough events or bytes for a
 * batch, the linger time since the first waiting event has passed, a flush was requested, or the
 * buffer was closed. Every state change that can make a batch due happens under the same lock
 * that the shipper waits on, so no wake-up is lost.
 *
 * <p>The buffer also tracks progress for {@code flush}: events accepted versus events finished
 * (delivered or dropped after acceptance), reported by the shipper through {@link #completed(int)}.
 */
public final class EventBuffer {

    /**
     * Batches waiting that make the buffer backlogged ({@link #isBacklogged()}): a shipper that
     * keeps up has at most about one waiting when it cuts the next (the one filled while it sent).
     * Low, so that a shipper switching to a cheaper encoding still has most of the buffer to
     * catch up in (at one half of a 64 MiB buffer, a benchmark burst still overflowed it at times).
     */
    public static final int BACKLOG_BATCHES = 4;
    /**
     * Per thread: where the line is encoded into outside the lock, for callers that pass no
     * {@link Utf8Scratch}. JDK arrays only: this library's classes must not stay reachable from an
     * application server's threads, or a redeployed web application's class loader could not go.
     */
    private static final ThreadLocal<Object[]> SCRATCH = ThreadLocal.withInitial(Utf8Scratch::newState);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition batchDue = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition progress = lock.newCondition();

    private final RecordChunks records;
    /** Events per call of the drain's inner loop. */
    private static final int DRAIN_SLICE = 256;
    /** Content taken so far by the drain in progress (guarded by lock). */
    private long drainedChars;
    private final long maxBytes;
    private final int maxEvents;
    private final OverflowPolicy policy;
    private final long blockTimeoutNanos;
    private final int batchEvents;
    private final long batchBytes;
    private final PipelineStats stats;
    private final long backlogEvents;
    private final long backlogContent;

    // all guarded by lock (records too)
    private long firstArrivalNanos;
    private long acceptedTotal;
    private long removedTotal;
    private long completedTotal;
    private long flushTarget;
    private boolean closed;
    private int blockedProducers;

    /**
     * @param maxBytes          byte budget (sum of {@link #weight(int, int)} of the events held)
     * @param maxEvents         event budget
     * @param policy            what to do when full
     * @param blockTimeoutNanos longest wait under {@link OverflowPolicy#BLOCK}
     * @param batchEvents       buffered events that make a batch due at once
     * @param batchBytes        buffered content bytes that make a batch due at once
     * @param stats             where drops are counted
     */
    public EventBuffer(long maxBytes, int maxEvents, OverflowPolicy policy, long blockTimeoutNanos,
                       int batchEvents, long batchBytes, PipelineStats stats) {
        this.maxBytes = maxBytes;
        this.maxEvents = maxEvents;
        this.policy = policy;
        this.blockTimeoutNanos = blockTimeoutNanos;
        this.batchEvents = batchEvents;
        this.batchBytes = batchBytes;
        this.stats = stats;
        this.backlogEvents = (long) BACKLOG_BATCHES * batchEvents;
        this.backlogContent = batchBytes > Long.MAX_VALUE / BACKLOG_BATCHES ? Long.MAX_VALUE : BACKLOG_BATCHES * batchBytes;
        this.records = new RecordChunks(RecordChunks.chunkSizeFor(maxBytes),
                RecordChunks.spareChunksFor(maxBytes, batchEvents, batchBytes), RecordChunks.maxSpareChunksFor(maxBytes));
    }

    /**
     * What an event takes of the byte budget: its record (header, line) in a chunk plus the
     * characters of its metadata. A chunk's unused end, when the next record did not fit, is charged
     * too until the shipper has read past it.
     */
    public static int weight(int lineUtf8Bytes, int metadataChars) {
        return RecordChunks.HEADER_BYTES + lineUtf8Bytes + metadataChars;
    }

    /**
     * Adds an event, applying the overflow policy when full. Never throws for a full or closed
     * buffer; a rejected event is counted under its {@link DropReason}. Every event that gets as far
     * as the buffer's lock is counted as offered in the stats; one that throws never got there. Under
     * {@link OverflowPolicy#BLOCK} waits at most the configured time; an interrupt ends the wait
     * (the interrupt status is kept). The line is only read during the call.
     *
     * @param line          the log line, e.g. a reused builder; null becomes empty
     * @param metadataPairs flat {@code [name, value, ...]} array, kept by the buffer (not to be changed), or null
     * @return true if the event was buffered
     * @throws IllegalArgumentException for metadata with an odd number of elements
     */
    public boolean offer(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs) {
        Objects.requireNonNull(labels, "labels");
        String[] md = LokiEvent.compactMetadata(metadataPairs);
        Object[] scratch = SCRATCH.get();
        int n = Utf8Scratch.encode(line == null ? "" : line, scratch);
        try {
            return offerUtf8(timestampNanos, Utf8Scratch.bytes(scratch), 0, n, labels, md);
        } finally {
            Utf8Scratch.release(scratch);
        }
    }

    /**
     * As {@link #offer(long, CharSequence, LabelSet, String[])}, encoding the line with the calling
     * thread's own {@code scratch} (an adapter with per-thread state of its own passes it, which
     * saves a thread-local lookup per event); null: the buffer's per-thread one.
     */
    public boolean offer(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs,
                         Utf8Scratch scratch) {
        if (scratch == null) {
            return offer(timestampNanos, line, labels, metadataPairs);
        }
        Objects.requireNonNull(labels, "labels");
        String[] md = LokiEvent.compactMetadata(metadataPairs);
        int n = scratch.encode(line == null ? "" : line);
        try {
            return offerUtf8(timestampNanos, scratch.bytes(), 0, n, labels, md);
        } finally {
            scratch.release();
        }
    }

    /** As {@link #offer(long, CharSequence, LabelSet, String[])} for an event made already (copied). */
    public boolean offer(LokiEvent event) {
        return offerUtf8(event.timestampNanos(), event.lineBytes(), event.lineOffset(), event.lineUtf8Length(),
                event.labels(), event.metadataPairs());
    }

    private boolean offerUtf8(long timestampNanos, byte[] line, int offset, int length, LabelSet labels, String[] md) {
        int mdChars = LokiEvent.chars(md);
        lock.lock();
        try {
            // counted here, under the lock, rather than with an atomic per call; the event is counted
            // as offered now, so an exception from here on (none is expected) is counted, not thrown
            stats.offeredUnderLock();
            return offerLocked(timestampNanos, line, offset, length, labels, md, mdChars);
        } catch (RuntimeException e) {
            stats.dropped(DropReason.UNSENDABLE, 1);
            return false;
        } finally {
            lock.unlock();
        }
    }

    private boolean offerLocked(long timestampNanos, byte[] line, int offset, int length, LabelSet labels, String[] md,
                                int mdChars) {
        if ((closed || length > RecordChunks.MAX_LINE_BYTES || !hasRoom(length, mdChars)) && !admitSlowly(length, mdChars)) {
            return false;
        }
        long content = records.contentSize();
        records.append(timestampNanos, line, offset, length, labels, md, mdChars);
        acceptedTotal++;
        int n = records.count();
        // one test for the three cases, each as a mask (-1 when it holds): the first event waiting,
        // a batch full by count, a batch's bytes crossed. The first is never met at a steady rate,
        // and tested on its own the JIT compiled it as a trap (see RecordChunks.cost)
        int first = ~(((n - 1) | (1 - n)) >> 31);
        int full = ~(((n - batchEvents) | (batchEvents - n)) >> 31);
        int crossed = (int) (((content - batchBytes) & ~(records.contentSize() - batchBytes)) >> 63);
        if ((first | full | crossed) != 0) {
            batchDue(first);
        }
        return true;
    }

    /**
     * The rare cases of an offer, apart from the common one (kept small for the JIT): closed, a line
     * too long, no room. Returns whether the event may be appended now; counts it if not.
     */
    private boolean admitSlowly(int length, int mdChars) {
        if (closed) {
            stats.dropped(DropReason.CLOSED, 1);
            return false;
        }
        if (length > RecordChunks.MAX_LINE_BYTES) {
            stats.dropped(DropReason.UNSENDABLE, 1);
            return false;
        }
        if (!hasRoom(length, mdChars)) {
            if ((long) weight(length, mdChars) > maxBytes || !makeRoom(length, mdChars)) {
                stats.dropped(closed ? DropReason.CLOSED : DropReason.BUFFER_FULL, 1);
                return false;
            }
        }
        return true;
    }

    /**
     * The event just appended makes a batch due or, when it is the first waiting ({@code first} is
     * -1, else 0), starts the shipper's linger timer. A full batch is signalled once per crossing.
     */
    private void batchDue(int first) {
        long mask = first; // -1 or 0: the timer is set without a branch, for the reason in offerLocked
        firstArrivalNanos = (System.nanoTime() & mask) | (firstArrivalNanos & ~mask);
        batchDue.signal();
    }

    private boolean hasRoom(int lineBytes, int mdChars) {
        return records.count() < maxEvents && records.bytes() + records.cost(lineBytes) + mdChars <= maxBytes;
    }

    /** Called with the lock held and the buffer full. */
    private boolean makeRoom(int lineBytes, int mdChars) {
        switch (policy) {
            case DROP_OLDEST:
                int evicted = 0;
                while (!hasRoom(lineBytes, mdChars) && records.count() > 0) {
                    records.skip();
                    evicted++;
                }
                if (evicted > 0) {
                    removedTotal += evicted;
                    stats.dropped(DropReason.BUFFER_FULL, evicted);
                    addCompleted(evicted);
                }
                return hasRoom(lineBytes, mdChars);
            case BLOCK:
                long remaining = blockTimeoutNanos;
                blockedProducers++;
                try {
                    while (!hasRoom(lineBytes, mdChars) && !closed && remaining > 0) {
                        remaining = notFull.awaitNanos(remaining);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    blockedProducers--;
                }
                return !closed && hasRoom(lineBytes, mdChars);
            case DROP_NEWEST:
            default:
                return false;
        }
    }

    /**
     * Shipper side: waits until a batch is due, at most {@code lingerNanos} after the first
     * waiting event arrived, and indefinitely while the buffer is empty and open (waking on its own
     * only to let go of spare memory no write took for a while, see {@link RecordChunks}).
     *
     * @return false if the buffer is closed and empty (the shipper may finish), true otherwise
     */
    public boolean awaitReady(long lingerNanos) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                int n = records.count();
                if (n == 0) {
                    if (closed) {
                        return false;
                    }
                    // idle: wake to let go of spare memory no write has taken for a while
                    long now = System.nanoTime();
                    long trim = records.nanosUntilTrim(now);
                    if (trim < 0) {
                        batchDue.await();
                    } else if (trim == 0) {
                        records.trimSpare(now);
                    } else {
                        batchDue.awaitNanos(trim);
                    }
                    continue;
                }
                if (closed || n >= batchEvents || records.contentSize() >= batchBytes || removedTotal < flushTarget) {
                    return true;
                }
                long wait = firstArrivalNanos + lingerNanos - System.nanoTime();
                if (wait <= 0) {
                    return true;
                }
                batchDue.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #awaitReady(long)}, but waits at most {@code maxWaitNanos} (0: only looks).
     *
     * @return true when a batch is due; false when the wait ended without one (also when closed and empty)
     */
    public boolean awaitReady(long lingerNanos, long maxWaitNanos) throws InterruptedException {
        lock.lock();
        try {
            long until = System.nanoTime() + Math.max(0, maxWaitNanos);
            while (true) {
                int n = records.count();
                long now = System.nanoTime();
                long wait = until - now;
                if (n > 0) {
                    if (closed || n >= batchEvents || records.contentSize() >= batchBytes || removedTotal < flushTarget) {
                        return true;
                    }
                    long linger = firstArrivalNanos + lingerNanos - now;
                    if (linger <= 0) {
                        return true;
                    }
                    wait = Math.min(wait, linger);
                } else if (closed) {
                    return false;
                }
                if (until - now <= 0) {
                    return false;
                }
                batchDue.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the buffer is closed, at most {@code maxWaitNanos}; returns whether it is. */
    public boolean awaitClosed(long maxWaitNanos) throws InterruptedException {
        lock.lock();
        try {
            long remaining = maxWaitNanos;
            while (!closed && remaining > 0) {
                remaining = batchDue.awaitNanos(remaining);
            }
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves events, oldest first, to the end of {@code out}: at most {@code maxEvents}, and no more
     * than {@code maxChars} characters of content unless the first event alone has more. Mirrors
     * the batch cut, so that what is drained usually makes exactly one batch. Returns how many.
     *
     * <p>Nothing is copied or allocated per event: {@code out} refers to the lines in the buffer's
     * memory, which stays unchanged until the caller (the shipper) calls {@link #releaseDrained()}.
     */
    public int drainTo(EventList out, int maxEvents, long maxChars) {
        lock.lock();
        try {
            // in slices: the per-event loop then runs in a method called often enough for the JIT to
            // compile it early, where a loop of a whole batch, called ten times a second, reached the
            // optimizing compiler only after about a minute of logging
            int n = 0;
            drainedChars = 0;
            while (n < maxEvents) {
                int want = Math.min(DRAIN_SLICE, maxEvents - n);
                int k = drainSlice(out, n, want, maxChars);
                n += k;
                if (k < want) {
                    break; // empty, or the next event is over the content limit
                }
            }
            removedTotal += n;
            if (records.count() > 0) {
                // the rest has waited too; restart its linger from now rather than tracking each arrival
                firstArrivalNanos = System.nanoTime();
            }
            if (n > 0 && blockedProducers > 0) {
                notFull.signalAll();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} events of a drain that has taken {@code taken} so far and {@link #drainedChars}
     * of content; returns how many. Called under the lock.
     */
    private int drainSlice(EventList out, int taken, int max, long maxChars) {
        int k = 0;
        while (k < max && records.count() > 0) {
            int c = records.take(out, taken + k == 0 ? Long.MAX_VALUE : maxChars - drainedChars);
            if (c < 0) {
                break;
            }
            drainedChars += c;
            k++;
        }
        return k;
    }

    /**
     * As {@link #drainTo(EventList, int, long)}, as event objects (allocates: for tests and tools).
     * The events are views on the buffer's memory, valid until {@link #releaseDrained()}.
     */
    public int drainTo(Collection<LokiEvent> out, int maxEvents, long maxChars) {
        EventList drained = new EventList();
        int n = drainTo(drained, maxEvents, maxChars);
        for (int i = 0; i < n; i++) {
            out.add(drained.event(i));
        }
        return n;
    }

    /**
     * Shipper side: no event drained so far is in use any more (each was encoded or dropped), so
     * the memory their lines are in may be filled again.
     */
    public void releaseDrained() {
        lock.lock();
        try {
            records.releaseRetired(System.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    /** Tests: spare chunks are let go after {@code nanos} unused instead of {@link RecordChunks#TRIM_INTERVAL_NANOS}. */
    void spareTrimInterval(long nanos) {
        lock.lock();
        try {
            records.trimInterval(nanos);
        } finally {
            lock.unlock();
        }
    }

    /** Tests: chunks kept for reuse now. */
    int spareChunks() {
        lock.lock();
        try {
            return records.spareChunks();
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #drainTo(Collection, int, long)} without a content limit. */
    public int drainTo(Collection<LokiEvent> out, int maxEvents) {
        return drainTo(out, maxEvents, Long.MAX_VALUE);
    }

    /** Shipper side: {@code n} drained events are finished (delivered or dropped). */
    public void completed(int n) {
        lock.lock();
        try {
            addCompleted(n);
        } finally {
            lock.unlock();
        }
    }

    private void addCompleted(long n) {
        completedTotal += n;
        progress.signalAll();
    }

    /**
     * Asks the shipper to send everything accepted so far without waiting for the linger time, and
     * waits until those events are finished or the timeout passes.
     *
     * @return true if everything accepted before the call was finished in time
     */
    public boolean flush(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long target = acceptedTotal;
            if (target > flushTarget) {
                flushTarget = target;
            }
            batchDue.signal();
            long remaining = timeoutNanos;
            while (completedTotal < target) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = progress.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops intake: later offers are dropped as {@link DropReason#CLOSED}; blocked callers give up. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            batchDue.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes everything still buffered (at the shutdown deadline) and returns how many events that was.
     * They count as finished.
     */
    public int discardAll() {
        lock.lock();
        try {
            int n = records.count();
            records.clear();
            removedTotal += n;
            addCompleted(n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Events currently buffered. */
    public int size() {
        lock.lock();
        try {
            return records.count();
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when the shipper is falling behind: the events waiting (not yet drained) are more than
     * {@link #BACKLOG_BATCHES} batches' worth (by events or by content), or take more than half of
     * either budget.
     */
    public boolean isBacklogged() {
        lock.lock();
        try {
            return records.count() > backlogEvents || records.contentSize() > backlogContent
                    || records.bytes() > maxBytes / 2 || records.count() > maxEvents / 2;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of the budget in use now (see {@link #weight(int, int)}). */
    public long bytes() {
        lock.lock();
        try {
            return records.bytes();
        } finally {
            lock.unlock();
        }
    }
}
