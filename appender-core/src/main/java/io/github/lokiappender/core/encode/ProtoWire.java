package io.github.lokiappender.core.encode;

/**
 * The few protobuf wire-format primitives the push encoder needs, writing straight into a byte
 * array whose room the caller has already ensured. Sizes are computed exactly beforehand, so no
 * bounds checks happen here beyond the JVM's own.
 */
final class ProtoWire {

    /** Wire type 0: varint. */
    static final int VARINT = 0;
    /** Wire type 2: length-delimited (strings, embedded messages). */
    static final int LEN = 2;

    private ProtoWire() {
    }

    /** The single-byte tag of a field numbered below 16. */
    static byte tag(int field, int wireType) {
        return (byte) (field << 3 | wireType);
    }

    /** Bytes of {@code v} as a varint; negative values take 10, as for any int64 on the wire. */
    static int varintSize(long v) {
        if (v < 0) {
            return 10;
        }
        int n = 1;
        while (v >= 0x80) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Bytes of a length-delimited field with a one-byte tag and {@code len} bytes of payload. */
    static int lenFieldSize(int len) {
        return 1 + varintSize(len) + len;
    }

    /** Writes {@code v} as a varint at {@code p}; returns the position after it. */
    static int writeVarint(byte[] b, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    /**
     * Writes {@code s} as UTF-8 at {@code p}, each lone surrogate as U+FFFD (EF BF BD), which is
     * exactly {@link Utf8#length(CharSequence)} bytes; returns the position after it.
     */
    static int writeUtf8(byte[] b, int p, String s) {
        int n = s.length();
        int i = 0;
        // most log text is ASCII: copy it with the cheapest loop before handling the rest
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            b[p++] = (byte) c;
            i++;
        }
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
}
