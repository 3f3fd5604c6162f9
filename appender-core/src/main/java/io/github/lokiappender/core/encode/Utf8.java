package io.github.lokiappender.core.encode;

/** UTF-8 arithmetic on Java strings without allocating byte arrays. */
public final class Utf8 {

    /** The replacement character written for a lone surrogate, as Loki (Go) would. */
    public static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /** Number of bytes {@code s} takes in UTF-8, counting each lone surrogate as U+FFFD (3 bytes). */
    public static int length(CharSequence s) {
        return length(s, 0, s.length());
    }

    /** As {@link #length(CharSequence)} for the characters {@code from} (inclusive) to {@code n} (exclusive). */
    public static int length(CharSequence s, int from, int n) {
        int bytes = n - from;
        for (int i = from; i < n; i++) {
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

    /**
     * Copies the ASCII characters at the start of {@code s[from, n)} to {@code b} at {@code p}, one
     * byte each, and returns the index of the first character that is not ASCII ({@code n} if
     * none): {@code result - from} bytes were written. The caller has made room.
     */
    private static int copyAscii(CharSequence s, int from, int n, byte[] b, int p) {
        int i = from;
        int shift = p - from;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            b[i + shift] = (byte) c;
            i++;
        }
        return i;
    }

    /**
     * Writes the characters {@code from} to {@code n} of {@code s} as UTF-8 at {@code p}, each lone
     * surrogate as U+FFFD (EF BF BD), which is exactly {@link #length(CharSequence, int, int)} bytes;
     * returns the position after them. The caller has made room.
     */
    public static int encode(CharSequence s, int from, int n, byte[] b, int p) {
        // most log text is ASCII: copy it with the cheapest loop before handling the rest
        int i = copyAscii(s, from, n, b, p);
        p += i - from;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | c >> 6);
                b[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p++] = (byte) (0xF0 | cp >> 18);
                    b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                    b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                    b[p++] = (byte) (0x80 | cp & 0x3F);
                } else {
                    b[p++] = (byte) 0xEF;
                    b[p++] = (byte) 0xBF;
                    b[p++] = (byte) 0xBD;
                }
            } else {
                b[p++] = (byte) (0xE0 | c >> 12);
                b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return p;
    }

    /**
     * The largest length at most {@code maxBytes} (and at most {@code length}) at which the valid
     * UTF-8 in {@code b[offset, offset + length)} can be cut without splitting a character.
     */
    public static int cutPoint(byte[] b, int offset, int length, int maxBytes) {
        if (length <= maxBytes) {
            return length;
        }
        int cut = Math.max(0, maxBytes);
        // step back over continuation bytes (10xxxxxx): the cut lands before a character's first byte
        while (cut > 0 && (b[offset + cut] & 0xC0) == 0x80) {
            cut--;
        }
        return cut;
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
