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

    private LineFormatter(Layout<ILoggingEvent> layout, Encoder<ILoggingEvent> encoder, Charset charset) {
        this.layout = layout;
        this.encoder = encoder;
        this.charset = charset;
    }

    static LineFormatter of(Layout<ILoggingEvent> layout) {
        return new LineFormatter(layout, null, null);
    }

    static LineFormatter of(Encoder<ILoggingEvent> encoder) {
        if (encoder instanceof LayoutWrappingEncoder) {
            LayoutWrappingEncoder<ILoggingEvent> lwe = (LayoutWrappingEncoder<ILoggingEvent>) encoder;
            if (lwe.getLayout() != null) {
                return new LineFormatter(lwe.getLayout(), null, null);
            }
            Charset cs = lwe.getCharset();
            return new LineFormatter(null, encoder, cs != null ? cs : Charset.defaultCharset());
        }
        return new LineFormatter(null, encoder, StandardCharsets.UTF_8);
    }

    String format(ILoggingEvent event) {
        String s = layout != null ? layout.doLayout(event) : new String(encoder.encode(event), charset);
        return Lines.stripTrailingLineBreak(s);
    }
}
