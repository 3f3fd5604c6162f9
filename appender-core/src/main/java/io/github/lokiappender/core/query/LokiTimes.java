package io.github.lokiappender.core.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Exact conversions between {@link Instant}, epoch nanoseconds and what Loki sends and accepts. */
final class LokiTimes {

    static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Loki reads an integer of 10 digits or fewer as seconds, so smaller nanosecond values go as RFC3339. */
    private static final long SMALLEST_UNAMBIGUOUS_NANOS = 10_000_000_000L;

    private LokiTimes() {
    }

    /** @throws IllegalArgumentException when the instant is outside what int64 nanoseconds hold (1677..2262) */
    static long toNanos(Instant instant, String what) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + what + "' " + instant
                    + " is outside the range Loki can represent (epoch nanoseconds in a signed 64-bit integer)");
        }
    }

    static Instant toInstant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    /** A query timestamp parameter: nanoseconds, or RFC3339 where Loki would misread the integer. */
    static String wire(long nanos) {
        if (nanos >= SMALLEST_UNAMBIGUOUS_NANOS) {
            return Long.toString(nanos);
        }
        return DateTimeFormatter.ISO_INSTANT.format(toInstant(nanos));
    }

    /** Seconds as Loki prints sample times (a JSON number such as {@code 1700000000.123}) to nanoseconds. */
    static long secondsToNanos(BigDecimal seconds) {
        return seconds.movePointRight(9).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    }

    /** A duration in seconds as a decimal string without trailing zeros, e.g. {@code 15} or {@code 0.25}. */
    static String seconds(java.time.Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    }
}
