package io.github.lokiappender.core.http;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads owned by the appender. Adapters ask {@link #isInternal()} to ignore anything
 * logged on these threads (by the JDK HTTP client, for instance): logging into the appender
 * from its own machinery could recurse or deadlock.
 */
public final class InternalThreads {

    private InternalThreads() {
    }

    /**
     * True on threads created by {@link #factory(String)}. A type check rather than a ThreadLocal:
     * adapters ask on every logging call, and a ThreadLocal miss on an application thread (whose
     * map is crowded by the framework's own ThreadLocals) cost about a tenth of the call.
     */
    public static boolean isInternal() {
        return Thread.currentThread() instanceof InternalThread;
    }

    /**
     * True for loggers of the JDK HTTP client and of this library: events from them are never
     * shipped, whichever thread they come from.
     */
    public static boolean isInternalLogger(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return false;
        }
        // asked on every call: most loggers are told apart by their first letter
        switch (loggerName.charAt(0)) {
            case 'j':
                // "jdk.httpclient.HttpClient" is the System.Logger the JDK client uses for -Djdk.httpclient.HttpClient.log
                return loggerName.startsWith("jdk.internal.httpclient") || loggerName.startsWith("jdk.httpclient")
                        || loggerName.startsWith("java.net.http");
            case 'i':
                return loggerName.startsWith("io.github.lokiappender.core.");
            default:
                return false;
        }
    }

    public static ThreadFactory factory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new InternalThread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The marker type of the appender's own threads. */
    private static final class InternalThread extends Thread {
        InternalThread(Runnable task, String name) {
            super(task, name);
        }
    }
}
