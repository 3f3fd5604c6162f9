package io.github.lokiappender.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.github.lokiappender.core.Lines;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Produces the Loki line of an event from the configured layout or encoder, without the trailing
 * line break the layout adds. An encoder that wraps a layout (such as {@code PatternLayoutEncoder})
 * is used through its layout, which skips the round trip through bytes.
 */
final class LineFormatter {

    private final Layout<ILoggingEvent> layout;
    private final Encoder<ILoggingEvent> encoder;
    private final Charset charset;
    private final boolean messageFastPath;

    private LineFormatter(Layout<ILoggingEvent> layout, Encoder<ILoggingEvent> encoder, Charset charset,
                          boolean messageFastPath) {
        this.layout = layout;
        this.encoder = encoder;
        this.charset = charset;
        this.messageFastPath = messageFastPath;
    }

    /**
     * The default line, {@code %msg%n%ex} without its last line break: for an event without an
     * exception that is exactly the formatted message, which the event already holds, so the
     * common case formats nothing and copies nothing.
     *
     * @param layout a started layout with the pattern {@code %msg%n%ex}, for events with an exception
     */
    static LineFormatter defaultPattern(Layout<ILoggingEvent> layout) {
        return new LineFormatter(layout, null, null, true);
    }

    static LineFormatter of(Layout<ILoggingEvent> layout) {
        return new LineFormatter(layout, null, null, false);
    }

    static LineFormatter of(Encoder<ILoggingEvent> encoder) {
        if (encoder instanceof LayoutWrappingEncoder) {
            LayoutWrappingEncoder<ILoggingEvent> lwe = (LayoutWrappingEncoder<ILoggingEvent>) encoder;
            if (lwe.getLayout() != null) {
                return new LineFormatter(lwe.getLayout(), null, null, false);
            }
            Charset cs = lwe.getCharset();
            return new LineFormatter(null, encoder, cs != null ? cs : Charset.defaultCharset(), false);
        }
        return new LineFormatter(null, encoder, StandardCharsets.UTF_8, false);
    }

    String format(ILoggingEvent event) {
        if (messageFastPath && event.getThrowableProxy() == null) {
            String m = event.getFormattedMessage();
            return m == null ? "null" : m; // as %msg prints it
        }
        String s = layout != null ? layout.doLayout(event) : new String(encoder.encode(event), charset);
        return Lines.stripTrailingLineBreak(s);
    }
}
