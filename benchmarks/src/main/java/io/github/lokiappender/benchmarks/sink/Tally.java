package io.github.lokiappender.benchmarks.sink;

/**
 * What the decoders report for one request: streams and entries, and for each entry the delay
 * from its timestamp to the request's receipt. One instance per sink thread, reused.
 */
final class Tally {

    private final TimedLatency latency;
    long receivedEpochNanos;
    int streams;
    int entries;
    long minTimestamp = Long.MAX_VALUE;

    Tally(TimedLatency latency) {
        this.latency = latency;
    }

    void reset(long receivedEpochNanos) {
        this.receivedEpochNanos = receivedEpochNanos;
        streams = 0;
        entries = 0;
        minTimestamp = Long.MAX_VALUE;
    }

    void stream() {
        streams++;
    }

    void entry(long timestampNanos) {
        entries++;
        if (timestampNanos < minTimestamp) {
            minTimestamp = timestampNanos;
        }
        latency.record(timestampNanos, receivedEpochNanos - timestampNanos);
    }
}
