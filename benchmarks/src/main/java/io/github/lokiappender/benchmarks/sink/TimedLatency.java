package io.github.lokiappender.benchmarks.sink;

import java.util.ArrayList;
import java.util.List;

/**
 * Latencies bucketed by the second of the event's timestamp, so that a report can leave out the
 * events logged at the very end of a run: their last, partial batch waits for the flush interval
 * only because logging stopped, which no steady stream of events would see. Not thread-safe.
 */
public final class TimedLatency {

    private static final long SECOND = 1_000_000_000L;

    private long firstSecond = Long.MIN_VALUE;
    private final List<LatencyHistogram> bySecond = new ArrayList<>();
    /** Events stamped before {@link #firstSecond} (seen after a later one). */
    private final LatencyHistogram earlier = new LatencyHistogram();

    public void record(long timestampNanos, long latencyNanos) {
        histogramFor(Math.floorDiv(timestampNanos, SECOND)).record(latencyNanos);
    }

    private LatencyHistogram histogramFor(long second) {
        if (firstSecond == Long.MIN_VALUE) {
            firstSecond = second;
        }
        long i = second - firstSecond;
        if (i < 0) {
            return earlier;
        }
        if (i > 100_000) {
            throw new IllegalArgumentException("timestamp too far from the first one seen: " + second + " s");
        }
        while (bySecond.size() <= i) {
            bySecond.add(new LatencyHistogram());
        }
        return bySecond.get((int) i);
    }

    public void add(TimedLatency other) {
        if (other.firstSecond == Long.MIN_VALUE) {
            return;
        }
        histogramFor(other.firstSecond).add(other.earlier);
        for (int i = 0; i < other.bySecond.size(); i++) {
            LatencyHistogram h = other.bySecond.get(i);
            if (h.count() > 0) {
                histogramFor(other.firstSecond + i).add(h);
            }
        }
    }

    public void clear() {
        firstSecond = Long.MIN_VALUE;
        bySecond.clear();
        earlier.clear();
    }

    /** Every event. */
    public LatencyHistogram all() {
        return before(Long.MAX_VALUE);
    }

    /** Events stamped in whole seconds that end at or before {@code cutoffEpochNanos}. */
    public LatencyHistogram before(long cutoffEpochNanos) {
        LatencyHistogram out = new LatencyHistogram();
        out.add(earlier);
        for (int i = 0; i < bySecond.size(); i++) {
            long secondEnd = (firstSecond + i + 1) * SECOND;
            if (cutoffEpochNanos == Long.MAX_VALUE || secondEnd <= cutoffEpochNanos) {
                out.add(bySecond.get(i));
            }
        }
        return out;
    }

    public TimedLatency copy() {
        TimedLatency c = new TimedLatency();
        c.add(this);
        return c;
    }
}
