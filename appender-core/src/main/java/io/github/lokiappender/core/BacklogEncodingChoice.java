package io.github.lokiappender.core;

/**
 * Which encoding moves a backlog faster, measured rather than assumed. Stored gzip costs a
 * fraction of deflate's CPU but about seven times the bytes (log lines deflate well): it helps
 * when deflate is what limits the shipper (Loki nearby, a fast link) and hurts when the link or
 * Loki is the limit. So while the buffer is backlogged, the shipper times each batch (encode and
 * send, per event) in the encoding it used. It tries each once, then uses the faster (the backlog
 * one unless it is clearly slower, {@link #NOISE_MARGIN}), and every {@link #PROBE_EVERY}
 * backlogged batches tries the other again, since the link can change (one slower batch in 64
 * costs a few per cent; one in 16 lost a burst's race in a benchmark). Only batches cut under
 * backlog are timed: they are full, so the cost of a request weighs the same in both figures. Used
 * by the shipper thread only.
 *
 * <p>The backlog encoding's figure is the fastest of its last {@link #SAMPLES} batches: on a busy
 * machine noise (a pause, a preempted thread) only ever adds time, so one slow batch must not send
 * the next 64 the slow way, while a link that really got slower shows in every batch and moves the
 * figure within {@link #SAMPLES} of them. The configured encoding's figure is its last batch only:
 * it is timed once in 64 while the backlog one is in use, and an old fast figure from a quieter
 * moment must not outvote fresh ones (noise makes a single batch slower, never faster, so a last
 * batch that is clearly faster is real).
 */
final class BacklogEncodingChoice {

    /** Backlogged batches between two tries of the encoding not in use. */
    static final int PROBE_EVERY = 64;
    /**
     * The backlog encoding is kept unless it is clearly slower: figures within half of each other
     * are noise on a busy machine, and a link that is the limit makes stored batches several times
     * slower, not a little.
     */
    static final double NOISE_MARGIN = 1.5;
    /** Batches of the backlog encoding whose fastest gives its figure. */
    static final int SAMPLES = 3;

    private final Figure normal = new Figure(1);
    private final Figure backlog = new Figure(SAMPLES);
    private int sinceProbe;

    /** For a batch cut under backlog: true to encode it the backlog way (stored gzip), false as configured. */
    boolean useBacklogEncoding() {
        if (backlog.isEmpty()) {
            return true;
        }
        if (normal.isEmpty()) {
            return false;
        }
        boolean backlogFaster = backlog.nanosPerEvent() <= normal.nanosPerEvent() * NOISE_MARGIN;
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
        (backlogEncoding ? backlog : normal).add((double) nanos / events);
    }

    /** The last few times per event of one encoding; its figure is the fastest of them. */
    private static final class Figure {
        private final double[] samples;
        private int count;
        private int next;

        Figure(int size) {
            samples = new double[size];
        }

        boolean isEmpty() {
            return count == 0;
        }

        void add(double nanosPerEvent) {
            samples[next] = nanosPerEvent;
            next = (next + 1) % samples.length;
            count = Math.min(count + 1, samples.length);
        }

        double nanosPerEvent() {
            double min = Double.MAX_VALUE;
            for (int i = 0; i < count; i++) {
                min = Math.min(min, samples[i]);
            }
            return min;
        }
    }
}
