package io.github.lokiappender.core.stats;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Produces the periodic "events were dropped" line: at most one per interval, only when drops
 * happened since the last one, naming how many by reason. Used by the shipper thread only.
 */
public final class DropSummary {

    private final PipelineStats stats;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final long[] lastCounts = new long[DropReason.values().length];
    private long lastAt;

    public DropSummary(PipelineStats stats, long intervalNanos, LongSupplier nanoTime) {
        this.stats = stats;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
        this.lastAt = nanoTime.getAsLong();
    }

    /** The summary line if one is due, else null. */
    public String poll() {
        long now = nanoTime.getAsLong();
        if (now - lastAt < intervalNanos) {
            return null;
        }
        Map<DropReason, Long> delta = new EnumMap<>(DropReason.class);
        long total = 0;
        for (DropReason r : DropReason.values()) {
            long c = stats.dropped(r);
            long d = c - lastCounts[r.ordinal()];
            if (d > 0) {
                delta.put(r, d);
                total += d;
            }
            lastCounts[r.ordinal()] = c;
        }
        long seconds = (now - lastAt) / 1_000_000_000L;
        lastAt = now;
        if (total == 0) {
            return null;
        }
        return total + " events were not delivered to Loki in the last " + seconds + " s " + delta
                + "; totals: " + stats.snapshot();
    }
}
