package io.github.lokiappender.core.query;

import java.util.List;
import java.util.Map;

/** One stream of a log query result: its labels and its entries in the order of the query's direction. */
public final class LogStream {

    private final Map<String, String> labels;
    private final List<LogEntry> entries;

    LogStream(Map<String, String> labels, List<LogEntry> entries) {
        this.labels = labels;
        this.entries = entries;
    }

    /** Sorted by name. */
    public Map<String, String> labels() {
        return labels;
    }

    public List<LogEntry> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return "LogStream[" + labels + ", " + entries.size() + " entries]";
    }
}
