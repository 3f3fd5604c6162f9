package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.config.plugins.PluginBuilderAttribute;

/**
 * What {@link Label} and {@link StructuredMetadata} share: a name and either a static
 * {@code value} or a per-event {@code pattern}. Checked by the appender's builder.
 */
public abstract class NameValueElement {

    private final String name;
    private final String value;
    private final String pattern;

    NameValueElement(String name, String value, String pattern) {
        this.name = name;
        this.value = value;
        this.pattern = pattern;
    }

    public String getName() {
        return name;
    }

    /** The static value, or null. */
    public String getValue() {
        return value;
    }

    /** The per-event pattern, or null. */
    public String getPattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return name + (pattern != null ? "=pattern:" + pattern : "=" + value);
    }

    /** The plugin builder of both elements; Log4j2 injects attributes into superclass fields too. */
    public abstract static class Builder<B extends Builder<B, T>, T> implements org.apache.logging.log4j.core.util.Builder<T> {
        @PluginBuilderAttribute
        String name;
        @PluginBuilderAttribute
        String value;
        @PluginBuilderAttribute
        String pattern;

        abstract B self();

        public B setName(String name) {
            this.name = name;
            return self();
        }

        public B setValue(String value) {
            this.value = value;
            return self();
        }

        public B setPattern(String pattern) {
            this.pattern = pattern;
            return self();
        }
    }
}
