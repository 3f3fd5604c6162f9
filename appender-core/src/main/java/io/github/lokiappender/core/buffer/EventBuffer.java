package io.github.lokiappender.core.buffer;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-off between logging threads and the shipper thread, limited both in bytes
 * (by {@link LokiEvent#weight()}) and in events. A batch is due when {@code batchEvents} events or
 * {@code batchBytes} of content ({@link LokiEvent#contentSize()}: line bytes plus metadata characters) are waiting.
 *
 * <p>Callers hold the lock only for O(1) work (O(k) for k evictions under DROP_OLDEST). The
 * shipper sleeps in {@link #awaitReady(long)} until a batch is due: enough events or bytes for a
 * batch, the linger time since the first waiting event has passed, a flush was requested, or the
 * buffer was closed. Every state change that can make a batch due happens under the same lock
 * that the shipper waits on, so no wake-up is lost.
 *
 * <p>Events it drops (full, closed, evicted, discarded) go back to their {@link io.github.lokiappender.core.EventPool}.
 *
 * <p>The buffer also tracks progress for {@code flush}: events accepted versus events finished
 * (delivered or dropped after acceptance), reported by the shipper through {@link #completed(int)}.
 */
public final class EventBuffer {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition batchDue = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition progress = lock.newCondition();

    private final ArrayDeque<LokiEvent> queue = new ArrayDeque<>();
    private final long maxBytes;
    private final int maxEvents;
    private final OverflowPolicy policy;
    private final long blockTimeoutNanos;
    private final int batchEvents;
    private final long batchBytes;
    private final PipelineStats stats;

    // all guarded by lock
    private long bytes;
    private long contentSize;
    private long firstArrivalNanos;
    private long acceptedTotal;
    private long removedTotal;
    private long completedTotal;
    private long flushTarget;
    private boolean closed;
    private int blockedProducers;

    /**
     * @param maxBytes          byte budget (sum of event weights)
     * @param maxEvents         event budget
     * @param policy            what to do when full
     * @param blockTimeoutNanos longest wait under {@link OverflowPolicy#BLOCK}
     * @param batchEvents       buffered events that make a batch due at once
     * @param batchBytes        buffered bytes (weights) that make a batch due at once
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
    }

    /**
     * Adds an event, applying the overflow policy when full. Never throws; a rejected event is
     * counted under its {@link DropReason}. Under {@link OverflowPolicy#BLOCK} waits at most the
     * configured time; an interrupt ends the wait (the interrupt status is kept).
     *
     * @return true if the event was buffered
     */
    public boolean offer(LokiEvent event) {
        int w = event.weight();
        lock.lock();
        try {
            if (closed) {
                stats.dropped(DropReason.CLOSED, 1);
                event.recycle();
                return false;
            }
            if (!hasRoom(w)) {
                if (w > maxBytes || !makeRoom(w)) {
                    stats.dropped(closed ? DropReason.CLOSED : DropReason.BUFFER_FULL, 1);
                    event.recycle();
                    return false;
                }
            }
            queue.addLast(event);
            bytes += w;
            int c = event.contentSize();
            contentSize += c;
            acceptedTotal++;
            int n = queue.size();
            if (n == 1) {
                firstArrivalNanos = System.nanoTime();
                batchDue.signal(); // starts the shipper's linger timer
            } else if (n == batchEvents || (contentSize >= batchBytes && contentSize - c < batchBytes)) {
                batchDue.signal(); // a full batch is waiting; signalled once per crossing
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean hasRoom(int w) {
        return queue.size() < maxEvents && bytes + w <= maxBytes;
    }

    /** Called with the lock held and the buffer full. */
    private boolean makeRoom(int w) {
        switch (policy) {
            case DROP_OLDEST:
                int evicted = 0;
                while (!hasRoom(w) && !queue.isEmpty()) {
                    LokiEvent old = queue.pollFirst();
                    bytes -= old.weight();
                    contentSize -= old.contentSize();
                    old.recycle();
                    evicted++;
                }
                if (evicted > 0) {
                    removedTotal += evicted;
                    stats.dropped(DropReason.BUFFER_FULL, evicted);
                    addCompleted(evicted);
                }
                return hasRoom(w);
            case BLOCK:
                long remaining = blockTimeoutNanos;
                blockedProducers++;
                try {
                    while (!hasRoom(w) && !closed && remaining > 0) {
                        remaining = notFull.awaitNanos(remaining);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    blockedProducers--;
                }
                return !closed && hasRoom(w);
            case DROP_NEWEST:
            default:
                return false;
        }
    }

    /**
     * Shipper side: waits until a batch is due, at most {@code lingerNanos} after the first
     * waiting event arrived, and indefinitely while the buffer is empty and open.
     *
     * @return false if the buffer is closed and empty (the shipper may finish), true otherwise
     */
    public boolean awaitReady(long lingerNanos) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                int n = queue.size();
                if (n == 0) {
                    if (closed) {
                        return false;
                    }
                    batchDue.await();
                    continue;
                }
                if (closed || n >= batchEvents || contentSize >= batchBytes || removedTotal < flushTarget) {
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
                int n = queue.size();
                long now = System.nanoTime();
                long wait = until - now;
                if (n > 0) {
                    if (closed || n >= batchEvents || contentSize >= batchBytes || removedTotal < flushTarget) {
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
     * Moves events, oldest first, into {@code out}: at most {@code maxEvents}, and no more than
     * {@code maxChars} characters of content unless the first event alone has more. Mirrors the
     * batch cut, so that what is drained usually makes exactly one batch. Returns how many.
     */
    public int drainTo(Collection<LokiEvent> out, int maxEvents, long maxChars) {
        lock.lock();
        try {
            int n = 0;
            long freed = 0;
            long chars = 0;
            while (n < maxEvents) {
                LokiEvent e = queue.peekFirst();
                if (e == null || (n > 0 && chars + e.contentSize() > maxChars)) {
                    break;
                }
                queue.pollFirst();
                out.add(e);
                freed += e.weight();
                chars += e.contentSize();
                n++;
            }
            bytes -= freed;
            contentSize -= chars;
            removedTotal += n;
            if (!queue.isEmpty()) {
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
            int n = queue.size();
            for (LokiEvent e : queue) {
                e.recycle();
            }
            queue.clear();
            bytes = 0;
            contentSize = 0;
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
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes (weights) currently buffered. */
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }
}
