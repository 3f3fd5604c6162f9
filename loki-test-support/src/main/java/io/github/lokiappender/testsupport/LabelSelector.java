package io.github.lokiappender.testsupport;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** A parsed stream selector with optional line filters: {@code {app="x", env=~"p.*"} |= "error"}. */
final class LabelSelector {

    enum MatchType {
        EQ("="), NEQ("!="), RE("=~"), NRE("!~");

        final String symbol;

        MatchType(String symbol) {
            this.symbol = symbol;
        }
    }

    enum FilterType {
        CONTAINS("|="), NOT_CONTAINS("!="), MATCHES("|~"), NOT_MATCHES("!~");

        final String symbol;

        FilterType(String symbol) {
            this.symbol = symbol;
        }
    }

    static final class Matcher {
        final String name;
        final MatchType type;
        final String value;
        private final Pattern pattern;

        Matcher(String name, MatchType type, String value) {
            this.name = name;
            this.type = type;
            this.value = value;
            // Prometheus anchors label regexes at both ends and lets '.' match newlines.
            this.pattern = type == MatchType.RE || type == MatchType.NRE ? compile(value, Pattern.DOTALL) : null;
        }

        /** An absent label counts as the empty string, as in Prometheus. */
        boolean matches(String labelValue) {
            String v = labelValue == null ? "" : labelValue;
            switch (type) {
                case EQ:
                    return v.equals(value);
                case NEQ:
                    return !v.equals(value);
                case RE:
                    return pattern.matcher(v).matches();
                default:
                    return !pattern.matcher(v).matches();
            }
        }
    }

    static final class LineFilter {
        final FilterType type;
        final String value;
        private final Pattern pattern;

        LineFilter(FilterType type, String value) {
            this.type = type;
            this.value = value;
            // Line regexes are unanchored: they match anywhere in the line.
            this.pattern = type == FilterType.MATCHES || type == FilterType.NOT_MATCHES ? compile(value, 0) : null;
        }

        boolean matches(String line) {
            switch (type) {
                case CONTAINS:
                    return line.contains(value);
                case NOT_CONTAINS:
                    return !line.contains(value);
                case MATCHES:
                    return pattern.matcher(line).find();
                default:
                    return !pattern.matcher(line).find();
            }
        }
    }

    final List<Matcher> matchers;
    final List<LineFilter> filters;

    LabelSelector(List<Matcher> matchers, List<LineFilter> filters) {
        this.matchers = Collections.unmodifiableList(matchers);
        this.filters = Collections.unmodifiableList(filters);
    }

    boolean matchesLabels(Map<String, String> labels) {
        for (Matcher m : matchers) {
            if (!m.matches(labels.get(m.name))) {
                return false;
            }
        }
        return true;
    }

    boolean matchesLine(String line) {
        for (LineFilter f : filters) {
            if (!f.matches(line)) {
                return false;
            }
        }
        return true;
    }

    /** Loki refuses selectors whose every matcher also matches the empty string (they would scan everything). */
    boolean hasNonEmptyCompatibleMatcher() {
        for (Matcher m : matchers) {
            if (!m.matches("")) {
                return true;
            }
        }
        return false;
    }

    private static Pattern compile(String regex, int flags) {
        try {
            return Pattern.compile(regex, flags);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("error parsing regexp: " + e.getDescription() + ": `" + regex + "`");
        }
    }
}
