package io.github.lokiappender.core.http;

import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.stats.PipelineStats;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Sends a batch with Loki's retry rules: 429, 5xx and connection failures are retried with
 * {@link RetryPolicy}'s backoff up to {@code maxRetries} times; any other status ends the batch
 * at once and Loki's answer is reported. A shutdown deadline cuts both waiting and requests short.
 */
public final class PushSender {

    private final PushTransport transport;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;
    private final LongSupplier deadline;
    private final long requestTimeoutNanos;
    private final PipelineStats stats;
    private final StatusReporter status;
    private String lastFailure = "";
    private long lastRetryAfterNanos = -1;
    private int lastAttempts;

    /**
     * @param deadline returns the shutdown deadline in {@code nanoTime} units, {@link Long#MAX_VALUE} while running
     */
    public PushSender(PushTransport transport, RetryPolicy policy, Sleeper sleeper, LongSupplier nanoTime,
                      LongSupplier deadline, long requestTimeoutNanos, PipelineStats stats, StatusReporter status) {
        this.transport = transport;
        this.policy = policy;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
        this.deadline = deadline;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.stats = stats;
        this.status = status;
    }

    /** A description of the last failed attempt (status and Loki's body, or the connection error). */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * One attempt without retrying, for a caller that keeps the request elsewhere (the spool) and
     * waits between attempts itself: {@link SendOutcome#DELIVERED}, {@link SendOutcome#REJECTED}
     * (reported), {@link SendOutcome#FAILED} (see {@link #lastFailure()} and
     * {@link #lastRetryAfterNanos()}) or {@link SendOutcome#SHUTDOWN_TIMEOUT}. Does not count the events.
     */
    public SendOutcome attempt(EncodedRequest request, int events, PushEncoder encoder) throws InterruptedException {
        lastRetryAfterNanos = -1;
        long remaining = deadline.getAsLong() - nanoTime.getAsLong();
        if (remaining <= 0) {
            return SendOutcome.SHUTDOWN_TIMEOUT;
        }
        try {
            PushResponse r = transport.push(request, Math.min(requestTimeoutNanos, remaining));
            if (r.isSuccess()) {
                stats.batchSent(request.length());
                return SendOutcome.DELIVERED;
            }
            lastFailure = r.toString();
            if (!RetryPolicy.isRetryable(r.status())) {
                status.error("Loki rejected a batch of " + events + " events with " + r + hint(r), null);
                return SendOutcome.REJECTED;
            }
            lastRetryAfterNanos = RetryPolicy.parseRetryAfter(r.retryAfter(), System.currentTimeMillis());
        } catch (IOException e) {
            // the body may still be read by the abandoned exchange: never reuse its array
            encoder.detachBuffers();
            lastFailure = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
        }
        return SendOutcome.FAILED;
    }

    /** The {@code Retry-After} of the last {@link #attempt}, in nanos, or -1. */
    public long lastRetryAfterNanos() {
        return lastRetryAfterNanos;
    }

    /** Attempts made by the last {@link #send}: 1 when the request went through at once. */
    public int lastAttempts() {
        return lastAttempts;
    }

    /**
     * Sends {@code request} (holding {@code events} events) until it is delivered, rejected, out
     * of retries, or out of time. Does not count the events; the caller does.
     */
    public SendOutcome send(EncodedRequest request, int events, PushEncoder encoder) throws InterruptedException {
        int retry = 0;
        while (true) {
            lastAttempts = retry + 1;
            SendOutcome outcome = attempt(request, events, encoder);
            if (outcome != SendOutcome.FAILED) {
                return outcome;
            }
            if (retry >= policy.maxRetries()) {
                status.error("giving up on a batch of " + events + " events after " + (retry + 1)
                        + " attempts; last failure: " + lastFailure, null);
                return SendOutcome.RETRIES_EXHAUSTED;
            }
            retry++;
            long wait = policy.backoffNanos(retry, lastRetryAfterNanos);
            status.warn("push to Loki failed (" + lastFailure + "); retry " + retry + " of " + policy.maxRetries()
                    + " in " + wait / 1_000_000 + " ms", null);
            if (!waitBeforeRetry(wait)) {
                return SendOutcome.SHUTDOWN_TIMEOUT;
            }
            stats.retried();
        }
    }

    /** Waits {@code wait} nanos unless the shutdown deadline comes first; false if it does. */
    private boolean waitBeforeRetry(long wait) throws InterruptedException {
        long until = nanoTime.getAsLong() + wait;
        while (true) {
            long now = nanoTime.getAsLong();
            if (until - now <= 0) {
                return true;
            }
            if (until > deadline.getAsLong()) {
                return false;
            }
            sleeper.sleep(until - now);
        }
    }

    private static String hint(PushResponse r) {
        String b = r.body();
        if (r.status() == 400 && b.contains("array must contains 2 values")) {
            return " (this Loki does not accept structured metadata: it needs Loki 2.9+ with allow_structured_metadata;"
                    + " remove the structuredMetadata option or upgrade Loki)";
        }
        if (r.status() == 401) {
            return " (check tenantId / username / password / bearerToken)";
        }
        return "";
    }
}
