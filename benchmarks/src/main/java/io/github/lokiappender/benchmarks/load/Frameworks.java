package io.github.lokiappender.benchmarks.load;

import org.slf4j.LoggerFactory;

/**
 * Stops whichever logging framework is bound to SLF4J in this JVM (each run has exactly one on its
 * class path), which makes its appenders deliver what they buffered.
 */
public final class Frameworks {

    private Frameworks() {
    }

    /** "logback" or "log4j2". */
    public static String name() {
        String factory = LoggerFactory.getILoggerFactory().getClass().getName();
        if (factory.startsWith("ch.qos.logback")) {
            return "logback";
        }
        if (factory.startsWith("org.apache.logging")) {
            return "log4j2";
        }
        throw new IllegalStateException("unexpected SLF4J binding " + factory);
    }

    /** Stops the framework; returns how long that took in milliseconds. */
    public static long stop() {
        long t0 = System.nanoTime();
        if (name().equals("logback")) {
            LogbackControl.stop();
        } else {
            Log4j2Control.stop();
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Loaded only when Logback is present. */
    private static final class LogbackControl {
        static void stop() {
            ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory()).stop();
        }
    }

    /** Loaded only when Log4j2 is present. */
    private static final class Log4j2Control {
        static void stop() {
            org.apache.logging.log4j.LogManager.shutdown();
        }
    }
}
