package io.github.lokiappender.core.query;

/**
 * A query that failed: Loki (or a gateway in front of it) answered with an error status, the answer
 * could not be read, or Loki could not be reached. Unchecked, so that it can cross a
 * {@link java.util.Iterator} or {@link java.util.stream.Stream}.
 */
public final class LokiQueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String body;
    private final int attempts;

    LokiQueryException(String message, int status, String body, int attempts, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.body = body == null ? "" : body;
        this.attempts = attempts;
    }

    /** The HTTP status Loki answered with; 0 when there was no answer (connection failure, timeout, interrupt). */
    public int status() {
        return status;
    }

    /**
     * Loki's answer, trimmed, e.g. {@code parse error : queries require at least one regexp or
     * equality matcher...} for a 400; empty when there was none.
     */
    public String body() {
        return body;
    }

    /** How many requests were made, retries included. */
    public int attempts() {
        return attempts;
    }

    /** True when the failure was a connection failure or timeout rather than an answer from the server. */
    public boolean isConnectionFailure() {
        return status == 0;
    }
}
