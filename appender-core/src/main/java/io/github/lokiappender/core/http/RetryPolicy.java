package io.github.lokiappender.core.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Which answers are retried and how long to wait: exponential backoff with full jitter
 * (a uniformly random wait between 0 and {@code min(max, min * 2^attempt)}, never below
 * {@code min}), as Loki's own clients do, so that many appenders do not retry in step.
 * A {@code Retry-After} from a gateway is honoured when it asks for longer, capped at {@code max}.
 */
public final class RetryPolicy {

    private final int maxRetries;
    private final long minBackoffNanos;
    private final long maxBackoffNanos;
    private final LongUnaryOperator random;

    /**
     * @param random returns a uniformly random value in {@code [0, bound)} for a bound; injectable for tests
     */
    public RetryPolicy(int maxRetries, long minBackoffNanos, long maxBackoffNanos, LongUnaryOperator random) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (minBackoffNanos <= 0 || maxBackoffNanos < minBackoffNanos) {
            throw new IllegalArgumentException("need 0 < minBackoff <= maxBackoff");
        }
        this.maxRetries = maxRetries;
        this.minBackoffNanos = minBackoffNanos;
        this.maxBackoffNanos = maxBackoffNanos;
        this.random = random;
    }

    public RetryPolicy(int maxRetries, long minBackoffNanos, long maxBackoffNanos) {
        this(maxRetries, minBackoffNanos, maxBackoffNanos, bound -> ThreadLocalRandom.current().nextLong(bound));
    }

    /** 429, every 5xx; never another 4xx (a 400 may have been partly stored and would fail again). */
    public static boolean isRetryable(int status) {
        return status == 429 || (status >= 500 && status <= 599);
    }

    public int maxRetries() {
        return maxRetries;
    }

    /**
     * The wait before retry number {@code retry} (1 for the first retry).
     *
     * @param retryAfterNanos the server's {@code Retry-After}, or a negative value when absent
     */
    public long backoffNanos(int retry, long retryAfterNanos) {
        int shift = Math.min(Math.max(retry - 1, 0), 40);
        long ceiling = minBackoffNanos << shift;
        if (ceiling <= 0 || ceiling > maxBackoffNanos) {
            ceiling = maxBackoffNanos;
        }
        long span = ceiling - minBackoffNanos;
        long wait = minBackoffNanos + (span > 0 ? random.applyAsLong(span + 1) : 0);
        if (retryAfterNanos > wait) {
            wait = Math.min(retryAfterNanos, maxBackoffNanos);
        }
        return wait;
    }

    /**
     * Parses a {@code Retry-After} header: delta seconds, or an HTTP date relative to {@code nowMillis}.
     *
     * @return nanoseconds to wait, or -1 when absent or unparsable
     */
    public static long parseRetryAfter(String header, long nowMillis) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? -1 : Math.min(seconds, 86_400L) * 1_000_000_000L;
        } catch (NumberFormatException notSeconds) {
            try {
                long at = java.time.ZonedDateTime.parse(h, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli();
                return Math.max(0, at - nowMillis) * 1_000_000L;
            } catch (java.time.format.DateTimeParseException notDate) {
                return -1;
            }
        }
    }
}
