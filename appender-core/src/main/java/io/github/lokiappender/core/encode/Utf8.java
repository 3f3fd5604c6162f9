package io.github.lokiappender.core.encode;

/** UTF-8 arithmetic on Java strings without allocating byte arrays. */
public final class Utf8 {

    /** The replacement character written for a lone surrogate, as Loki (Go) would. */
    public static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /** Number of bytes {@code s} takes in UTF-8, counting each lone surrogate as U+FFFD (3 bytes). */
    public static int length(CharSequence s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // 4 bytes for 2 chars
                i++;
            } else {
                bytes += 2; // BMP char or lone surrogate (written as U+FFFD)
            }
        }
        return bytes;
    }

    /** True if {@code s} contains a surrogate that is not part of a valid pair. */
    public static boolean hasLoneSurrogate(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    /** Returns {@code s} with every lone surrogate replaced by U+FFFD; {@code s} itself if it has none. */
    public static String replaceLoneSurrogates(String s) {
        if (!hasLoneSurrogate(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                sb.append(REPLACEMENT);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The longest prefix of {@code s} whose UTF-8 form is at most {@code maxBytes}, never splitting
     * a surrogate pair; {@code s} itself when it fits.
     */
    public static String truncate(String s, int maxBytes) {
        if (s.length() <= maxBytes / 3) {
            return s; // fits even if every char took 3 bytes
        }
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int w;
            int chars = 1;
            if (c < 0x80) {
                w = 1;
            } else if (c < 0x800) {
                w = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                w = 4;
                chars = 2;
            } else {
                w = 3;
            }
            if (bytes + w > maxBytes) {
                return s.substring(0, i);
            }
            bytes += w;
            i += chars - 1;
        }
        return s;
    }
}
