package io.github.lokiappender.benchmarks.baseline;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

/**
 * Baseline for Logback: formats each event's line with the same pattern as the appenders under
 * test and discards it. What a run with this appender costs is the framework's share, not an
 * appender's.
 */
public final class FormatOnlyLogbackAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private final PatternLayout layout = new PatternLayout();
    private String pattern = "%level %logger [%thread] - %msg";
    /** Keeps the JIT from dropping the formatting as dead code. */
    private volatile int lastLength;

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        layout.setContext(getContext());
        layout.setPattern(pattern);
        layout.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        lastLength = layout.doLayout(event).length();
    }
}
