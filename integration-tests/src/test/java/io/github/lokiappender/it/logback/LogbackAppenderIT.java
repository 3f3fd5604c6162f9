package io.github.lokiappender.it.logback;

import io.github.lokiappender.it.AbstractAppenderIT;
import io.github.lokiappender.it.LoggingSystem;

/** The integration scenarios through SLF4J and Logback. */
class LogbackAppenderIT extends AbstractAppenderIT {

    @Override
    protected LoggingSystem loggingSystem() {
        return new LogbackSystem();
    }
}
