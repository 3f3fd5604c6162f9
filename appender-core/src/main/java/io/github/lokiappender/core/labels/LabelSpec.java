package io.github.lokiappender.core.labels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One configured {@code name=value} entry of a {@code labels} or {@code structuredMetadata}
 * option. The value is a pattern of the logging framework; the core does not interpret it.
 */
public final class LabelSpec {

    private final String name;
    private final String originalName;
    private final String pattern;

    private LabelSpec(String name, String originalName, String pattern) {
        this.name = name;
        this.originalName = originalName;
        this.pattern = pattern;
    }

    /** The name sent to Loki (sanitized). */
    public String name() {
        return name;
    }

    /** The name as configured. */
    public String originalName() {
        return originalName;
    }

    /** True if the configured name had to be changed to be valid for Loki. */
    public boolean wasSanitized() {
        return !name.equals(originalName);
    }

    /** The configured value: a framework pattern or a literal. */
    public String pattern() {
        return pattern;
    }

    /**
     * Parses {@code name=value} entries separated by commas or line breaks. Whitespace around names
     * and values is trimmed; a value may contain {@code =}; a value containing a comma must be
     * written on its own line (entries are then split by line breaks only).
     *
     * @param option the option's name, for messages
     * @param problems where problems are appended (an entry without {@code =}, an empty name, a duplicate)
     * @param sanitize whether invalid names become valid ones (labels) or are kept (structured metadata)
     */
    public static List<LabelSpec> parseList(String text, String option, List<String> problems, boolean sanitize) {
        if (text == null || text.isBlank()) {
            return Collections.emptyList();
        }
        List<LabelSpec> out = new ArrayList<>();
        String[] entries = splitEntries(text);
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                problems.add("'" + option + "' entry '" + entry + "' is not name=value");
                continue;
            }
            String n = entry.substring(0, eq).trim();
            String v = entry.substring(eq + 1).trim();
            add(out, n, v, option, problems, sanitize);
        }
        return out;
    }

    /** Validates one entry (Log4j2 child elements) and adds it to {@code out}. */
    public static void add(List<LabelSpec> out, String n, String v, String option, List<String> problems, boolean sanitize) {
        if (n == null || n.isEmpty()) {
            problems.add("'" + option + "' has an entry without a name");
            return;
        }
        String clean = sanitize ? LabelNames.sanitize(n) : n;
        for (LabelSpec s : out) {
            if (s.name.equals(clean)) {
                problems.add("'" + option + "' names '" + clean + "' twice");
                return;
            }
        }
        out.add(new LabelSpec(clean, n, v == null ? "" : v));
    }

    private static String[] splitEntries(String text) {
        boolean multiLine = text.indexOf('\n') >= 0;
        if (multiLine) {
            // one entry per line (commas at line ends are tolerated): values may then contain commas
            String[] lines = text.split("\r?\n");
            for (int i = 0; i < lines.length; i++) {
                String l = lines[i].trim();
                if (l.endsWith(",")) {
                    lines[i] = l.substring(0, l.length() - 1);
                }
            }
            return lines;
        }
        return text.split(",");
    }

    @Override
    public String toString() {
        return name + "=" + pattern;
    }
}
