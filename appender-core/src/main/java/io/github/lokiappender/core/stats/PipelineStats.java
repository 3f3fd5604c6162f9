package io.github.lokiappender.core.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one appender. Written by callers and the shipper, read through
 * {@link #snapshot()}. Invariant once the pipeline is idle:
 * {@code offered == delivered + sum(dropped) + inSpool}.
 *
 * <p>Events of an earlier process found in the spool are counted apart ({@code recovered*}): they
 * were never offered here.
 */
public final class PipelineStats {

    private static final VarHandle OFFERED_IN_BUFFER;

    static {
        try {
            OFFERED_IN_BUFFER = MethodHandles.lookup().findVarHandle(PipelineStats.class, "offeredInBuffer", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LongAdder offered = new LongAdder();
    /**
     * Events offered to the buffer, counted under its lock: one writer at a time, so a plain
     * increment published with release semantics does, without the atomic instruction a logging
     * call would otherwise pay for {@link #offered}.
     */
    private long offeredInBuffer;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
    private final LongAdder batchesSent = new LongAdder();
    private final LongAdder batchesFailed = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder linesTruncated = new LongAdder();
    private final LongAdder streamsOverflowed = new LongAdder();
    private final LongAdder backlogBatches = new LongAdder();
    // spool: this process's events
    private final LongAdder spooled = new LongAdder();
    private final LongAdder spoolDelivered = new LongAdder();
    private final LongAdder inSpool = new LongAdder();
    // spool: events an earlier process left
    private final LongAdder recoveredRecords = new LongAdder();
    private final LongAdder recoveredEvents = new LongAdder();
    private final LongAdder recoveredDelivered = new LongAdder();
    private final LongAdder recoveredRejected = new LongAdder();
    private final LongAdder recoveredInSpool = new LongAdder();
    // spool: damage and size
    private final LongAdder spoolCorruptRecords = new LongAdder();
    private final LongAdder spoolCorruptEvents = new LongAdder();
    private final LongAdder spoolBytes = new LongAdder();

    public PipelineStats() {
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
    }

    /** One event offered that the buffer did not count ({@link #offeredUnderLock()}): it failed before. */
    public void offered() {
        offered.increment();
    }

    /**
     * One event offered, counted by the buffer while it holds its lock (callers of this method are
     * serialised by that lock).
     */
    public void offeredUnderLock() {
        OFFERED_IN_BUFFER.setRelease(this, offeredInBuffer + 1);
    }

    public void delivered(long events) {
        delivered.add(events);
    }

    public void dropped(DropReason reason, long events) {
        dropped[reason.ordinal()].add(events);
    }

    public long dropped(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    public void batchSent(long wireBytes) {
        batchesSent.increment();
        bytesSent.add(wireBytes);
    }

    public void batchFailed() {
        batchesFailed.increment();
    }

    public void retried() {
        retries.increment();
    }

    public void lineTruncated() {
        linesTruncated.increment();
    }

    public void streamOverflowed() {
        streamsOverflowed.increment();
    }

    /** A batch was encoded the cheaper way (gzip at its backlog level) because the buffer was backlogged. */
    public void backlogBatch() {
        backlogBatches.increment();
    }

    /** {@code events} of this process were written to the spool. */
    public void spooled(long events) {
        spooled.add(events);
        inSpool.add(events);
    }

    /**
     * {@code events} of this process left the spool: delivered (then also counted by
     * {@link #delivered(long)}, after this call) or dropped (counted by {@link #dropped}).
     */
    public void unspooled(long events, boolean delivered) {
        inSpool.add(-events);
        if (delivered) {
            spoolDelivered.add(events);
        }
    }

    /** At start: a valid record of an earlier process holding {@code events}. */
    public void recovered(long events) {
        recoveredRecords.increment();
        recoveredEvents.add(events);
        recoveredInSpool.add(events);
    }

    /** A record of an earlier process left the spool: delivered, rejected by Loki, or skipped as unreadable. */
    public void recoveredDone(long events, boolean delivered, boolean rejected) {
        recoveredInSpool.add(-events);
        if (delivered) {
            recoveredDelivered.add(events);
        } else if (rejected) {
            recoveredRejected.add(events);
        }
    }

    /** A corrupt or truncated spool record; {@code events} is 0 when its header could not be trusted. */
    public void spoolCorrupt(long records, long events) {
        spoolCorruptRecords.add(records);
        spoolCorruptEvents.add(events);
    }

    /** The spool's files grew (positive) or shrank (negative) by {@code delta} bytes. */
    public void spoolBytes(long delta) {
        spoolBytes.add(delta);
    }

    public StatsSnapshot snapshot() {
        long[] d = new long[dropped.length];
        // read drops before delivered and offered so that a snapshot never shows more done than offered
        for (int i = 0; i < d.length; i++) {
            d[i] = dropped[i].sum();
        }
        // delivered before inSpool (the shipper takes an event out of inSpool before counting it
        // delivered), offered last
        long del = delivered.sum();
        long spool = inSpool.sum();
        long off = offered.sum() + (long) OFFERED_IN_BUFFER.getAcquire(this);
        SpoolCounts sc = new SpoolCounts(spooled.sum(), spoolDelivered.sum(), spool, recoveredRecords.sum(),
                recoveredEvents.sum(), recoveredDelivered.sum(), recoveredRejected.sum(), recoveredInSpool.sum(),
                spoolCorruptRecords.sum(), spoolCorruptEvents.sum(), spoolBytes.sum());
        return new StatsSnapshot(off, del, d, batchesSent.sum(), batchesFailed.sum(), retries.sum(),
                bytesSent.sum(), linesTruncated.sum(), streamsOverflowed.sum(), backlogBatches.sum(), sc);
    }
}
