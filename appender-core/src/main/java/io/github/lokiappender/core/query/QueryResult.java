package io.github.lokiappender.core.query;

import java.util.Collections;
import java.util.List;

/**
 * The {@code data} of a query answer. Loki's {@code resultType} decides which accessor holds it:
 * {@link #streams()} for a log query, {@link #series()} for a metric query (matrix over a range,
 * vector at an instant), {@link #scalar()} for a scalar.
 */
public final class QueryResult {

    /** Loki's {@code resultType}. */
    public enum Type {
        STREAMS, MATRIX, VECTOR, SCALAR, STRING
    }

    private final Type type;
    private final List<LogStream> streams;
    private final List<MetricSeries> series;
    private final Sample scalar;
    private final List<String> encodingFlags;

    QueryResult(Type type, List<LogStream> streams, List<MetricSeries> series, Sample scalar, List<String> encodingFlags) {
        this.type = type;
        this.streams = streams;
        this.series = series;
        this.scalar = scalar;
        this.encodingFlags = encodingFlags;
    }

    public Type type() {
        return type;
    }

    /** The log streams of a {@link Type#STREAMS} result; empty for other types. */
    public List<LogStream> streams() {
        return streams;
    }

    /** The series of a {@link Type#MATRIX} or {@link Type#VECTOR} result; empty for other types. */
    public List<MetricSeries> series() {
        return series;
    }

    /**
     * The value of a {@link Type#SCALAR} (or {@link Type#STRING}) result.
     *
     * @throws IllegalStateException for other types
     */
    public Sample scalar() {
        if (scalar == null) {
            throw new IllegalStateException("the result is a " + type.name().toLowerCase(java.util.Locale.ROOT)
                    + ", not a scalar");
        }
        return scalar;
    }

    /** Total number of log entries over all streams. */
    public int entryCount() {
        int n = 0;
        for (LogStream s : streams) {
            n += s.entries().size();
        }
        return n;
    }

    /** Flags the server applied to the encoding, e.g. {@code categorize-labels}; empty for most servers. */
    public List<String> encodingFlags() {
        return encodingFlags;
    }

    static QueryResult empty(Type type) {
        return new QueryResult(type, Collections.emptyList(), Collections.emptyList(), null, Collections.emptyList());
    }

    @Override
    public String toString() {
        switch (type) {
            case STREAMS:
                return "QueryResult[streams: " + streams.size() + " streams, " + entryCount() + " entries]";
            case SCALAR:
            case STRING:
                return "QueryResult[" + type.name().toLowerCase(java.util.Locale.ROOT) + ": " + scalar + "]";
            default:
                return "QueryResult[" + type.name().toLowerCase(java.util.Locale.ROOT) + ": " + series.size() + " series]";
        }
    }
}
