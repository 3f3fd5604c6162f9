package io.github.lokiappender.core;

/**
 * Where the library reports about itself: an adapter routes this to its framework's status
 * channel (Logback's {@code StatusManager}, Log4j2's {@code StatusLogger}), never into the
 * appender itself.
 */
public interface StatusReporter {

    void info(String message);

    void warn(String message, Throwable cause);

    void error(String message, Throwable cause);

    /** Reports nothing. */
    StatusReporter NONE = new StatusReporter() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message, Throwable cause) {
        }

        @Override
        public void error(String message, Throwable cause) {
        }
    };
}
