package io.github.lokiappender.it.log4j2;

import io.github.lokiappender.it.LoggingSystem;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Log4j2 configured from {@code log4j2-it.xml}; SLF4J binds to it through log4j-slf4j2-impl. */
final class Log4j2System implements LoggingSystem {

    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);

    @Override
    public void start(Map<String, String> vars) throws Exception {
        Map<String, String> v = new HashMap<>(vars);
        v.put("SM", "on".equals(vars.get("SM")) ? "<StructuredMetadata name=\"trace_id\" pattern=\"%X{trace_id}\"/>" : "");
        v.put("TENANT_ATTR", vars.get("TENANT").isEmpty() ? "" : "tenantId=\"" + vars.get("TENANT") + "\"");
        String xml = LoggingSystem.fill("log4j2-it.xml", v);
        ConfigurationSource source = new ConfigurationSource(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Configuration config = new XmlConfiguration(context, source);
        context.reconfigure(config); // stops (and flushes) the previous configuration's appenders
        if (context.getConfiguration().getAppender("LOKI") == null) {
            throw new IllegalStateException("the Loki appender did not start; see the StatusLogger output");
        }
    }

    @Override
    public void stop() {
        // what LogManager.shutdown does to the configuration: stop it, flushing the appender
        context.setConfiguration(new DefaultConfiguration());
    }
}
