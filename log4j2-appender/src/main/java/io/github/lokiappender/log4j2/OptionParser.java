package io.github.lokiappender.log4j2;

import java.util.List;
import java.util.Locale;

/**
 * Turns attribute text into numbers and booleans. Attributes are read as text (rather than
 * letting Log4j2 convert them) so that a bad value is reported with the attribute's name instead
 * of being silently replaced by a default.
 */
final class OptionParser {

    private final List<String> problems;

    OptionParser(List<String> problems) {
        this.problems = problems;
    }

    /** Null when absent or invalid (then a problem is recorded). */
    Long longValue(String option, String raw) {
        if (isAbsent(raw)) {
            return null;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            problems.add("'" + option + "' must be a whole number, was '" + raw + "'");
            return null;
        }
    }

    Integer intValue(String option, String raw) {
        if (isAbsent(raw)) {
            return null;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            problems.add("'" + option + "' must be a whole number up to " + Integer.MAX_VALUE + ", was '" + raw + "'");
            return null;
        }
    }

    Boolean booleanValue(String option, String raw) {
        if (isAbsent(raw)) {
            return null;
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return Boolean.TRUE;
        }
        if (v.equals("false")) {
            return Boolean.FALSE;
        }
        problems.add("'" + option + "' must be true or false, was '" + raw + "'");
        return null;
    }

    static boolean isAbsent(String raw) {
        return raw == null || raw.trim().isEmpty();
    }
}
