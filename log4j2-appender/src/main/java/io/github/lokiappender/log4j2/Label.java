package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderFactory;

/**
 * A Loki label of the {@code Loki} appender: {@code <Label name="app" value="shop"/>} (static; lookups
 * such as {@code ${env:ENV:-dev}} are resolved when the configuration is read) or
 * {@code <Label name="level" pattern="%level"/>} (a PatternLayout pattern evaluated per event).
 * A label whose value is empty for an event is left out for that event.
 *
 * <p>Checked by the appender's builder, which reports every problem at once.
 */
@Plugin(name = "Label", category = Node.CATEGORY, printObject = true)
public final class Label {

    private final String name;
    private final String value;
    private final String pattern;

    private Label(String name, String value, String pattern) {
        this.name = name;
        this.value = value;
        this.pattern = pattern;
    }

    /** A label with a fixed value. */
    public static Label of(String name, String value) {
        return new Label(name, value, null);
    }

    /** A label whose value is a PatternLayout pattern evaluated per event. */
    public static Label ofPattern(String name, String pattern) {
        return new Label(name, null, pattern);
    }

    @PluginBuilderFactory
    public static Builder newBuilder() {
        return new Builder();
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

    public static final class Builder implements org.apache.logging.log4j.core.util.Builder<Label> {
        @PluginBuilderAttribute
        private String name;
        @PluginBuilderAttribute
        private String value;
        @PluginBuilderAttribute
        private String pattern;

        public Builder setName(String name) {
            this.name = name;
            return this;
        }

        public Builder setValue(String value) {
            this.value = value;
            return this;
        }

        public Builder setPattern(String pattern) {
            this.pattern = pattern;
            return this;
        }

        @Override
        public Label build() {
            return new Label(name, value, pattern);
        }
    }
}
