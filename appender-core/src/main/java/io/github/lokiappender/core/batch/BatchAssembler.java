package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.encode.Utf8;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;

/**
 * Cuts batches from drained events on the shipper thread: at most {@code maxEvents} events and
 * {@code maxBytes} bytes (UTF-8 lines plus structured metadata, what Loki's ingestion limiter
 * counts). Lines longer than {@code maxLineBytes} are cut at a character boundary and end with
 * {@link #TRUNCATION_MARKER}.
 *
 * <p>A single event larger than {@code maxBytes} is sent alone when it fits {@code hardLimitBytes}
 * (Loki's ingestion burst); otherwise it is dropped as {@link DropReason#UNSENDABLE}, since Loki
 * could never accept it.
 */
public final class BatchAssembler {

    /** Appended to a line cut to {@code maxLineBytes}. */
    public static final String TRUNCATION_MARKER = "...[truncated]";

    private final int maxEvents;
    private final long maxBytes;
    private final long hardLimitBytes;
    private final int maxLineBytes;
    private final PipelineStats stats;
    /** Events per call of {@link #fillSlice}. */
    private static final int SLICE = 256;
    /** Events {@link #fill} dropped so far (the assembler runs on the shipper thread only). */
    private int droppedInFill;

    /**
     * @param maxLineBytes longest line in UTF-8 bytes, 0 for no limit
     */
    public BatchAssembler(int maxEvents, long maxBytes, long hardLimitBytes, int maxLineBytes, PipelineStats stats) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.hardLimitBytes = hardLimitBytes;
        this.maxLineBytes = maxLineBytes;
        this.stats = stats;
    }

    /**
     * Moves events from the head of {@code pending} into {@code batch} while the limits allow.
     * Events that can never be sent are removed and counted.
     *
     * @return the number of events removed from {@code pending} without joining the batch (dropped)
     */
    public int fill(EventList pending, Batch batch) {
        droppedInFill = 0;
        // the common case: an empty batch and drained events that all go into it as they are (the
        // drain keeps to the batch limits): the batch takes them over without a copy
        if (batch.isEmpty()) {
            long bytes = bytesIfAllFit(pending);
            if (bytes >= 0) {
                batch.adoptAll(pending, bytes);
                return 0;
            }
        }
        // in slices: the loop then runs in a method called often enough for the JIT to compile it
        // early; a loop over a whole batch, called once per batch, runs its first iterations in the
        // interpreter on every call until the method has been called hundreds of times
        while (fillSlice(pending, batch)) {
            // next slice
        }
        return droppedInFill;
    }

    /**
     * The bytes of all of {@code pending} if the loop below would take every one of them into an
     * empty batch unchanged (none cut, none dropped, none left over), else -1.
     */
    private long bytesIfAllFit(EventList pending) {
        int n = pending.size();
        if (n == 0 || n > maxEvents) {
            return -1;
        }
        long total = 0;
        for (int from = 0; from < n && total >= 0; from += SLICE) {
            total = addSizes(pending, from, Math.min(n, from + SLICE), total);
        }
        return total;
    }

    /** Adds the sizes of events {@code [from, to)} to {@code total}; -1 as soon as one does not fit as it is. */
    private long addSizes(EventList pending, int from, int to, long total) {
        int last = pending.size() - 1;
        for (int i = from; i < to; i++) {
            int length = pending.lineUtf8Length(i);
            if (maxLineBytes > 0 && length > maxLineBytes) {
                return -1;
            }
            int size = length + metadataBytes(pending, i);
            if (size > hardLimitBytes || (i > 0 && total + size > maxBytes)) {
                return -1;
            }
            total += size;
            if (total >= maxBytes && i < last) {
                return -1; // the batch is complete before the last event
            }
        }
        return total;
    }

    /** Moves up to {@link #SLICE} events; false when the batch is complete or nothing is pending. */
    private boolean fillSlice(EventList pending, Batch batch) {
        for (int k = 0; k < SLICE; k++) {
            if (batch.eventCount() >= maxEvents || pending.isEmpty()) {
                return false;
            }
            prepare(pending);
            int size = pending.lineUtf8Length(0) + metadataBytes(pending, 0);
            if (!batch.isEmpty() && batch.lineBytes() + size > maxBytes) {
                return false;
            }
            if (size > hardLimitBytes) {
                pending.removeFirst();
                stats.dropped(DropReason.UNSENDABLE, 1);
                droppedInFill++;
                continue;
            }
            batch.add(pending, 0, size);
            pending.removeFirst();
            if (batch.lineBytes() >= maxBytes) {
                return false;
            }
        }
        return true;
    }

    /**
     * Cuts the first event's line to the line limit, in place (into an array of its own: the
     * buffer's memory is not written). The line is valid UTF-8 already: lone surrogates became
     * U+FFFD when it was encoded.
     */
    private void prepare(EventList pending) {
        if (maxLineBytes > 0 && pending.lineUtf8Length(0) > maxLineBytes) {
            pending.truncateLine(0, maxLineBytes, TRUNCATION_MARKER);
            stats.lineTruncated();
        }
    }

    private static int metadataBytes(EventList pending, int e) {
        int n = 0;
        for (int i = 0; i < pending.metadataCount(e); i++) {
            n += Utf8.length(pending.metadataName(e, i)) + Utf8.length(pending.metadataValue(e, i));
        }
        return n;
    }
}
