package io.github.lokiappender.core;

/**
 * Which encoding moves a backlog faster, measured rather than assumed. Stored gzip costs a
 * fraction of deflate's CPU but about five times the bytes: it helps when deflate is what limits
 * the shipper (Loki nearby, a fast link) and hurts when the link or Loki is the limit. So while
 * the buffer is backlogged, the shipper times each batch (encode and send, per event) in the
 * encoding it used and keeps a moving average for each. It tries each once, then uses the faster
 * (the backlog one unless it is clearly slower, {@link #NOISE_MARGIN}), and every {@link #PROBE_EVERY} backlogged batches tries the other again, since the link can
 * change (one slower batch in 64 costs a few per cent; one in 16 lost a burst's race in a
 * benchmark). Only batches cut under backlog are timed: they are full, so the cost of a request
 * weighs the same in both figures. Used by the shipper thread only.
 */
final class BacklogEncodingChoice {

    /** Backlogged batches between two tries of the encoding not in use. */
    static final int PROBE_EVERY = 64;
    /**
     * The backlog encoding is kept unless it is clearly slower: figures within half of each other
     * are noise on a busy machine (one unlucky batch must not switch 64 batches to deflate), and a
     * link that is the limit makes stored batches several times slower, not a little.
     */
    static final double NOISE_MARGIN = 1.5;

    private double normalNanosPerEvent = Double.NaN;
    private double backlogNanosPerEvent = Double.NaN;
    private int sinceProbe;

    /** For a batch cut under backlog: true to encode it the backlog way (stored gzip), false as configured. */
    boolean useBacklogEncoding() {
        if (Double.isNaN(backlogNanosPerEvent)) {
            return true;
        }
        if (Double.isNaN(normalNanosPerEvent)) {
            return false;
        }
        boolean backlogFaster = backlogNanosPerEvent <= normalNanosPerEvent * NOISE_MARGIN;
        if (++sinceProbe >= PROBE_EVERY) {
            sinceProbe = 0;
            return !backlogFaster;
        }
        return backlogFaster;
    }

    /** A batch cut under backlog was encoded ({@code backlogEncoding} or not) and sent at once in {@code nanos}. */
    void record(boolean backlogEncoding, int events, long nanos) {
        if (events <= 0 || nanos < 0) {
            return;
        }
        double perEvent = (double) nanos / events;
        if (backlogEncoding) {
            backlogNanosPerEvent = average(backlogNanosPerEvent, perEvent);
        } else {
            normalNanosPerEvent = average(normalNanosPerEvent, perEvent);
        }
    }

    /** Half the old figure, half the new: follows a changing link within a few batches. */
    private static double average(double old, double x) {
        return Double.isNaN(old) ? x : (old + x) / 2;
    }
}
