package io.github.lokiappender.it.log4j2;

import io.github.lokiappender.it.AbstractAppenderIT;
import io.github.lokiappender.it.LoggingSystem;

/** The integration scenarios through SLF4J and Log4j2. */
class Log4j2AppenderIT extends AbstractAppenderIT {

    @Override
    protected LoggingSystem loggingSystem() {
        return new Log4j2System();
    }
}
