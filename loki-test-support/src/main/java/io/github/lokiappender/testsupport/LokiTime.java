package io.github.lokiappender.testsupport;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Time parsing and formatting the way Loki (Go) does it, all in epoch nanoseconds. */
final class LokiTime {
    static final long SECOND = 1_000_000_000L;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
    private static final DateTimeFormatter RFC3339_SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GO_STRING_BASE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private LokiTime() {
    }

    static long nowNanos(Clock clock) {
        Instant i = clock.instant();
        return toNanos(i);
    }

    static long toNanos(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), SECOND), i.getNano());
    }

    static Instant toInstant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, SECOND), Math.floorMod(nanos, SECOND));
    }

    /**
     * Loki's query timestamp rules: float seconds (rounded to ms), integer seconds when 10 digits
     * or fewer, integer nanoseconds when longer, else RFC3339Nano.
     */
    static long parseQueryTime(String param, String value, long defaultNanos) {
        if (value == null || value.isEmpty()) {
            return defaultNanos;
        }
        if (value.contains(".")) {
            try {
                BigDecimal seconds = new BigDecimal(value);
                BigDecimal whole = new BigDecimal(seconds.toBigInteger());
                BigDecimal fraction = seconds.subtract(whole).setScale(3, RoundingMode.HALF_UP);
                return Math.addExact(Math.multiplyExact(whole.longValueExact(), SECOND),
                        fraction.movePointRight(9).longValueExact());
            } catch (NumberFormatException | ArithmeticException e) {
                // fall through: "2024-01-01T00:00:00.5Z" contains a dot as well
            }
        }
        try {
            long n = Long.parseLong(value);
            return value.length() <= 10 ? Math.multiplyExact(n, SECOND) : n;
        } catch (NumberFormatException | ArithmeticException e) {
            try {
                return toNanos(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value, Instant::from));
            } catch (DateTimeParseException | ArithmeticException e2) {
                throw HttpError.badRequest("invalid parameter \"" + param + "\": cannot parse \"" + value
                        + "\" to a valid timestamp");
            }
        }
    }

    /** Prometheus durations such as {@code 5m}, {@code 1h30m}, {@code 250ms}. */
    static long parseDuration(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration string");
        }
        if (text.equals("0")) {
            return 0;
        }
        Matcher m = DURATION_PART.matcher(text);
        int at = 0;
        BigInteger total = BigInteger.ZERO;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("not a valid duration string: \"" + text + "\"");
            }
            total = total.add(new BigInteger(m.group(1)).multiply(BigInteger.valueOf(unitNanos(m.group(2)))));
            at = m.end();
        }
        if (total.bitLength() > 63) {
            throw new IllegalArgumentException("duration out of range: \"" + text + "\"");
        }
        return total.longValue();
    }

    private static long unitNanos(String unit) {
        switch (unit) {
            case "ms":
                return 1_000_000L;
            case "s":
                return SECOND;
            case "m":
                return MINUTE;
            case "h":
                return HOUR;
            case "d":
                return 24 * HOUR;
            case "w":
                return 7 * 24 * HOUR;
            default:
                return 365 * 24 * HOUR;
        }
    }

    /** Go's {@code time.RFC3339} layout, as Loki uses in validation messages. */
    static String rfc3339(long nanos) {
        return RFC3339_SECONDS.format(toInstant(nanos));
    }

    /** Go's {@code time.Time.String()} in UTC, as Loki's ingester prints ignored entries. */
    static String goString(long nanos) {
        Instant i = toInstant(nanos);
        StringBuilder sb = new StringBuilder(GO_STRING_BASE.format(i));
        if (i.getNano() != 0) {
            String frac = String.format("%09d", i.getNano());
            int endIdx = frac.length();
            while (frac.charAt(endIdx - 1) == '0') {
                endIdx--;
            }
            sb.append('.').append(frac, 0, endIdx);
        }
        return sb.append(" +0000 UTC").toString();
    }

    /** Seconds as a JSON number without trailing zeros, e.g. 1700000000.5, for vector samples. */
    static BigDecimal seconds(long nanos) {
        BigDecimal s = BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
