package io.github.lokiappender.testsupport;

import java.io.ByteArrayOutputStream;

/** Test-only Snappy block encoder that emits literals only (valid Snappy, no compression). */
final class TestSnappy {
    private TestSnappy() {
    }

    static byte[] literalOnly(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, data.length);
        int pos = 0;
        while (pos < data.length) {
            int n = Math.min(65536, data.length - pos);
            literalTag(out, n);
            out.write(data, pos, n);
            pos += n;
        }
        return out.toByteArray();
    }

    static void literalTag(ByteArrayOutputStream out, int length) {
        int m = length - 1;
        if (m < 60) {
            out.write(m << 2);
        } else if (m < 256) {
            out.write(60 << 2);
            out.write(m);
        } else {
            out.write(61 << 2);
            out.write(m & 0xFF);
            out.write(m >>> 8);
        }
    }

    /** Copy with a 2-byte offset: length 1..64, offset up to 65535. */
    static void copy2(ByteArrayOutputStream out, int length, int offset) {
        out.write(((length - 1) << 2) | 2);
        out.write(offset & 0xFF);
        out.write(offset >>> 8);
    }

    static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
