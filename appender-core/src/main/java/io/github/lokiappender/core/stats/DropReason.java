package io.github.lokiappender.core.stats;

/** Why an event did not reach Loki. Every dropped event is counted under exactly one reason. */
public enum DropReason {
    /** The buffer was full (DROP_NEWEST: the new event; DROP_OLDEST: the evicted one; BLOCK: waited in vain). */
    BUFFER_FULL,
    /** The event was logged after the appender was closed. */
    CLOSED,
    /** Loki answered with a non-retryable error (400, 401, 403, 404, 413, ...). Loki may have stored part of a batch answered with 400. */
    REJECTED,
    /** Retries were exhausted (count or time) on 429, 5xx or connection failures. */
    RETRIES_EXHAUSTED,
    /** Still buffered or in flight when the shutdown deadline passed. */
    SHUTDOWN_TIMEOUT,
    /** A single event too large to fit any request Loki accepts, or one that could not be encoded. */
    UNSENDABLE,
    /**
     * The on-disk spool could not keep the events: writing failed (disk full, permissions, the
     * directory is gone), a request was larger than {@code spoolMaxBytes}, or a record written by
     * this process could not be read back.
     */
    SPOOL_FAILED
}
