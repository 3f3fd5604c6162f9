package io.github.lokiappender.core;

import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.batch.BatchAssembler;
import io.github.lokiappender.core.batch.EventList;
import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.http.PushSender;
import io.github.lokiappender.core.http.RetryPolicy;
import io.github.lokiappender.core.http.SendOutcome;
import io.github.lokiappender.core.spool.Spool;
import io.github.lokiappender.core.spool.SpoolRecord;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.DropSummary;
import io.github.lokiappender.core.stats.PipelineStats;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The background worker: waits for a batch to become due, cuts it, encodes it, sends it with
 * retries, and accounts for every event. One request is in flight at a time, which keeps entries
 * of a stream in order. Never dies on an exception; at the shutdown deadline it gives up what is
 * left and counts it.
 *
 * <p>With a {@link Spool}: a batch that fails with a retryable error is written to the spool at
 * once instead of being retried in memory, and while the spool holds anything every new batch is
 * appended behind it (so order is kept) and the oldest record is sent, one attempt at a time with
 * {@link RetryPolicy}'s backoff between failures. Meanwhile the memory buffer keeps being drained
 * into the spool, until the spool is full; then the buffer fills and its overflow policy applies.
 * At shutdown what cannot be delivered in time is left in the spool for the next start.
 */
final class Shipper implements Runnable {

    private final EventBuffer buffer;
    private final BatchAssembler assembler;
    private final PushEncoder encoder;
    private final BacklogEncodingChoice backlogChoice = new BacklogEncodingChoice();
    /** The batch being shipped was cut under backlog (so it is timed), and encoded the backlog way; when encoding began. */
    private boolean cutUnderBacklog;
    private boolean encodedForBacklog;
    private long encodeStartedNanos;
    private final PushSender sender;
    private final PipelineStats stats;
    private final StatusReporter status;
    private final long lingerNanos;
    private final int batchMaxEvents;
    private final long batchMaxBytes;
    private final LongSupplier deadline;
    /** Drained events not yet in a batch: numbers referring to the buffer's memory, no object per event. */
    private final EventList pending = new EventList();
    private final Batch batch = new Batch();
    private final DropSummary dropSummary;

    // spool mode; all null / unused without a spool
    private final Spool spool;
    private final RetryPolicy retry;
    private final LongSupplier networkDeadline;
    /** A request waiting for room in a full spool (a copy: the encoder reuses its arrays). */
    private EncodedRequest held;
    private int heldEvents;
    /** Failed attempts in a row at the head of the spool. */
    private int failures;
    private long nextAttemptAt = System.nanoTime();

    /**
     * @param spool           the on-disk spool, or null
     * @param retry           the backoff between attempts at the spool's oldest record
     * @param networkDeadline when sending must stop at shutdown, early enough to write the rest to the spool
     */
    Shipper(EventBuffer buffer, BatchAssembler assembler, PushEncoder encoder, PushSender sender, PipelineStats stats,
            StatusReporter status, long lingerNanos, int batchMaxEvents, long batchMaxBytes, LongSupplier deadline,
            Spool spool, RetryPolicy retry, LongSupplier networkDeadline) {
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
        this.spool = spool;
        this.retry = retry;
        this.networkDeadline = networkDeadline;
    }

    private static final long SAME_JVM_LOCK_POLL_NANOS = 100_000_000L;

    /** How often an idle shipper locked out of its spool directory wakes up to try the lock. */
    private static final long LOCKED_OUT_WAKE_NANOS = 1_000_000_000L;

    /** How often, at most, a line about dropped events is reported. */
    static final long SUMMARY_INTERVAL_NANOS = 60_000_000_000L;

    @Override
    public void run() {
        try {
            awaitOtherAppenderOfThisJvm();
            spool(); // takes the spool and reads it before anything is sent: an earlier run's events go first
            ship();
        } finally {
            try {
                encoder.close();
            } finally {
                if (spool != null) {
                    spool.close();
                }
            }
        }
    }

    /**
     * The spool when this appender holds its directory, else null (memory only). A spool locked out
     * by another appender is tried again here, at most once a second; once taken, what it holds is
     * sent first.
     */
    private Spool spool() {
        if (spool == null || !spool.tryAcquire()) {
            return null;
        }
        if (!spool.recovered()) {
            spool.recover();
        }
        return spool;
    }

