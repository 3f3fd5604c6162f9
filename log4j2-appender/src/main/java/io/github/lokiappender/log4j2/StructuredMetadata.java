package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderFactory;

/**
 * Structured metadata (Loki 2.9+) of the {@code Loki} appender: {@code <StructuredMetadata name="region" value="eu-1"/>}
 * (static; lookups such as {@code ${env:ENV:-dev}} are resolved when the configuration is read) or
 * {@code <StructuredMetadata name="trace_id" pattern="%X{trace_id}"/>} (a PatternLayout pattern evaluated per event).
 * An entry whose value is empty for an event is left out for that event. Names are sent as written.
 *
 * <p>Checked by the appender's builder, which reports every problem at once.
 */
@Plugin(name = "StructuredMetadata", category = Node.CATEGORY, printObject = true)
public final class StructuredMetadata extends NameValueElement {

    private StructuredMetadata(String name, String value, String pattern) {
        super(name, value, pattern);
    }

    /** An entry with a fixed value. */
    public static StructuredMetadata of(String name, String value) {
        return new StructuredMetadata(name, value, null);
    }

    /** An entry whose value is a PatternLayout pattern evaluated per event. */
    public static StructuredMetadata ofPattern(String name, String pattern) {
        return new StructuredMetadata(name, null, pattern);
    }

    @PluginBuilderFactory
    public static Builder newBuilder() {
        return new Builder();
    }

    public static final class Builder extends NameValueElement.Builder<Builder, StructuredMetadata> {
        @Override
        Builder self() {
            return this;
        }

        @Override
        public StructuredMetadata build() {
            return new StructuredMetadata(name, value, pattern);
        }
    }
}
