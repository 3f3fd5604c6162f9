package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.pattern.LevelPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternFormatter;

/**
 * One configured label or structured-metadata entry: a name (already valid for Loki) and either a
 * static value, resolved once at configuration, or the parsed pattern formatted per event.
 */
final class FieldSpec {

    private final String name;
    private final String value;
    private final PatternFormatter[] formatters;

    private FieldSpec(String name, String value, PatternFormatter[] formatters) {
        this.name = name;
        this.value = value;
        this.formatters = formatters;
    }

    static FieldSpec ofValue(String name, String value) {
        return new FieldSpec(name, value, null);
    }

    static FieldSpec ofPattern(String name, PatternFormatter[] formatters) {
        return new FieldSpec(name, null, formatters);
    }

    String name() {
        return name;
    }

    boolean isPattern() {
        return formatters != null;
    }

    /** The static value (patterns: null). */
    String value() {
        return value;
    }

    /** Appends this entry's value for {@code event}. */
    void format(LogEvent event, StringBuilder sb) {
        if (formatters == null) {
            sb.append(value);
            return;
        }
        for (PatternFormatter f : formatters) {
            f.format(event, sb);
        }
    }

    /** True for a pattern of level conversions only ({@code %level}, {@code %p}, with options): a function of the level. */
    boolean printsOnlyLevel() {
        if (formatters == null || formatters.length == 0) {
            return false;
        }
        for (PatternFormatter f : formatters) {
            if (!(f.getConverter() instanceof LevelPatternConverter)) {
                return false;
            }
        }
        return true;
    }

    boolean requiresLocation() {
        if (formatters != null) {
            for (PatternFormatter f : formatters) {
                if (f.requiresLocation()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return formatters != null ? name + "=pattern" : name + "=" + value;
    }
}
