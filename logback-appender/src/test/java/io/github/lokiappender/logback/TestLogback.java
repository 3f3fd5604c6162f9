package io.github.lokiappender.logback;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.status.Status;

import org.slf4j.MDC;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Configures a private Logback context from an XML string, as a logback.xml would. */
final class TestLogback {

    private TestLogback() {
    }

    static LoggerContext configure(String xml) {
        return configure(xml, "test-app");
    }

    /** As {@link #configure(String)}, with the context named {@code contextName} (null: not named). */
    static LoggerContext configure(String xml, String contextName) {
        LoggerContext ctx = new LoggerContext();
        if (contextName != null) {
            ctx.setName(contextName);
        }
        ctx.setMDCAdapter(MDC.getMDCAdapter()); // what SLF4J's MDC writes to, as in an application
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (JoranException e) {
            throw new AssertionError("configuration failed", e);
        }
        return ctx;
    }

    /**
     * A configuration with a LOKI appender with the given nested elements and a LIST appender
     * (every event, for comparison), both on the root logger at DEBUG.
     */
    static String config(String lokiElements) {
        return "<configuration>\n"
                + "  <appender name=\"LOKI\" class=\"io.github.lokiappender.logback.LokiAppender\">\n"
                + lokiElements + "\n"
                + "  </appender>\n"
                + "  <appender name=\"LIST\" class=\"ch.qos.logback.core.read.ListAppender\"/>\n"
                + "  <root level=\"DEBUG\"><appender-ref ref=\"LOKI\"/><appender-ref ref=\"LIST\"/></root>\n"
                + "</configuration>\n";
    }

    static LokiAppender loki(LoggerContext ctx) {
        return (LokiAppender) find(ctx, "LOKI");
    }

    @SuppressWarnings("unchecked")
    static ListAppender<ILoggingEvent> list(LoggerContext ctx) {
        return (ListAppender<ILoggingEvent>) find(ctx, "LIST");
    }

    /** An appender on the root logger, or one level down inside an appender such as AsyncAppender. */
    @SuppressWarnings("unchecked")
    static Appender<ILoggingEvent> find(LoggerContext ctx, String name) {
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (name.equals(a.getName())) {
                return a;
            }
            if (a instanceof AppenderAttachable) {
                Appender<ILoggingEvent> inner = ((AppenderAttachable<ILoggingEvent>) a).getAppender(name);
                if (inner != null) {
                    return inner;
                }
            }
        }
        throw new AssertionError("no appender " + name);
    }

    /** Status messages whose origin is a LokiAppender, as "LEVEL message". */
    static List<String> lokiStatus(LoggerContext ctx) {
        List<String> out = new ArrayList<>();
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            if (s.getOrigin() instanceof LokiAppender) {
                out.add(levelName(s.getLevel()) + " " + s.getMessage());
            }
        }
        return out;
    }

    /** Status messages at WARN or ERROR from any origin, as "LEVEL message". */
    static List<String> problems(LoggerContext ctx) {
        List<String> out = new ArrayList<>();
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            if (s.getLevel() >= Status.WARN) {
                out.add(levelName(s.getLevel()) + " " + s.getMessage());
            }
        }
        return out;
    }

    private static String levelName(int level) {
        return level == Status.ERROR ? "ERROR" : level == Status.WARN ? "WARN" : "INFO";
    }
}
