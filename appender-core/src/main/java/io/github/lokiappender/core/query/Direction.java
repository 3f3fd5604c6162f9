package io.github.lokiappender.core.query;

/** Order of log entries in a query: Loki's {@code direction} parameter. */
public enum Direction {
    /** Oldest first. */
    FORWARD("forward"),
    /** Newest first; Loki's default. */
    BACKWARD("backward");

    private final String wire;

    Direction(String wire) {
        this.wire = wire;
    }

    /** The value Loki expects: {@code forward} or {@code backward}. */
    public String wireValue() {
        return wire;
    }
}
