package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.StatusReporter;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.status.StatusLogger;

/**
 * Routes the core's diagnostics to Log4j2's {@link StatusLogger}, which never reaches appenders,
 * so the appender cannot log into itself. Messages name the appender.
 */
final class StatusLoggerReporter implements StatusReporter {

    private static final Logger LOGGER = StatusLogger.getLogger();

    private final String prefix;

    StatusLoggerReporter(String appenderName) {
        this.prefix = "Loki appender '" + appenderName + "': ";
    }

    @Override
    public void info(String message) {
        LOGGER.info(named(message));
    }

    @Override
    public void warn(String message, Throwable cause) {
        LOGGER.warn(named(message), cause);
    }

    @Override
    public void error(String message, Throwable cause) {
        LOGGER.error(named(message), cause);
    }

    private String named(String message) {
        // the core names the appender itself in some messages (start, stop summaries)
        return message.startsWith("Loki appender '") ? message : prefix + message;
    }
}
