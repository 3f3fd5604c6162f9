package io.github.lokiappender.core;

import java.util.Arrays;
import java.util.List;

/**
 * Recycled {@link LokiEvent}s, so that a logging thread fills an event (and its line array) that
 * an earlier batch has finished with instead of allocating one per call: in steady state the
 * hand-off allocates nothing, and the recycled events age into the old generation instead of being
 * copied at every young collection.
 *
 * <p>A bounded stack under a lock held for O(1) work per claim (O(k) for a batch of k given back
 * at once); no node is allocated per call. What it keeps is bounded by {@code maxEvents} events and
 * {@code maxBytes} bytes (per event: the fixed overhead plus its line array's capacity); a line
 * array larger than {@link #MAX_RETAINED_LINE_BYTES} is never kept. Events given back beyond either
 * bound are left to the garbage collector. When the pool is empty, {@link #claim()} makes a new event.
 */
public final class EventPool {

    /** Line arrays larger than this (one huge line) are not kept in the pool. */
    public static final int MAX_RETAINED_LINE_BYTES = 64 * 1024;

    private final int maxEvents;
    private final long maxBytes;
    private LokiEvent[] free = new LokiEvent[16];
    private int size;
    private long retainedBytes;

    /**
     * @param maxEvents most events kept
     * @param maxBytes  most bytes kept (fixed overhead plus line array capacity per event)
     */
    public EventPool(int maxEvents, long maxBytes) {
        if (maxEvents < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("pool bounds must not be negative");
        }
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /**
     * The bound used by a pipeline: about two batches' worth, which is what is finished at a time
     * while the callers fill the next ones; never more than the buffer's own budget.
     */
    static EventPool forPipeline(LokiConfig c) {
        if (!c.recycleEvents()) {
            return new EventPool(0, 0); // every claim makes a new event, nothing is kept
        }
        int events = (int) Math.min(c.bufferMaxEvents(), 2L * c.batchMaxEvents());
        long bytes = Math.min(c.bufferMaxBytes(), 2L * (c.batchMaxBytes() + (long) c.batchMaxEvents() * LokiEvent.OVERHEAD_BYTES));
        return new EventPool(events, bytes);
    }

    /** An event to fill with {@link LokiEvent#set} and offer: a recycled one if any, else a new one. */
    public LokiEvent claim() {
        if (maxEvents == 0) {
            return new LokiEvent(null); // recycling is off: no lock, and a line array of the exact size
        }
        synchronized (this) {
            int n = size;
            if (n > 0) {
                LokiEvent e = free[--n];
                free[n] = null;
                size = n;
                e.inPool = false;
                retainedBytes -= e.retainedBytes();
                return e;
            }
        }
        return new LokiEvent(this);
    }

    void release(LokiEvent e) {
        e.clearForPool(MAX_RETAINED_LINE_BYTES);
        int w = e.retainedBytes();
        synchronized (this) {
            push(e, w);
        }
    }

    /**
     * Gives back every pooled event of {@code events} (a finished batch's stream) under one lock;
     * standalone events and those of another pool are recycled one by one.
     */
    public static void recycleAll(List<LokiEvent> events) {
        int n = events.size();
        if (n == 0) {
            return;
        }
        EventPool pool = events.get(0).pool();
        if (pool == null) {
            for (int i = 1; i < n; i++) {
                events.get(i).recycle();
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            events.get(i).clearForPool(MAX_RETAINED_LINE_BYTES);
        }
        synchronized (pool) {
            for (int i = 0; i < n; i++) {
                LokiEvent e = events.get(i);
                if (e.pool() == pool) {
                    pool.push(e, e.retainedBytes());
                }
            }
        }
        for (int i = 0; i < n; i++) {
            LokiEvent e = events.get(i);
            if (e.pool() != pool) {
                e.recycle();
            }
        }
    }

    /** Called holding this pool's lock. */
    private void push(LokiEvent e, int w) {
        if (e.inPool || size >= maxEvents || retainedBytes + w > maxBytes) {
            return; // over the bound: left to the garbage collector
        }
        if (size == free.length) {
            free = Arrays.copyOf(free, (int) Math.min(maxEvents, 2L * free.length));
        }
        free[size++] = e;
        e.inPool = true;
        retainedBytes += w;
    }

    /** Events kept now. */
    public synchronized int size() {
        return size;
    }

    /** Bytes kept now (fixed overhead plus line array capacity per event). */
    public synchronized long retainedBytes() {
        return retainedBytes;
    }

    public int maxEvents() {
        return maxEvents;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
