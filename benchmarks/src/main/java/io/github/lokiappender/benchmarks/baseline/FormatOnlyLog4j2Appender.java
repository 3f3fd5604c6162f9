package io.github.lokiappender.benchmarks.baseline;

import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.Serializable;

/**
 * Baseline for Log4j2: formats each event's line with the same PatternLayout as the appenders
 * under test, into a reused per-thread builder (Log4j2's garbage-free path), and discards it. What
 * a run with this appender costs is the framework's share, not an appender's.
 */
@Plugin(name = "BenchFormatOnly", category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE)
public final class FormatOnlyLog4j2Appender extends AbstractAppender {

    private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(512));

    private final PatternLayout pattern;
    /** Keeps the JIT from dropping the formatting as dead code. */
    private volatile int lastLength;

    private FormatOnlyLog4j2Appender(String name, Layout<? extends Serializable> layout) {
        super(name, null, layout, true, Property.EMPTY_ARRAY);
        this.pattern = (PatternLayout) layout;
    }

    @PluginFactory
    public static FormatOnlyLog4j2Appender create(@PluginAttribute("name") String name,
                                                  @PluginElement("Layout") Layout<? extends Serializable> layout) {
        return new FormatOnlyLog4j2Appender(name, layout);
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder sb = BUILDER.get();
        sb.setLength(0);
        pattern.serialize(event, sb);
        lastLength = sb.length();
    }
}
