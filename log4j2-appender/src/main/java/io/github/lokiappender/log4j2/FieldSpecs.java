package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.labels.LabelSpec;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.pattern.PatternFormatter;
import org.apache.logging.log4j.core.pattern.PatternParser;
import org.apache.logging.log4j.status.StatusLogger;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the {@code <Label>} and {@code <StructuredMetadata>} child elements and parses their
 * patterns. Problems (which keep the appender from being created) are collected, each naming the
 * element and attribute; doubtful but workable settings are warned about through the
 * {@link StatusLogger}.
 */
final class FieldSpecs {

    /** Loki's default {@code max_label_names_per_series} (Loki 3). */
    static final int LOKI_MAX_LABEL_NAMES = 15;

    private static final Logger LOGGER = StatusLogger.getLogger();

    private FieldSpecs() {
    }

    static List<FieldSpec> labels(String appender, Label[] labels, PatternParser parser, List<String> problems) {
        List<FieldSpec> out = new ArrayList<>();
        if (labels == null) {
            return out;
        }
        List<LabelSpec> seen = new ArrayList<>();
        for (Label l : labels) {
            if (l != null) {
                FieldSpec f = read(appender, "Label", l.getName(), l.getValue(), l.getPattern(), true, parser, seen, problems);
                if (f != null) {
                    out.add(f);
                }
            }
        }
        if (out.size() > LOKI_MAX_LABEL_NAMES) {
            LOGGER.warn("Loki appender '{}': {} labels configured; Loki rejects streams with more than {} labels by default"
                    + " (limits_config.max_label_names_per_series)", appender, out.size(), LOKI_MAX_LABEL_NAMES);
        }
        return out;
    }

    static List<FieldSpec> metadata(String appender, StructuredMetadata[] entries, PatternParser parser,
                                    List<String> problems) {
        List<FieldSpec> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        List<LabelSpec> seen = new ArrayList<>();
        for (StructuredMetadata m : entries) {
            if (m != null) {
                FieldSpec f = read(appender, "StructuredMetadata", m.getName(), m.getValue(), m.getPattern(), false,
                        parser, seen, problems);
                if (f != null) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    private static FieldSpec read(String appender, String element, String rawName, String value, String pattern,
                                  boolean sanitize, PatternParser parser, List<LabelSpec> seen, List<String> problems) {
        if (OptionParser.isAbsent(rawName)) {
            problems.add("a <" + element + "> has no 'name'");
            return null;
        }
        String name = rawName.trim();
        String where = "<" + element + " name=\"" + name + "\">";
        if (value != null && pattern != null) {
            problems.add(where + " has both 'value' and 'pattern'; give one");
            return null;
        }
        if (value == null && pattern == null) {
            problems.add(where + " needs a 'value' (static) or a 'pattern' (per event)");
            return null;
        }
        int before = seen.size();
        LabelSpec.add(seen, name, pattern != null ? pattern : value, element, problems, sanitize);
        if (seen.size() == before) {
            return null; // duplicate name, reported by LabelSpec
        }
        LabelSpec spec = seen.get(seen.size() - 1);
        if (spec.wasSanitized()) {
            LOGGER.warn("Loki appender '{}': {} is not a valid Loki label name; it is sent as '{}'",
                    appender, where, spec.name());
        }
        if (pattern == null) {
            if (value.isEmpty()) {
                LOGGER.warn("Loki appender '{}': {} has an empty 'value' and is never sent", appender, where);
            } else if (value.contains("${")) {
                LOGGER.warn("Loki appender '{}': {} 'value' '{}' holds an unresolved lookup; give a default as in"
                        + " ${env:NAME:-default}", appender, where, value);
            }
            return FieldSpec.ofValue(spec.name(), value);
        }
        if (pattern.isEmpty()) {
            LOGGER.warn("Loki appender '{}': {} has an empty 'pattern' and is never sent", appender, where);
        }
        try {
            List<PatternFormatter> formatters = parser.parse(pattern, false, true, false);
            return FieldSpec.ofPattern(spec.name(), formatters.toArray(PatternFormatter.EMPTY_ARRAY));
        } catch (RuntimeException e) {
            problems.add(where + " 'pattern' '" + pattern + "' is not a valid PatternLayout pattern: " + e.getMessage());
            return null;
        }
    }
}
