package io.github.lokiappender.logback;

import ch.qos.logback.core.spi.ContextAware;
import io.github.lokiappender.core.StatusReporter;

/**
 * Routes the core's diagnostics to Logback's {@code StatusManager} (never to an appender), with
 * the appender as their origin.
 */
final class LogbackStatusReporter implements StatusReporter {

    private final ContextAware origin;

    LogbackStatusReporter(ContextAware origin) {
        this.origin = origin;
    }

    @Override
    public void info(String message) {
        origin.addInfo(message);
    }

    @Override
    public void warn(String message, Throwable cause) {
        origin.addWarn(message, cause);
    }

    @Override
    public void error(String message, Throwable cause) {
        origin.addError(message, cause);
    }
}
