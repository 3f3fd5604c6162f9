package io.github.lokiappender.core.labels;

import io.github.lokiappender.core.stats.PipelineStats;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Interns label sets and caps how many distinct ones (streams) an appender creates, so that a
 * label fed by an unbounded value (a user id, a request id) cannot exhaust memory or Loki's
 * per-tenant stream limit.
 *
 * <p>Past the cap, events are not dropped: they are sent under the configured overflow label set
 * and counted in {@link PipelineStats#streamOverflowed()}.
 */
public final class LabelSetRegistry {

    /** Default cap on distinct label sets per appender (Loki's per-tenant default is 5000). */
    public static final int DEFAULT_MAX_STREAMS = 1000;

    private final ConcurrentHashMap<LabelSet, LabelSet> sets = new ConcurrentHashMap<>();
    private final int maxSets;
    private final LabelSet overflowSet;
    private final PipelineStats stats;

    /**
     * @param maxSets     how many distinct label sets may exist (at least 1)
     * @param overflowSet the label set used for events past the cap; it is always admitted
     * @param stats       where overflows are counted
     */
    public LabelSetRegistry(int maxSets, LabelSet overflowSet, PipelineStats stats) {
        if (maxSets < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, was " + maxSets);
        }
        this.maxSets = maxSets;
        this.overflowSet = overflowSet;
        this.stats = stats;
        sets.put(overflowSet, overflowSet);
    }

    /** Returns the canonical instance equal to {@code candidate}, or the overflow set past the cap. */
    public LabelSet intern(LabelSet candidate) {
        LabelSet existing = sets.get(candidate);
        if (existing != null) {
            return existing;
        }
        // size() may briefly overshoot under races; the cap is a memory guard, not an exact quota
        if (sets.size() >= maxSets + 1) {
            stats.streamOverflowed();
            return overflowSet;
        }
        existing = sets.putIfAbsent(candidate, candidate);
        return existing != null ? existing : candidate;
    }

    /** Number of distinct label sets admitted so far, the overflow set not counted. */
    public int size() {
        return sets.size() - 1;
    }

    public LabelSet overflowSet() {
        return overflowSet;
    }

    public int maxSets() {
        return maxSets;
    }
}
