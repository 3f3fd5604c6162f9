package io.github.lokiappender.core.query;

import java.time.Instant;
import java.util.Objects;

/** One value of a metric query at one instant. The value is kept as Loki's text ("42", "0.5", "NaN", "+Inf"). */
public final class Sample {

    private final long timestampNanos;
    private final String value;

    Sample(long timestampNanos, String value) {
        this.timestampNanos = timestampNanos;
        this.value = value;
    }

    public long timestampNanos() {
        return timestampNanos;
    }

    public Instant timestamp() {
        return LokiTimes.toInstant(timestampNanos);
    }

    /** The value exactly as Loki sent it. */
    public String value() {
        return value;
    }

    /** The value as a double; {@code +Inf}, {@code -Inf} and {@code NaN} as Java's infinities and NaN. */
    public double doubleValue() {
        switch (value) {
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                return Double.parseDouble(value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample && ((Sample) o).timestampNanos == timestampNanos && ((Sample) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestampNanos, value);
    }

    @Override
    public String toString() {
        return timestamp() + "=" + value;
    }
}
