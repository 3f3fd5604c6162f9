package io.github.lokiappender.testsupport;

import java.util.List;
import java.util.Map;

/** Label name rules and the canonical Prometheus rendering Loki uses for stream keys. */
final class Labels {
    private Labels() {
    }

    /** Prometheus' classic label name syntax, which Loki enforces on push. */
    static boolean isValidName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** Renders {@code {a="1", b="2"}} in the map's iteration order (callers pass sorted maps). */
    static String render(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder(16 * labels.size() + 2).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            appendPair(sb, e.getKey(), e.getValue());
        }
        return sb.append('}').toString();
    }

    /** Same as {@link #render(Map)} for a list of pairs, which may hold duplicate names. */
    static String renderPairs(List<String[]> pairs) {
        StringBuilder sb = new StringBuilder().append('{');
        for (int i = 0; i < pairs.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            appendPair(sb, pairs.get(i)[0], pairs.get(i)[1]);
        }
        return sb.append('}').toString();
    }

    private static void appendPair(StringBuilder sb, String name, String value) {
        sb.append(name).append("=\"");
        escapeInto(sb, value);
        sb.append('"');
    }

    static void escapeInto(StringBuilder sb, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\':
                    sb.append("\\\\");
                    break;
                case '"':
                    sb.append("\\\"");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                default:
                    sb.append(c);
            }
        }
    }
}
