package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
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
public final class Label extends NameValueElement {

    private Label(String name, String value, String pattern) {
        super(name, value, pattern);
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

    public static final class Builder extends NameValueElement.Builder<Builder, Label> {
        @Override
        Builder self() {
            return this;
        }

        @Override
        public Label build() {
            return new Label(name, value, pattern);
        }
    }
}
