package io.github.lokiappender.core.http;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads owned by the appender. Adapters ask {@link #isInternal()} to ignore anything
 * logged on these threads (by the JDK HTTP client, for instance): logging into the appender
 * from its own machinery could recurse or deadlock.
 */
public final class InternalThreads {

    private static final ThreadLocal<Boolean> INTERNAL = new ThreadLocal<>();

    private InternalThreads() {
    }

    /** True on threads created by {@link #factory(String)}. */
    public static boolean isInternal() {
        return INTERNAL.get() != null;
    }

    /**
     * True for loggers of the JDK HTTP client and of this library: events from them are never
     * shipped, whichever thread they come from.
     */
    public static boolean isInternalLogger(String loggerName) {
        // "jdk.httpclient.HttpClient" is the System.Logger the JDK client uses for -Djdk.httpclient.HttpClient.log
        return loggerName != null && (loggerName.startsWith("jdk.internal.httpclient")
                || loggerName.startsWith("jdk.httpclient") || loggerName.startsWith("java.net.http")
                || loggerName.startsWith("io.github.lokiappender.core."));
    }

    public static ThreadFactory factory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(() -> {
                INTERNAL.set(Boolean.TRUE);
                r.run();
            }, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
