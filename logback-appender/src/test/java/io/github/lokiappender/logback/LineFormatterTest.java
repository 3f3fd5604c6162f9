package io.github.lokiappender.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The default line skips the layout when it can; it must equal what the layout would give. */
class LineFormatterTest {

    private final LoggerContext ctx = new LoggerContext();

    @AfterEach
    void stop() {
        ctx.stop();
    }

    private PatternLayout layout(String pattern) {
        PatternLayout l = new PatternLayout();
        l.setContext(ctx);
        l.setPattern(pattern);
        l.start();
        return l;
    }

    private LoggingEvent event(String message, Throwable t, Object... args) {
        return new LoggingEvent(LineFormatterTest.class.getName(), ctx.getLogger("app"), Level.INFO, message, t, args);
    }

    @Test
    void defaultLineEqualsTheLayoutWithoutItsLastLineBreak() {
        PatternLayout def = layout(LokiAppender.DEFAULT_PATTERN);
        LineFormatter fast = LineFormatter.defaultPattern(def);
        LineFormatter slow = LineFormatter.of(def);
        Exception boom = new IllegalStateException("boom", new RuntimeException("cause"));
        LoggingEvent[] events = {
                event("plain", null),
                event("with {} and {}", null, "args", 42),
                event("ends with a line break\n", null),
                event("ends with CRLF\r\n", null),
                event("two\n\n", null),
                event("", null),
                event(null, null),
                event("ünïcødé ✓ 🚀", null),
                event("failed", boom),
        };
        for (LoggingEvent e : events) {
            assertThat(fast.format(e)).as(String.valueOf(e.getMessage())).isEqualTo(slow.format(e));
        }
        assertThat(fast.format(events[0])).isEqualTo("plain");
        assertThat(fast.format(events[2])).isEqualTo("ends with a line break\n");
        assertThat(fast.format(events[8])).startsWith("failed" + System.lineSeparator() + "java.lang.IllegalStateException: boom")
                .doesNotEndWith("\n");
    }

    @Test
    void aLayoutsTrailingLineBreakIsRemovedOnce() {
        LineFormatter f = LineFormatter.of(layout("%level %msg%n"));
        assertThat(f.format(event("x", null))).isEqualTo("INFO x");
        assertThat(f.format(event("x\n", null))).isEqualTo("INFO x\n");
    }
}
