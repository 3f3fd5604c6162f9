package io.github.lokiappender.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-rolled protobuf writer for building logproto.PushRequest bodies in tests. */
final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
        TestSnappy.writeVarint(out, (long) field << 3);
        TestSnappy.writeVarint(out, value);
        return this;
    }

    Proto bytes(int field, byte[] value) {
        TestSnappy.writeVarint(out, ((long) field << 3) | 2);
        TestSnappy.writeVarint(out, value.length);
        out.write(value, 0, value.length);
        return this;
    }

    Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto message) {
        return bytes(field, message.toByteArray());
    }

    Proto fixed32(int field, int value) {
        TestSnappy.writeVarint(out, ((long) field << 3) | 5);
        for (int i = 0; i < 4; i++) {
            out.write(value >>> (8 * i));
        }
        return this;
    }

    Proto fixed64(int field, long value) {
        TestSnappy.writeVarint(out, ((long) field << 3) | 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** EntryAdapter{timestamp=1, line=2, structuredMetadata=3 (name/value pairs)}. */
    static Proto entry(long seconds, int nanos, String line, String... metadata) {
        Proto ts = new Proto().varint(1, seconds).varint(2, nanos);
        Proto e = new Proto().message(1, ts).string(2, line);
        for (int i = 0; i < metadata.length; i += 2) {
            e.message(3, new Proto().string(1, metadata[i]).string(2, metadata[i + 1]));
        }
        return e;
    }

    /** StreamAdapter{labels=1, entries=2}. */
    static Proto stream(String labels, Proto... entries) {
        Proto s = new Proto().string(1, labels);
        for (Proto e : entries) {
            s.message(2, e);
        }
        return s;
    }

    /** PushRequest{streams=1}, serialized. */
    static byte[] push(Proto... streams) {
        Proto p = new Proto();
        for (Proto s : streams) {
            p.message(1, s);
        }
        return p.toByteArray();
    }
}
