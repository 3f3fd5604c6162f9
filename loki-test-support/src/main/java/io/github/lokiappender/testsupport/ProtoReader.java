package io.github.lokiappender.testsupport;

import java.nio.charset.StandardCharsets;

/** Minimal reader for the protobuf wire format over a byte range, with bounds checks everywhere. */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int end;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    boolean hasMore() {
        return pos < end;
    }

    /** Returns the raw key: field number in the high bits, wire type in the low three. */
    int readTag() {
        long key = readVarint();
        if (key >>> 3 == 0 || key >>> 3 > 0x1FFFFFFF) {
            throw corrupt("invalid field number " + (key >>> 3));
        }
        return (int) key;
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw corrupt("truncated varint");
            }
            int b = buf[pos++] & 0xFF;
            if (shift == 63 && b > 1) {
                throw corrupt("varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        throw corrupt("varint overflows 64 bits");
    }

    ProtoReader readMessage() {
        int len = readLength();
        ProtoReader sub = new ProtoReader(buf, pos, pos + len);
        pos += len;
        return sub;
    }

    String readString() {
        int len = readLength();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    void skipField(int tag) {
        int type = wireType(tag);
        switch (type) {
            case VARINT:
                readVarint();
                break;
            case FIXED64:
                advance(8);
                break;
            case LENGTH_DELIMITED:
                advance(readLength());
                break;
            case FIXED32:
                advance(4);
                break;
            default:
                // Groups (3/4) are long deprecated and never appear in Loki's messages.
                throw corrupt("unsupported wire type " + type + " for field " + fieldNumber(tag));
        }
    }

    /** Fails unless the field carries the wire type the schema says it should. */
    void expect(int tag, int wantedType) {
        if (wireType(tag) != wantedType) {
            throw corrupt("field " + fieldNumber(tag) + " has wire type " + wireType(tag) + ", expected " + wantedType);
        }
    }

    private int readLength() {
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw corrupt("length " + len + " runs past the end of the message");
        }
        return (int) len;
    }

    private void advance(int n) {
        if (n > end - pos) {
            throw corrupt("field runs past the end of the message");
        }
        pos += n;
    }

    private static IllegalArgumentException corrupt(String message) {
        return new IllegalArgumentException("proto: " + message);
    }
}
