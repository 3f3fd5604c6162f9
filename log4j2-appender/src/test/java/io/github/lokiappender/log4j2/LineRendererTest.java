package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.AbstractLayout;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.layout.SyslogLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The line is the layout's output without one trailing line break, whatever kind of layout it is. */
class LineRendererTest {

    private final StringBuilder scratch = new StringBuilder();

    @Test
    void patternLayoutLosesOneTrailingLineBreakOnly() {
        assertThat(render(pattern("%msg%n"), "text")).isEqualTo("text");
        assertThat(render(pattern("%msg\r\n"), "text")).isEqualTo("text");
        assertThat(render(pattern("%msg\n\n"), "text")).isEqualTo("text\n");
        assertThat(render(pattern("%msg"), "a\nb\r\nc")).isEqualTo("a\nb\r\nc");
        assertThat(render(pattern("%msg"), "")).isEmpty();
    }

    @Test
    void theScratchBuilderIsReplacedNotAppendedTo() {
        LineRenderer r = new LineRenderer(pattern("%msg%n"));

        assertThat(r.render(event("a much longer first line"), scratch).toString()).isEqualTo("a much longer first line");
        assertThat(r.render(event("short"), scratch).toString()).isEqualTo("short");
    }

    @Test
    void otherStringLayoutsAreUsedAsTheyAre() {
        SyslogLayout syslog = SyslogLayout.newBuilder().setIncludeNewLine(true).build();

        String line = render(syslog, "via syslog");

        assertThat(line).startsWith("<").endsWith(" via syslog").doesNotContain("\n");
    }

    @Test
    void byteLayoutsAreDecoded() {
        assertThat(render(new BytesLayout(), "Grüße")).isEqualTo("[Grüße]");
    }

    private String render(org.apache.logging.log4j.core.Layout<?> layout, String message) {
        return new LineRenderer(layout).render(event(message), scratch).toString();
    }

    private static PatternLayout pattern(String pattern) {
        return PatternLayout.newBuilder().withPattern(pattern).build();
    }

    private static LogEvent event(String message) {
        return Log4jLogEvent.newBuilder().setLoggerName("shop").setMessage(new SimpleMessage(message)).build();
    }

    /** A layout that is not a StringLayout. */
    private static final class BytesLayout extends AbstractLayout<byte[]> {
        BytesLayout() {
            super(null, null, null);
        }

        @Override
        public byte[] toByteArray(LogEvent event) {
            return ("[" + event.getMessage().getFormattedMessage() + "]\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] toSerializable(LogEvent event) {
            return toByteArray(event);
        }

        @Override
        public String getContentType() {
            return "application/octet-stream";
        }
    }
}
