package io.github.lokiappender.benchmarks.runner;

import java.util.List;

/** An appender under test: its framework, its configuration file, the formats it can send. */
enum Variant {
    LOGBACK_BASELINE("logback-baseline", "Logback formatting lines, no appender", Framework.LOGBACK,
            "bench/logback-baseline.xml", false, List.of(Format.NONE)),
    OURS_LOGBACK("ours-logback", "this project, Logback", Framework.LOGBACK, "bench/logback-ours.xml", true,
            List.of(Format.JSON, Format.JSON_GZIP, Format.PROTOBUF)),
    LOKI4J("loki4j", "loki4j 2.1.0 (Logback)", Framework.LOGBACK, "bench/logback-loki4j.xml", false,
            List.of(Format.JSON, Format.PROTOBUF)),
    LOG4J2_BASELINE("log4j2-baseline", "Log4j2 formatting lines, no appender", Framework.LOG4J2,
            "bench/log4j2-baseline.xml", false, List.of(Format.NONE)),
    OURS_LOG4J2("ours-log4j2", "this project, Log4j2", Framework.LOG4J2, "bench/log4j2-ours.xml", true,
            List.of(Format.JSON, Format.JSON_GZIP, Format.PROTOBUF)),
    TJAHZI("tjahzi", "tjahzi 0.9.42 (Log4j2)", Framework.LOG4J2, "bench/log4j2-tjahzi.xml", false,
            List.of(Format.PROTOBUF));

    enum Framework { LOGBACK, LOG4J2 }

    final String id;
    final String title;
    final Framework framework;
    final String config;
    final boolean ours;
    final List<Format> formats;

    Variant(String id, String title, Framework framework, String config, boolean ours, List<Format> formats) {
        this.id = id;
        this.title = title;
        this.framework = framework;
        this.config = config;
        this.ours = ours;
        this.formats = formats;
    }

    /** False for the baselines, which ship nothing. */
    boolean ships() {
        return formats.get(0) != Format.NONE;
    }

    /** The baseline of this variant's framework. */
    Variant baseline() {
        return framework == Framework.LOGBACK ? LOGBACK_BASELINE : LOG4J2_BASELINE;
    }

    /** The format each appender sends by default (JMH runs use it). */
    Format defaultFormat() {
        return formats.get(0);
    }

    /** The peer this appender is compared with (same framework), or null for a peer. */
    Variant peer() {
        switch (this) {
            case OURS_LOGBACK:
                return LOKI4J;
            case OURS_LOG4J2:
                return TJAHZI;
            default:
                return null;
        }
    }

    static Variant byId(String id) {
        for (Variant v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown appender '" + id + "'; known: logback-baseline, ours-logback, loki4j, "
                + "log4j2-baseline, ours-log4j2, tjahzi");
    }

    /** A push format. */
    enum Format {
        NONE("-", "json", "none"),
        JSON("json", "json", "none"),
        JSON_GZIP("json+gzip", "json", "gzip"),
        PROTOBUF("protobuf", "protobuf", "none");

        final String id;
        final String format;
        final String compression;

        Format(String id, String format, String compression) {
            this.id = id;
            this.format = format;
            this.compression = compression;
        }
    }
}
