package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.LoggerContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Configurations and contexts for tests. Logger names stay outside io.github.lokiappender (ignored as internal). */
final class Log4jTestSupport {

    private Log4jTestSupport() {
    }

    /**
     * A log4j2.xml with one Loki appender named LOKI under the root logger (level debug).
     *
     * @param attributes extra attributes of {@code <Loki>}
     * @param children   child elements of {@code <Loki>}
     */
    static String xml(String url, String attributes, String children) {
        return xml("", url, attributes, children, "");
    }

    static String xml(String configAttributes, String url, String attributes, String children, String loggers) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<Configuration " + configAttributes + ">\n"
                + "  <Appenders>\n"
                + "    <Loki name=\"LOKI\" url=\"" + url + "\" " + attributes + ">\n"
                + "      " + children + "\n"
                + "    </Loki>\n"
                + "  </Appenders>\n"
                + "  <Loggers>\n"
                + "    " + loggers + "\n"
                + "    <Root level=\"debug\"><AppenderRef ref=\"LOKI\"/></Root>\n"
                + "  </Loggers>\n"
                + "</Configuration>\n";
    }

    static Path write(Path dir, String fileName, String content) {
        try {
            Path p = dir.resolve(fileName);
            Files.write(p, content.getBytes(StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A context of its own (not the JVM's default one), configured from {@code config}. */
    static LoggerContext start(String name, Path config) {
        LoggerContext ctx = new LoggerContext(name, null, config.toUri());
        ctx.start();
        return ctx;
    }

    static LoggerContext startXml(Path dir, String name, String xml) {
        return start(name, write(dir, name + ".xml", xml));
    }

    static LokiAppender loki(LoggerContext ctx) {
        return ctx.getConfiguration().getAppender("LOKI");
    }

    static void stop(LoggerContext ctx) {
        if (ctx != null) {
            ctx.stop(10, TimeUnit.SECONDS);
        }
    }

    /** Live shipper threads of any Loki appender. */
    static List<String> shipperThreads() {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("loki-shipper-")) {
                out.add(t.getName());
            }
        }
        return out;
    }
}
