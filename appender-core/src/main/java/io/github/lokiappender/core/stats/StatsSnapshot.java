package io.github.lokiappender.core.stats;

import java.util.EnumMap;
import java.util.Map;

/**
 * A point-in-time copy of an appender's counters.
 *
 * <p>Accounting for the events offered to this appender (this process): once the appender is
 * closed, {@code offered() == delivered() + droppedTotal() + inSpool()} and {@link #pending()} is
 * 0. {@link #inSpool()} is what was written to the on-disk spool and not yet delivered: a later
 * process on the same {@code spoolDirectory} delivers it first and reports it under
 * {@code recovered*}. While running, {@link #pending()} is what is buffered in memory or in flight.
 *
 * <p>Events an earlier process left in the spool were never offered here; they are counted apart:
 * {@link #recoveredEvents()} found at start (valid records), then {@link #recoveredDelivered()},
 * {@link #recoveredRejected()} or still {@link #recoveredInSpool()}. Damaged records are counted
 * by {@link #spoolCorruptRecords()} and, where their header could be trusted, {@link #spoolCorruptEvents()}.
 */
public final class StatsSnapshot {

    private final long offered;
    private final long delivered;
    private final long[] dropped;
    private final long batchesSent;
    private final long batchesFailed;
    private final long retries;
    private final long bytesSent;
    private final long linesTruncated;
    private final long streamsOverflowed;
    private final long backlogBatches;
    private final SpoolCounts spool;

    StatsSnapshot(long offered, long delivered, long[] dropped, long batchesSent, long batchesFailed, long retries,
                  long bytesSent, long linesTruncated, long streamsOverflowed, long backlogBatches,
                  SpoolCounts spool) {
        this.offered = offered;
        this.delivered = delivered;
        this.dropped = dropped;
        this.batchesSent = batchesSent;
        this.batchesFailed = batchesFailed;
        this.retries = retries;
        this.bytesSent = bytesSent;
        this.linesTruncated = linesTruncated;
        this.streamsOverflowed = streamsOverflowed;
        this.backlogBatches = backlogBatches;
        this.spool = spool;
    }

    /** Events handed to the appender, including those dropped at once. */
    public long offered() {
        return offered;
    }

    /** Events in batches Loki acknowledged with 2xx, sent directly or from the spool. */
    public long delivered() {
        return delivered;
    }

    public long dropped(DropReason reason) {
        return dropped[reason.ordinal()];
    }

    /** All dropped events, every reason. */
    public long droppedTotal() {
        long sum = 0;
        for (long d : dropped) {
            sum += d;
        }
        return sum;
    }

    /** Dropped events by reason, reasons with zero left out. */
    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (dropped[r.ordinal()] > 0) {
                m.put(r, dropped[r.ordinal()]);
            }
        }
        return m;
    }

    /** Events neither delivered, dropped nor in the spool: buffered in memory or in flight. */
    public long pending() {
        return offered - delivered - droppedTotal() - spool.inSpool;
    }

    /** Events of this process written to the on-disk spool (each counted once, when written). */
    public long spooled() {
        return spool.spooled;
    }

    /** Events of this process delivered from the spool (included in {@link #delivered()}). */
    public long deliveredFromSpool() {
        return spool.spoolDelivered;
    }

    /**
     * Events of this process in the spool now, neither delivered nor dropped; after close, what
     * this process left on disk for the next one.
     */
    public long inSpool() {
        return spool.inSpool;
    }

    /** Valid records an earlier process left in the spool, found at start. */
    public long recoveredRecords() {
        return spool.recoveredRecords;
    }

    /** Events in {@link #recoveredRecords()}. */
    public long recoveredEvents() {
        return spool.recoveredEvents;
    }

    /** Recovered events Loki accepted. */
    public long recoveredDelivered() {
        return spool.recoveredDelivered;
    }

    /** Recovered events Loki rejected with a non-retryable status (dropped). */
    public long recoveredRejected() {
        return spool.recoveredRejected;
    }

    /** Recovered events still in the spool. */
    public long recoveredInSpool() {
        return spool.recoveredInSpool;
    }

    /** Spool records skipped because they were corrupt or truncated (the rest of their file is skipped too). */
    public long spoolCorruptRecords() {
        return spool.corruptRecords;
    }

    /** Events in skipped records whose header was intact (a record with a damaged header counts 0). */
    public long spoolCorruptEvents() {
        return spool.corruptEvents;
    }

    /** Bytes of the spool's segment files now. */
    public long spoolBytes() {
        return spool.bytes;
    }

    /** Requests Loki acknowledged. */
    public long batchesSent() {
        return batchesSent;
    }

    /** Requests given up on (rejected, retries exhausted, shutdown). */
    public long batchesFailed() {
        return batchesFailed;
    }

    /** Retry attempts made (a request sent three times counts two). */
    public long retries() {
        return retries;
    }

    /** Bytes of request bodies Loki acknowledged, as sent on the wire (after compression). */
    public long bytesSent() {
        return bytesSent;
    }

    /** Lines cut to the configured maximum line size (delivered, not dropped). */
    public long linesTruncated() {
        return linesTruncated;
    }

    /** Events sent under the overflow label set because the stream cap was reached. */
    public long streamsOverflowed() {
        return streamsOverflowed;
    }

    /**
     * Batches encoded at {@code backlogCompressionLevel} instead of {@code compressionLevel}
     * because the buffer was backlogged: more than four batches, or half of the buffer, waiting
     * (gzip only; 0 otherwise).
     */
    public long backlogBatches() {
        return backlogBatches;
    }

    @Override
    public String toString() {
        return "offered=" + offered + ", delivered=" + delivered + ", dropped=" + droppedTotal()
                + (droppedTotal() > 0 ? " " + droppedByReason() : "") + ", pending=" + pending()
                + ", batches=" + batchesSent + ", failedBatches=" + batchesFailed + ", retries=" + retries
                + ", bytes=" + bytesSent + ", truncatedLines=" + linesTruncated
                + ", overflowedToCapStream=" + streamsOverflowed
                + (backlogBatches > 0 ? ", backlogBatches=" + backlogBatches : "")
                + (spool.used() ? ", spooled=" + spool.spooled + ", inSpool=" + spool.inSpool
                        + ", deliveredFromSpool=" + spool.spoolDelivered + ", recovered=" + spool.recoveredEvents
                        + ", recoveredDelivered=" + spool.recoveredDelivered + ", recoveredRejected="
                        + spool.recoveredRejected + ", recoveredInSpool=" + spool.recoveredInSpool
                        + ", corruptSpoolRecords=" + spool.corruptRecords + ", corruptSpoolEvents="
                        + spool.corruptEvents + ", spoolBytes=" + spool.bytes : "");
    }
}
