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
        return Utf8.encode(s, 0, s.length(), b, p);
    }
}
