package io.github.lokiappender.cli;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations ({@code 90s}, {@code 1h30m}, {@code 7d}) and instants (RFC3339, epoch, {@code now}) on the command line. */
final class CliTime {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private CliTime() {
    }

    static Duration parseDuration(String option, String text) throws UsageException {
        String t = text.trim();
        if (t.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = PART.matcher(t);
        int at = 0;
        BigInteger nanos = BigInteger.ZERO;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new UsageException(option + " expects a duration such as 90s, 15m, 1h30m or 7d, not '" + text + "'");
            }
            nanos = nanos.add(new BigInteger(m.group(1)).multiply(BigInteger.valueOf(unitNanos(m.group(2)))));
            at = m.end();
        }
        if (t.isEmpty() || nanos.signum() == 0 || nanos.bitLength() > 62) {
            throw new UsageException(option + " expects a positive duration such as 90s, 15m, 1h30m or 7d, not '" + text + "'");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static long unitNanos(String unit) {
        switch (unit) {
            case "ms":
                return 1_000_000L;
            case "s":
                return 1_000_000_000L;
            case "m":
                return 60_000_000_000L;
            case "h":
                return 3_600_000_000_000L;
            case "d":
                return 86_400_000_000_000L;
            default:
                return 604_800_000_000_000L;
        }
    }

    /** RFC3339 ({@code 2024-01-01T10:00:00Z}, {@code 2024-01-01T12:00:00.5+02:00}), {@code now}, or epoch seconds / nanoseconds. */
    static Instant parseInstant(String option, String text, Instant now) throws UsageException {
        String t = text.trim();
        if (t.equalsIgnoreCase("now")) {
            return now;
        }
        if (t.matches("\\d{1,19}")) {
            long n = Long.parseLong(t);
            // like Loki: 10 digits or fewer are seconds, more are nanoseconds
            return t.length() <= 10 ? Instant.ofEpochSecond(n) : Instant.ofEpochSecond(0, n);
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException(option + " expects an RFC3339 time such as 2024-01-01T10:00:00Z (or 'now', or epoch"
                    + " seconds or nanoseconds), not '" + text + "'");
        }
    }
}
