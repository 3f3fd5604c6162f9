package io.github.lokiappender.core.stats;

import java.util.EnumMap;
import java.util.Map;

/** A point-in-time copy of an appender's counters. */
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

    StatsSnapshot(long offered, long delivered, long[] dropped, long batchesSent, long batchesFailed, long retries,
                  long bytesSent, long linesTruncated, long streamsOverflowed) {
        this.offered = offered;
        this.delivered = delivered;
        this.dropped = dropped;
        this.batchesSent = batchesSent;
        this.batchesFailed = batchesFailed;
        this.retries = retries;
        this.bytesSent = bytesSent;
        this.linesTruncated = linesTruncated;
        this.streamsOverflowed = streamsOverflowed;
    }

    /** Events handed to the appender, including those dropped at once. */
    public long offered() {
        return offered;
    }

    /** Events in batches Loki acknowledged with 2xx. */
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

    /** Events neither delivered nor dropped yet: buffered or in flight. */
    public long pending() {
        return offered - delivered - droppedTotal();
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

    @Override
    public String toString() {
        return "offered=" + offered + ", delivered=" + delivered + ", dropped=" + droppedTotal()
                + (droppedTotal() > 0 ? " " + droppedByReason() : "") + ", pending=" + pending()
                + ", batches=" + batchesSent + ", failedBatches=" + batchesFailed + ", retries=" + retries
                + ", bytes=" + bytesSent + ", truncatedLines=" + linesTruncated
                + ", overflowedToCapStream=" + streamsOverflowed;
    }
}
