package io.github.lokiappender.core.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one appender. Written by callers and the shipper, read through
 * {@link #snapshot()}. Invariant once the pipeline is idle:
 * {@code offered == delivered + sum(dropped)}.
 */
public final class PipelineStats {

    private final LongAdder offered = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
    private final LongAdder batchesSent = new LongAdder();
    private final LongAdder batchesFailed = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder linesTruncated = new LongAdder();
    private final LongAdder streamsOverflowed = new LongAdder();

    public PipelineStats() {
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
    }

    public void offered() {
        offered.increment();
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

    public StatsSnapshot snapshot() {
        long[] d = new long[dropped.length];
        // read drops before delivered and offered so that a snapshot never shows more done than offered
        for (int i = 0; i < d.length; i++) {
            d[i] = dropped[i].sum();
        }
        long del = delivered.sum();
        long off = offered.sum();
        return new StatsSnapshot(off, del, d, batchesSent.sum(), batchesFailed.sum(), retries.sum(),
                bytesSent.sum(), linesTruncated.sum(), streamsOverflowed.sum());
    }
}
