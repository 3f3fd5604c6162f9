package io.github.lokiappender.it;

import java.util.Map;

/** Configures a logging framework from its real configuration file and stops it again. */
public interface LoggingSystem {

    /**
     * Loads the framework's configuration template with {@code @NAME@} placeholders replaced by
     * {@code vars} (URL, FORMAT, COMPRESSION, RUN, TENANT, FLUSH_MS, and SM: "on" to send
     * the MDC value {@code trace_id} as structured metadata, in the framework's own syntax).
     */
    void start(Map<String, String> vars) throws Exception;

    /** Stops logging the way an application does at exit, which flushes the appender. */
    void stop() throws Exception;

    /** Reads a template from the classpath and fills in its placeholders. */
    static String fill(String resource, Map<String, String> vars) throws java.io.IOException {
        try (var in = LoggingSystem.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + resource);
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            for (Map.Entry<String, String> v : vars.entrySet()) {
                text = text.replace("@" + v.getKey() + "@", v.getValue());
            }
            if (text.matches("(?s).*@[A-Z_]+@.*")) {
                throw new IllegalStateException("unfilled placeholder in " + resource + ": " + text);
            }
            return text;
        }
    }
}
