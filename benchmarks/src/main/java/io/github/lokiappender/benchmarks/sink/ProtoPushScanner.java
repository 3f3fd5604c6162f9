package io.github.lokiappender.benchmarks.sink;

/**
 * Walks a Loki protobuf {@code PushRequest} (after Snappy) without building strings: streams (field
 * 1), their entries (field 2) with the {@code Timestamp} (field 1: seconds, nanos), the line (2) and
 * structured metadata (3). Checks every length against its enclosing message.
 */
final class ProtoPushScanner {

    private final byte[] b;
    private int p;

    private ProtoPushScanner(byte[] b, int off) {
        this.b = b;
        this.p = off;
    }

    /** @throws IllegalArgumentException if the message is truncated or malformed */
    static void scan(byte[] body, int off, int len, Tally tally) {
        ProtoPushScanner s = new ProtoPushScanner(body, off);
        int end = off + len;
        while (s.p < end) {
            int tag = (int) s.varint(end);
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                int msgEnd = s.lengthEnd(end);
                s.stream(msgEnd, tally);
            } else {
                s.skip(tag, end);
            }
        }
    }

    private void stream(int end, Tally t) {
        t.stream();
        boolean labels = false;
        while (p < end) {
            int tag = (int) varint(end);
            int field = tag >>> 3;
            if (field == 2 && (tag & 7) == 2) {
                entry(lengthEnd(end), t);
            } else {
                if (field == 1) {
                    labels = true;
                }
                skip(tag, end);
            }
        }
        if (!labels) {
            throw error("stream without labels");
        }
    }

    private void entry(int end, Tally t) {
        long seconds = 0;
        long nanos = 0;
        while (p < end) {
            int tag = (int) varint(end);
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                int tsEnd = lengthEnd(end);
                while (p < tsEnd) {
                    int tsTag = (int) varint(tsEnd);
                    if (tsTag == (1 << 3)) {
                        seconds = varint(tsEnd);
                    } else if (tsTag == (2 << 3)) {
                        nanos = (int) varint(tsEnd); // int32: a negative value is a sign-extended varint
                    } else {
                        skip(tsTag, tsEnd);
                    }
                }
            } else {
                skip(tag, end);
            }
        }
        t.entry(seconds * 1_000_000_000L + nanos);
    }

    private int lengthEnd(int end) {
        long len = varint(end);
        if (len < 0 || len > end - p) {
            throw error("length " + len + " past the end of its message");
        }
        return p + (int) len;
    }

    private void skip(int tag, int end) {
        switch (tag & 7) {
            case 0:
                varint(end);
                break;
            case 1:
                advance(8, end);
                break;
            case 2:
                p = lengthEnd(end);
                break;
            case 5:
                advance(4, end);
                break;
            default:
                throw error("wire type " + (tag & 7));
        }
    }

    private void advance(int n, int end) {
        if (end - p < n) {
            throw error("truncated");
        }
        p += n;
    }

    private long varint(int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                throw error("truncated varint");
            }
            byte x = b[p++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw error("varint too long");
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid protobuf push body at byte " + p + ": " + what);
    }
}
