package io.github.lokiappender.benchmarks.sink;

/** What the sink received since its last reset. */
public final class SinkStats {

    public final long requests;
    public final long entries;
    public final long streams;
    /** Request bodies as sent (compressed where the sender compressed). */
    public final long bodyBytes;
    /** Request line and headers, as they were on the wire. */
    public final long headerBytes;
    public final long errors;
    public final String lastError;
    /** Epoch nanoseconds of the first and last request received; 0 when none. */
    public final long firstReceiptNanos;
    public final long lastReceiptNanos;
    /** Content types and encodings seen, e.g. {@code application/json+gzip}. */
    public final String formats;
    /** Event timestamp to receipt, by the second of the timestamp. */
    public final TimedLatency latency;
    /** Per accepted request, in arrival order: receipt time and the running total of entries. */
    private final long[] timelineNanos;
    private final long[] timelineEntries;

    SinkStats(long requests, long entries, long streams, long bodyBytes, long headerBytes, long errors,
              String lastError, long firstReceiptNanos, long lastReceiptNanos, String formats,
              TimedLatency latency, long[] timelineNanos, long[] timelineEntries) {
        this.timelineNanos = timelineNanos;
        this.timelineEntries = timelineEntries;
        this.requests = requests;
        this.entries = entries;
        this.streams = streams;
        this.bodyBytes = bodyBytes;
        this.headerBytes = headerBytes;
        this.errors = errors;
        this.lastError = lastError;
        this.firstReceiptNanos = firstReceiptNanos;
        this.lastReceiptNanos = lastReceiptNanos;
        this.formats = formats;
        this.latency = latency;
    }

    /**
     * Epoch nanoseconds at which the sink had received at least {@code n} entries, or 0 if it never
     * did. Requests are recorded in the order the sink finished reading them.
     */
    public long timeReached(long n) {
        long latest = 0;
        for (int i = 0; i < timelineNanos.length; i++) {
            latest = Math.max(latest, timelineNanos[i]);
            if (timelineEntries[i] >= n) {
                return latest;
            }
        }
        return 0;
    }

    /** Bytes on the wire (request line, headers and body) per entry received. */
    public double wireBytesPerEntry() {
        return entries == 0 ? Double.NaN : (double) (bodyBytes + headerBytes) / entries;
    }

    @Override
    public String toString() {
        return "SinkStats{requests=" + requests + ", entries=" + entries + ", streams=" + streams + ", body="
                + bodyBytes + ", headers=" + headerBytes + ", errors=" + errors
                + (lastError == null ? "" : " (" + lastError + ")") + ", formats=" + formats + '}';
    }
}
