package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.encode.Utf8;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.PipelineStats;

import java.util.ArrayDeque;

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
    public int fill(ArrayDeque<LokiEvent> pending, Batch batch) {
        int dropped = 0;
        while (batch.eventCount() < maxEvents) {
            LokiEvent e = pending.peekFirst();
            if (e == null) {
                break;
            }
            prepare(e);
            int size = e.lineUtf8Length() + metadataBytes(e);
            if (!batch.isEmpty() && batch.lineBytes() + size > maxBytes) {
                break;
            }
            pending.pollFirst();
            if (size > hardLimitBytes) {
                stats.dropped(DropReason.UNSENDABLE, 1);
                dropped++;
                continue;
            }
            batch.add(e, size);
            if (batch.lineBytes() >= maxBytes) {
                break;
            }
        }
        return dropped;
    }

    /**
     * Cuts the line to the line limit, in place (the event is the shipper's now). The line is valid
     * UTF-8 already: lone surrogates became U+FFFD when it was encoded.
     */
    private void prepare(LokiEvent e) {
        if (maxLineBytes > 0 && e.lineUtf8Length() > maxLineBytes) {
            e.truncateLine(maxLineBytes, TRUNCATION_MARKER);
            stats.lineTruncated();
        }
    }

    private static int metadataBytes(LokiEvent e) {
        int n = 0;
        for (int i = 0; i < e.metadataCount(); i++) {
            n += Utf8.length(e.metadataName(i)) + Utf8.length(e.metadataValue(i));
        }
        return n;
    }
}
