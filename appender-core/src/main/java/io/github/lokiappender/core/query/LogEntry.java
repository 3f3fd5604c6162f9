package io.github.lokiappender.core.query;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One log line as Loki returned it: the labels of its stream, its timestamp in nanoseconds, the
 * line, and (when the server reports them separately) structured metadata and labels extracted
 * by parsers in the query.
 */
public final class LogEntry {

    private final Map<String, String> labels;
    private final long timestampNanos;
    private final String line;
    private final Map<String, String> structuredMetadata;
    private final Map<String, String> parsedLabels;

    LogEntry(Map<String, String> labels, long timestampNanos, String line,
             Map<String, String> structuredMetadata, Map<String, String> parsedLabels) {
        this.labels = labels;
        this.timestampNanos = timestampNanos;
        this.line = line;
        this.structuredMetadata = structuredMetadata;
        this.parsedLabels = parsedLabels;
    }

    /** The labels of the stream this entry belongs to, sorted by name. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Unix epoch nanoseconds, exactly as Loki sent them. */
    public long timestampNanos() {
        return timestampNanos;
    }

    public Instant timestamp() {
        return LokiTimes.toInstant(timestampNanos);
    }

    public String line() {
        return line;
    }

    /**
     * Structured metadata of the entry, empty when it has none or when the server merged it into
     * the stream labels (Loki 3 does so unless the client asks for categorized labels).
     */
    public Map<String, String> structuredMetadata() {
        return structuredMetadata;
    }

    /** Labels extracted at query time ({@code | json}, {@code | logfmt}...), when the server categorizes labels. */
    public Map<String, String> parsedLabels() {
        return parsedLabels;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LogEntry)) {
            return false;
        }
        LogEntry e = (LogEntry) o;
        return timestampNanos == e.timestampNanos && line.equals(e.line) && labels.equals(e.labels)
                && structuredMetadata.equals(e.structuredMetadata) && parsedLabels.equals(e.parsedLabels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labels, timestampNanos, line, structuredMetadata, parsedLabels);
    }

    @Override
    public String toString() {
        return "LogEntry[" + timestamp() + " " + labels + " \"" + line + "\""
                + (structuredMetadata.isEmpty() ? "" : " metadata=" + structuredMetadata)
                + (parsedLabels.isEmpty() ? "" : " parsed=" + parsedLabels) + "]";
    }
}
