package io.github.lokiappender.core;

/** Small text helpers shared by the adapters. */
public final class Lines {

    private Lines() {
    }

    /** Removes one trailing line break ({@code \n} or {@code \r\n}) that a layout appended. */
    public static String stripTrailingLineBreak(String s) {
        if (s == null) {
            return "";
        }
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
            if (end > 0 && s.charAt(end - 1) == '\r') {
                end--;
            }
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    /** As {@link #stripTrailingLineBreak(String)} for a builder, without copying. */
    public static void stripTrailingLineBreak(StringBuilder sb) {
        int end = sb.length();
        if (end > 0 && sb.charAt(end - 1) == '\n') {
            end--;
            if (end > 0 && sb.charAt(end - 1) == '\r') {
                end--;
            }
            sb.setLength(end);
        }
    }
}