    /**
     * After a Log4j2 reconfiguration the old appender holds the directory until it has stopped:
     * wait for it (events wait in the memory buffer) rather than send without the spool.
     */
    private void awaitOtherAppenderOfThisJvm() {
        try {
            while (spool != null && !spool.tryAcquire() && spool.briefSameJvmLockout() && !buffer.isClosed()) {
                buffer.awaitClosed(SAME_JVM_LOCK_POLL_NANOS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: ship() ends at once
        }
    }

    /** The spool if this appender holds it now, without trying to take it. */
    private boolean spooling() {
        return spool != null && spool.acquired();
    }

    private void ship() {
        try {
            while (true) {
                Spool s = spool();
                if (s != null && (s.hasRecords() || held != null)) {
                    if (!spoolRound()) {
                        return;
                    }
                    continue;
                }
                // leftovers of the last cut (the drain counts metadata in characters, the cut in UTF-8
                // bytes) have waited already: they go at once, without lingering
                if (pending.isEmpty()) {
                    if (spool != null && s == null) {
                        // locked out of the spool directory: wake up now and then to try again, also when idle
                        if (!buffer.awaitReady(lingerNanos, LOCKED_OUT_WAKE_NANOS)) {
                            if (buffer.isClosed() && buffer.size() == 0) {
                                return;
                            }
                            continue;
                        }
                    } else if (!buffer.awaitReady(lingerNanos)) {
                        return; // closed and everything handled
                    }
                    buffer.drainTo(pending, batchMaxEvents, batchMaxBytes);
                }
                if (System.nanoTime() - (spooling() ? networkDeadline : deadline).getAsLong() >= 0) {
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

    /** Cuts the next batch from {@code pending}; events too large for any request are dropped and counted. */
    private int fillBatch() {
        int unsendable = assembler.fill(pending, batch);
        if (unsendable > 0) {
            status.error(unsendable + " event(s) larger than Loki's ingestion burst were dropped", null);
            buffer.completed(unsendable);
        }
        return batch.eventCount();
    }

    /**
     * Encodes the batch cut last. While the buffer is backlogged ({@link EventBuffer#isBacklogged()}),
     * the encoder's backlog way (stored gzip by default) is used when it has moved batches faster
     * ({@link BacklogEncodingChoice}).
     */
    private EncodedRequest encode() {
        encodeStartedNanos = System.nanoTime();
        cutUnderBacklog = encoder.changesUnderBacklog() && buffer.isBacklogged();
        encodedForBacklog = cutUnderBacklog && backlogChoice.useBacklogEncoding();
        if (encodedForBacklog) {
            stats.backlogBatch();
            return encoder.encodeUnderBacklog(batch);
        }
        return encoder.encode(batch);
    }

    /** The batch encoded last went through on its first attempt: timed when it was cut under backlog. */
    private void deliveredAtOnce(int n) {
        if (cutUnderBacklog) {
            backlogChoice.record(encodedForBacklog, n, System.nanoTime() - encodeStartedNanos);
        }
    }

    private void shipOneBatch() throws InterruptedException {
        int n = 0;
        boolean finished = true;
        EncodedRequest request = null;
        try {
            n = fillBatch();
            if (n == 0) {
                return;
            }
            request = encode();
            if (spooling()) {
                finished = sendOnceOrSpool(request, n);
                return;
            }
            SendOutcome outcome = sender.send(request, n, encoder);
            switch (outcome) {
                case DELIVERED:
                    stats.delivered(n);
                    if (sender.lastAttempts() == 1) {
                        deliveredAtOnce(n);
                    }
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
            if (spooling() && request != null && n > 0) {
                finished = !spoolOrDrop(request, n, false); // writing a file is not interruptible
            } else {
                fail(DropReason.SHUTDOWN_TIMEOUT, n);
            }
            throw e;
        } catch (RuntimeException e) {
            status.error("could not ship a batch of " + n + " events: " + e, e);
            fail(DropReason.UNSENDABLE, n);
        } finally {
            clearBatch();
            if (n > 0 && finished) {
                buffer.completed(n);
            }
            String summary = dropSummary.poll();
            if (summary != null) {
                status.warn(summary, null);
            }
        }
    }

    /**
     * With a spool and nothing in it: one attempt; a retryable failure puts the request into the
     * spool and starts the backoff. Returns false when the events are in the spool (not finished).
     */
    private boolean sendOnceOrSpool(EncodedRequest request, int n) throws InterruptedException {
        SendOutcome outcome = sender.attempt(request, n, encoder);
        switch (outcome) {
            case DELIVERED:
                stats.delivered(n);
                deliveredAtOnce(n);
                return true;
            case REJECTED:
                fail(DropReason.REJECTED, n);
                return true;
            case FAILED:
                failures = 1;
                long wait = retry.backoffNanos(1, sender.lastRetryAfterNanos());
                nextAttemptAt = System.nanoTime() + wait;
                status.warn("push to Loki failed (" + sender.lastFailure() + "); batches are kept in the spool "
                        + spool.directory() + " until Loki takes them, next attempt in " + wait / 1_000_000 + " ms", null);
                break;
            case SHUTDOWN_TIMEOUT:
            default:
                break;
        }
        try {
            Spool.Append a = spool.append(request, n);
            if (a == Spool.Append.WRITTEN) {
                return false;
            }
            if (a == Spool.Append.FULL) {
                hold(request, n, false); // not with an empty spool; kept for safety
                return false;
            }
            status.error("a request of " + request.length() + " bytes (" + n + " events) is larger than spoolMaxBytes;"
                    + " it is retried in memory only", null);
        } catch (IOException e) {
            status.error("writing to the spool " + spool.directory() + " failed (" + e + "); a batch of " + n
                    + " events is retried in memory only", null);
        }
        // the earlier behaviour, for this batch: retries in memory, dropped when they run out
        failures = 0;
        if (outcome == SendOutcome.SHUTDOWN_TIMEOUT) {
            fail(DropReason.SPOOL_FAILED, n);
            return true;
        }
        SendOutcome o = sender.send(request, n, encoder);
        if (o == SendOutcome.DELIVERED) {
            stats.delivered(n);
        } else {
            fail(o == SendOutcome.REJECTED ? DropReason.REJECTED : DropReason.SPOOL_FAILED, n);
        }
        return true;
    }

    /**
     * One round while the spool holds records: move due batches from memory into the spool, then
     * one attempt at the oldest record if its backoff has passed, else wait for that or for the
     * next due batch.
     *
     * @return false when the shipper is done (closing)
     */
    private boolean spoolRound() throws InterruptedException {
        String summary = dropSummary.poll();
        if (summary != null) {
            status.warn(summary, null);
        }
        moveBufferToSpool();
        long now = System.nanoTime();
        boolean closing = buffer.isClosed();
        boolean outOfTime = now - networkDeadline.getAsLong() >= 0;
        if (!outOfTime && spool.hasRecords() && now - nextAttemptAt >= 0) {
            replayOldest();
            return true;
        }
        if (!spool.hasRecords() && held == null) {
            return true; // drained: send directly again
        }
        if (closing && (outOfTime || failures > 0)) {
            // everything that fits is in the spool by now; with Loki failing, waiting for the deadline
            // would only delay the stop (and a new appender waiting for the directory)
            abandonAll();
            return false;
        }
        long wait = nextAttemptAt - now;
        if (closing) {
            wait = Math.min(wait, networkDeadline.getAsLong() - now);
        }
        if (wait <= 0) {
            return true;
        }
        if (closing) {
            TimeUnit.NANOSECONDS.sleep(wait); // nothing more can arrive; the next attempt or the deadline is due then
        } else if (held != null) {
            buffer.awaitClosed(wait); // the spool is full: due batches stay in memory
        } else {
            buffer.awaitReady(lingerNanos, wait);
        }
        return true;
    }

    /** Appends every due batch to the spool, until the spool is full. Never waits. */
    private void moveBufferToSpool() throws InterruptedException {
        while (true) {
            if (held != null) {
                EncodedRequest h = held;
                int n = heldEvents;
                held = null;
                if (!spoolOrDrop(h, n, true)) {
                    buffer.completed(n);
                }
                if (held != null) {
                    return; // still full
                }
                continue;
            }
            if (pending.isEmpty()) {
                if (!buffer.awaitReady(lingerNanos, 0)) {
                    return;
                }
                buffer.drainTo(pending, batchMaxEvents, batchMaxBytes);
                if (pending.isEmpty()) {
                    return;
                }
            }
            int n = 0;
            boolean finished = true;
            try {
                n = fillBatch();
                if (n > 0) {
                    // compressed as configured, backlog or not: Loki is failing, so there is nothing to
                    // catch up with, and the spool's byte budget holds more events deflated
                    finished = !spoolOrDrop(encoder.encode(batch), n, false);
                }
            } catch (RuntimeException e) {
                status.error("could not spool a batch of " + n + " events: " + e, e);
                fail(DropReason.UNSENDABLE, n);
            } finally {
                clearBatch();
                if (n > 0 && finished) {
                    buffer.completed(n);
                }
            }
        }
    }

    /**
     * Appends behind what the spool holds; when it is full, holds the request until there is
     * room. A request that cannot be written is dropped as SPOOL_FAILED: it must not overtake
     * the spool. Returns true when the events are in the spool or held (not finished).
     */
    private boolean spoolOrDrop(EncodedRequest request, int n, boolean owned) {
        try {
            Spool.Append a = spool.append(request, n);
            if (a == Spool.Append.WRITTEN) {
                return true;
            }
            if (a == Spool.Append.FULL) {
                hold(request, n, owned);
                return true;
            }
            status.error("a request of " + request.length() + " bytes (" + n + " events) is larger than spoolMaxBytes"
                    + " and was dropped", null);
        } catch (IOException e) {
            status.error("writing to the spool " + spool.directory() + " failed (" + e + "); a batch of " + n
                    + " events was dropped", null);
        }
        fail(DropReason.SPOOL_FAILED, n);
        return false;
    }

    private void hold(EncodedRequest request, int n, boolean owned) {
        held = owned ? request
                : new EncodedRequest(request.toByteArray(), request.length(), request.contentType(), request.contentEncoding());
        heldEvents = n;
    }

    /** One attempt at the spool's oldest record. */
    private void replayOldest() throws InterruptedException {
        SpoolRecord r = spool.peek();
        long lost = spool.takeLostOwnEvents();
        if (lost > 0) {
            buffer.completed((int) lost);
        }
        if (r == null) {
            return;
        }
        if (failures > 0) {
            stats.retried();
        }
        int n = r.events();
        SendOutcome outcome = sender.attempt(r.request(), n, encoder);
        switch (outcome) {
            case DELIVERED:
                spool.remove(r, true);
                if (!r.recovered()) {
                    stats.delivered(n);
                    buffer.completed(n);
                }
                failures = 0;
                if (!spool.hasRecords() && held == null) {
                    status.info("spool " + spool.directory() + " is empty again: batches are sent directly");
                }
                break;
            case REJECTED:
                spool.remove(r, false);
                stats.batchFailed();
                if (!r.recovered()) {
                    stats.dropped(DropReason.REJECTED, n);
                    buffer.completed(n);
                }
                failures = 0;
                break;
            case FAILED:
                failures++;
                long wait = retry.backoffNanos(failures, sender.lastRetryAfterNanos());
                nextAttemptAt = System.nanoTime() + wait;
                status.warn("push to Loki failed (" + sender.lastFailure() + "); " + spool.records()
                        + " requests wait in the spool " + spool.directory() + ", next attempt in "
                        + wait / 1_000_000 + " ms", null);
                break;
            case SHUTDOWN_TIMEOUT:
            default:
                break;
        }
    }

    private void fail(DropReason reason, int n) {
        if (n > 0) {
            stats.dropped(reason, n);
            stats.batchFailed();
        }
    }

    /**
     * The batch is finished and its events are read no more; with nothing pending either, no drained
     * event is, so the buffer may reuse the memory their lines are in.
     */
    private void clearBatch() {
        batch.clear();
        if (pending.isEmpty()) {
            buffer.releaseDrained();
        }
    }

    /**
     * At the deadline (or on interrupt): with a spool, whatever fits goes there first; everything
     * else not yet sent is lost, and counted as such.
     */
    private void abandonAll() {
        if (spooling()) {
            boolean interrupted = Thread.interrupted();
            try {
                moveBufferToSpool();
            } catch (InterruptedException | RuntimeException e) {
                // count what is left below
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        int carried = pending.size();
        pending.clear();
        buffer.releaseDrained();
        if (held != null) {
            carried += heldEvents;
            held = null;
        }
        buffer.completed(carried);
        int n = carried + buffer.discardAll();
        if (n > 0) {
            stats.dropped(DropReason.SHUTDOWN_TIMEOUT, n);
        }
    }
}
