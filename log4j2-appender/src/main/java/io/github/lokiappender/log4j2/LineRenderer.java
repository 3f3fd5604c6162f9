package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.Lines;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.StringLayout;
import org.apache.logging.log4j.core.impl.LocationAware;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.Serializable;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Formats an event's Loki line with the configured layout, without the trailing line break.
 * A {@link PatternLayout} formats straight into a reusable builder (Log4j2's garbage-free path:
 * messages that are {@code StringBuilderFormattable} append themselves), which the event's UTF-8
 * line is encoded from without an intermediate String; other string layouts
 * produce their text, and byte layouts are decoded with their charset.
 */
final class LineRenderer {

    private final Layout<? extends Serializable> layout;
    private final PatternLayout patternLayout;
    private final Charset charset;

    LineRenderer(Layout<? extends Serializable> layout) {
        this.layout = layout;
        this.patternLayout = layout instanceof PatternLayout ? (PatternLayout) layout : null;
        this.charset = layout instanceof StringLayout && ((StringLayout) layout).getCharset() != null
                ? ((StringLayout) layout).getCharset() : StandardCharsets.UTF_8;
    }

    Layout<? extends Serializable> layout() {
        return layout;
    }

    boolean requiresLocation() {
        return layout instanceof LocationAware && ((LocationAware) layout).requiresLocation();
    }

    /**
     * The line: for a {@link PatternLayout}, {@code scratch} itself (formatted in place, no String
     * made; valid until the builder is used again), else the layout's text.
     */
    CharSequence render(LogEvent event, StringBuilder scratch) {
        if (patternLayout != null) {
            scratch.setLength(0);
            patternLayout.serialize(event, scratch);
            Lines.stripTrailingLineBreak(scratch);
            return scratch;
        }
        if (layout instanceof StringLayout) {
            Serializable s = layout.toSerializable(event);
            return Lines.stripTrailingLineBreak(s == null ? "" : s.toString());
        }
        byte[] bytes = layout.toByteArray(event);
        return Lines.stripTrailingLineBreak(bytes == null ? "" : new String(bytes, charset));
    }
}
