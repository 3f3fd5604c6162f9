package io.github.lokiappender.core.http;

/** How sending one batch ended. */
public enum SendOutcome {
    /** Loki answered 2xx. */
    DELIVERED,
    /** Loki answered a non-retryable status (400, 401, 413, ...). */
    REJECTED,
    /** Every allowed retry failed. */
    RETRIES_EXHAUSTED,
    /** The shutdown deadline passed, or would pass before the next retry. */
    SHUTDOWN_TIMEOUT,
    /** One attempt ({@link PushSender#attempt}) failed in a way worth retrying: 429, 5xx, no connection. */
    FAILED
}
