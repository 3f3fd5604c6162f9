package io.github.lokiappender.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.lokiappender.core.query.BuildInfo;
import io.github.lokiappender.core.query.LogEntry;
import io.github.lokiappender.core.query.Sample;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/** Prints results as readable text or as one JSON object (or string) per line. */
final class Output {

    enum Format {
        TEXT, JSONL;

        static Format parse(String text) throws UsageException {
            if (text == null) {
                return TEXT;
            }
            switch (text.toLowerCase(Locale.ROOT)) {
                case "text":
                    return TEXT;
                case "jsonl":
                case "json":
                    return JSONL;
                default:
                    throw new UsageException("--output must be text or jsonl, not '" + text + "'");
            }
        }
    }

    /** RFC3339 with all nine fraction digits in UTC, so that columns line up. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintStream out;
    private final Format format;

    Output(PrintStream out, Format format) {
        this.out = out;
        this.format = format;
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    /** {@code 2024-01-01T00:00:00.000000001Z {app="shop"} {trace_id="abc"} line}; the metadata braces only when there is some. */
    void entry(LogEntry e) {
        if (format == Format.TEXT) {
            StringBuilder sb = new StringBuilder(64 + e.line().length());
            sb.append(time(e.timestamp())).append(' ');
            labels(sb, e.labels());
            if (!e.structuredMetadata().isEmpty() || !e.parsedLabels().isEmpty()) {
                Map<String, String> extra = new java.util.TreeMap<>(e.parsedLabels());
                extra.putAll(e.structuredMetadata());
                sb.append(' ');
                labels(sb, extra);
            }
            out.println(sb.append(' ').append(e.line()));
            return;
        }
        json(g -> {
            g.writeStartObject();
            g.writeStringField("timestamp", time(e.timestamp()));
            g.writeStringField("timestamp_ns", Long.toString(e.timestampNanos()));
            map(g, "labels", e.labels());
            map(g, "structured_metadata", e.structuredMetadata());
            map(g, "parsed", e.parsedLabels());
            g.writeStringField("line", e.line());
            g.writeEndObject();
        });
    }

    /** {@code 2024-01-01T00:00:00.000000000Z {level="error"} 3}. */
    void sample(Map<String, String> metric, Sample s) {
        if (format == Format.TEXT) {
            StringBuilder sb = new StringBuilder().append(time(s.timestamp())).append(' ');
            labels(sb, metric);
            out.println(sb.append(' ').append(s.value()));
            return;
        }
        json(g -> {
            g.writeStartObject();
            g.writeStringField("timestamp", time(s.timestamp()));
            g.writeStringField("timestamp_ns", Long.toString(s.timestampNanos()));
            map(g, "metric", metric);
            g.writeStringField("value", s.value());
            g.writeEndObject();
        });
    }

    void scalar(Sample s) {
        if (format == Format.TEXT) {
            out.println(time(s.timestamp()) + " " + s.value());
            return;
        }
        json(g -> {
            g.writeStartObject();
            g.writeStringField("timestamp", time(s.timestamp()));
            g.writeStringField("timestamp_ns", Long.toString(s.timestampNanos()));
            g.writeStringField("value", s.value());
            g.writeEndObject();
        });
    }

    /** A label name or value: as is, or as a JSON string. */
    void string(String s) {
        if (format == Format.TEXT) {
            out.println(s);
            return;
        }
        json(g -> g.writeString(s));
    }

    /** {@code {app="shop", env="prod"}}, or a JSON object. */
    void labelSet(Map<String, String> labels) {
        if (format == Format.TEXT) {
            StringBuilder sb = new StringBuilder();
            labels(sb, labels);
            out.println(sb);
            return;
        }
        json(g -> {
            g.writeStartObject();
            for (Map.Entry<String, String> e : labels.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    void ready(boolean ready, String detail) {
        if (format == Format.TEXT) {
            out.println(ready ? "ready" : "not ready: " + detail);
            return;
        }
        json(g -> {
            g.writeStartObject();
            g.writeBooleanField("ready", ready);
            if (!ready) {
                g.writeStringField("detail", detail);
            }
            g.writeEndObject();
        });
    }

    void buildInfo(BuildInfo b) {
        if (format == Format.TEXT) {
            out.println("version:   " + b.version());
            out.println("revision:  " + b.revision());
            out.println("branch:    " + b.branch());
            out.println("buildUser: " + b.buildUser());
            out.println("buildDate: " + b.buildDate());
            out.println("goVersion: " + b.goVersion());
            return;
        }
        json(g -> {
            g.writeStartObject();
            g.writeStringField("version", b.version());
            g.writeStringField("revision", b.revision());
            g.writeStringField("branch", b.branch());
            g.writeStringField("buildUser", b.buildUser());
            g.writeStringField("buildDate", b.buildDate());
            g.writeStringField("goVersion", b.goVersion());
            g.writeEndObject();
        });
    }

    static void labels(StringBuilder sb, Map<String, String> labels) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(e.getKey()).append("=\"");
            String v = e.getValue();
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\' || c == '"') {
                    sb.append('\\').append(c);
                } else if (c == '\n') {
                    sb.append("\\n");
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
        sb.append('}');
    }

    private interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private void json(JsonWriter w) {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println(sw);
    }

    private static void map(JsonGenerator g, String field, Map<String, String> m) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : m.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
