package io.github.lokiappender.core.labels;

/**
 * Loki's rules for label names: {@code [a-zA-Z_][a-zA-Z0-9_]*}, at most 1024 bytes, and names
 * starting with {@code __} are reserved for Loki itself.
 */
public final class LabelNames {

    /** Loki's default {@code max_label_name_length}. */
    public static final int MAX_NAME_LENGTH = 1024;

    private LabelNames() {
    }

    /** True if Loki accepts {@code name} as a label name as it is. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        if (name.startsWith("__")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i), i == 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns a name Loki accepts: every invalid character becomes {@code _}, a leading digit gets
     * a {@code _} prefix, a reserved {@code __} prefix is reduced to one {@code _}, and the result
     * is cut to {@link #MAX_NAME_LENGTH}. Returns the same instance when {@code name} is valid.
     *
     * @throws IllegalArgumentException if {@code name} is null or empty
     */
    public static String sanitize(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("label name must not be empty");
        }
        if (isValid(name)) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(isNameChar(c, false) ? c : '_');
        }
        if (sb.charAt(0) >= '0' && sb.charAt(0) <= '9') {
            sb.insert(0, '_');
        }
        int underscores = 0;
        while (underscores < sb.length() && sb.charAt(underscores) == '_') {
            underscores++;
        }
        if (underscores >= 2) {
            sb.delete(0, underscores - 1);
        }
        if (sb.length() > MAX_NAME_LENGTH) {
            sb.setLength(MAX_NAME_LENGTH);
        }
        return sb.toString();
    }

    private static boolean isNameChar(char c, boolean first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
    }
}
