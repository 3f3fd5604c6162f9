package io.github.lokiappender.core;

import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.batch.BatchAssembler;
import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.http.PushSender;
import io.github.lokiappender.core.http.SendOutcome;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.DropSummary;
import io.github.lokiappender.core.stats.PipelineStats;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The background worker: waits for a batch to become due, cuts it, encodes it, sends it with
 * retries, and accounts for every event. One request is in flight at a time, which keeps entries
 * of a stream in order. Never dies on an exception; at the shutdown deadline it gives up what is
 * left and counts it.
 */
final class Shipper implements Runnable {

    private final EventBuffer buffer;
    private final BatchAssembler assembler;
    private final PushEncoder encoder;
    private final PushSender sender;
    private final PipelineStats stats;
    private final StatusReporter status;
    private final long lingerNanos;
    private final int batchMaxEvents;
    private final long batchMaxBytes;
    private final LongSupplier deadline;
    private final ArrayDeque<LokiEvent> pending = new ArrayDeque<>();
    private final Batch batch = new Batch();
    private final DropSummary dropSummary;

    Shipper(EventBuffer buffer, BatchAssembler assembler, PushEncoder encoder, PushSender sender, PipelineStats stats,
            StatusReporter status, long lingerNanos, int batchMaxEvents, long batchMaxBytes, LongSupplier deadline) {
        this.buffer = buffer;
        this.assembler = assembler;
        this.encoder = encoder;
        this.sender = sender;
        this.stats = stats;
        this.status = status;
        this.lingerNanos = lingerNanos;
        this.batchMaxEvents = batchMaxEvents;
        this.batchMaxBytes = batchMaxBytes;
        this.deadline = deadline;
        this.dropSummary = new DropSummary(stats, SUMMARY_INTERVAL_NANOS, System::nanoTime);
    }

    /** How often, at most, a line about dropped events is reported. */
    static final long SUMMARY_INTERVAL_NANOS = 60_000_000_000L;

    @Override
    public void run() {
        try {
            ship();
        } finally {
            encoder.close();
        }
    }

    private void ship() {
        try {
            while (true) {
                // leftovers of the last cut (non-ASCII text is cut by bytes after a drain by chars)
                // have waited already: they go at once, without lingering
                if (pending.isEmpty()) {
                    if (!buffer.awaitReady(lingerNanos)) {
                        return; // closed and everything handled
                    }
                    buffer.drainTo(pending, batchMaxEvents, batchMaxBytes);
                }
                if (System.nanoTime() - deadline.getAsLong() >= 0) {
                    abandonAll();
                    return;
                }
                shipOneBatch();
            }
        } catch (InterruptedException e) {
            abandonAll();
        } catch (Error e) {
            status.error("Loki shipper stopped by " + e + "; events logged from now on are dropped and counted", e);
            throw e;
        }
    }

    private void shipOneBatch() throws InterruptedException {
        int n = 0;
        try {
            int unsendable = assembler.fill(pending, batch);
            if (unsendable > 0) {
                status.error(unsendable + " event(s) larger than Loki's ingestion burst were dropped", null);
                buffer.completed(unsendable);
            }
            n = batch.eventCount();
            if (n == 0) {
                return;
            }
            EncodedRequest request = encoder.encode(batch);
            SendOutcome outcome = sender.send(request, n, encoder);
            switch (outcome) {
                case DELIVERED:
                    stats.delivered(n);
                    break;
                case REJECTED:
                    fail(DropReason.REJECTED, n);
                    break;
                case RETRIES_EXHAUSTED:
                    fail(DropReason.RETRIES_EXHAUSTED, n);
                    break;
                case SHUTDOWN_TIMEOUT:
                default:
                    fail(DropReason.SHUTDOWN_TIMEOUT, n);
                    break;
            }
        } catch (InterruptedException e) {
            fail(DropReason.SHUTDOWN_TIMEOUT, n);
            throw e;
        } catch (RuntimeException e) {
            status.error("could not ship a batch of " + n + " events: " + e, e);
            fail(DropReason.UNSENDABLE, n);
        } finally {
            batch.clear();
            if (n > 0) {
                buffer.completed(n);
            }
            String summary = dropSummary.poll();
            if (summary != null) {
                status.warn(summary, null);
            }
        }
    }

    private void fail(DropReason reason, int n) {
        if (n > 0) {
            stats.dropped(reason, n);
            stats.batchFailed();
        }
    }

    /** At the deadline (or on interrupt): everything not yet sent is lost, and counted as such. */
    private void abandonAll() {
        int carried = pending.size();
        pending.clear();
        buffer.completed(carried);
        int n = carried + buffer.discardAll();
        if (n > 0) {
            stats.dropped(DropReason.SHUTDOWN_TIMEOUT, n);
        }
    }
}
