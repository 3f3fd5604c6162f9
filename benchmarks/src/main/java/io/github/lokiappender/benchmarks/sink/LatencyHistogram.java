package io.github.lokiappender.benchmarks.sink;

/**
 * A log-linear histogram of durations: 32 sub-buckets per power of two of microseconds (about 3%
 * resolution) from 1 µs to about 1 hour. Not thread-safe; the sink keeps one per thread and merges.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXP = 32;
    private final long[] counts = new long[(MAX_EXP + 1) * SUB];
    private long total;
    private long negative;

    /** Records a duration in nanoseconds; negative values (clock skew) count as zero and are tallied. */
    public void record(long nanos) {
        if (nanos < 0) {
            negative++;
            nanos = 0;
        }
        counts[index(nanos / 1_000)]++;
        total++;
    }

    static int index(long micros) {
        if (micros < SUB) {
            return (int) micros;
        }
        int exp = 63 - Long.numberOfLeadingZeros(micros); // >= SUB_BITS
        if (exp > MAX_EXP + SUB_BITS - 1) {
            return counts0Length() - 1;
        }
        int sub = (int) (micros >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    private static int counts0Length() {
        return (MAX_EXP + 1) * SUB;
    }

    /** Lower bound in microseconds of the values in a bucket. */
    static long lowerBoundMicros(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB + SUB_BITS - 1;
        int sub = index % SUB;
        return ((long) (SUB + sub)) << (exp - SUB_BITS);
    }

    public void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        negative += other.negative;
    }

    public void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        negative = 0;
    }

    public long count() {
        return total;
    }

    /** Values below zero seen (the sender's clock ahead of the sink's); 0 on one machine. */
    public long negativeCount() {
        return negative;
    }

    /** The q-quantile (0..1) in milliseconds, at the midpoint of its bucket; NaN when empty. */
    public double quantileMillis(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long lo = lowerBoundMicros(i);
                long hi = i + 1 < counts.length ? lowerBoundMicros(i + 1) : lo;
                return (lo + hi) / 2.0 / 1_000.0;
            }
        }
        return Double.NaN;
    }
}
