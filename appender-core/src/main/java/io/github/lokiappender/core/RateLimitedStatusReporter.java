package io.github.lokiappender.core;

import java.util.function.LongSupplier;

/**
 * Keeps an outage from flooding the status channel: at most {@code perWindow} warnings and errors
 * per window; the next message after a quiet spell says how many were suppressed. Info messages
 * (start, shutdown summary) always pass.
 */
public final class RateLimitedStatusReporter implements StatusReporter {

    private final StatusReporter delegate;
    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    public RateLimitedStatusReporter(StatusReporter delegate, int perWindow, long windowNanos, LongSupplier nanoTime) {
        this.delegate = delegate;
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /** Ten warnings or errors a minute. */
    public RateLimitedStatusReporter(StatusReporter delegate) {
        this(delegate, 10, 60_000_000_000L, System::nanoTime);
    }

    @Override
    public void info(String message) {
        delegate.info(message);
    }

    @Override
    public void warn(String message, Throwable cause) {
        String m = admit(message);
        if (m != null) {
            delegate.warn(m, cause);
        }
    }

    @Override
    public void error(String message, Throwable cause) {
        String m = admit(message);
        if (m != null) {
            delegate.error(m, cause);
        }
    }

    private synchronized String admit(String message) {
        long now = nanoTime.getAsLong();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= perWindow) {
            suppressed++;
            return null;
        }
        inWindow++;
        if (suppressed > 0) {
            String m = message + " (" + suppressed + " earlier status messages suppressed)";
            suppressed = 0;
            return m;
        }
        return message;
    }

    /** Messages suppressed and not yet mentioned. */
    public synchronized long suppressed() {
        return suppressed;
    }
}
