package io.github.lokiappender.it.logback;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import io.github.lokiappender.it.LoggingSystem;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Logback configured from {@code logback-it.xml}, the way an application's logback.xml is loaded. */
final class LogbackSystem implements LoggingSystem {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    @Override
    public void start(Map<String, String> vars) throws Exception {
        Map<String, String> v = new HashMap<>(vars);
        v.put("SM", "on".equals(vars.get("SM")) ? "trace_id=%mdc{trace_id}" : "");
        String xml = LoggingSystem.fill("logback-it.xml", v);
        context.reset();
        context.getStatusManager().clear();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        context.start();
        for (Status s : context.getStatusManager().getCopyOfStatusList()) {
            if (s.getEffectiveLevel() >= Status.ERROR) { // the sanitized label name is a WARN, on purpose
                throw new IllegalStateException("logback configuration problem: " + s);
            }
        }
    }

    @Override
    public void stop() {
        context.stop(); // what Logback's shutdown hook does: stops and flushes every appender
    }
}
