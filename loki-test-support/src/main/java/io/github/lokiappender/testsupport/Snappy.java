package io.github.lokiappender.testsupport;

/**
 * Decoder for the Snappy block format (no framing), which is what Loki expects for protobuf pushes.
 * Every length and offset is checked so that corrupted input fails with a clear message instead of
 * reading out of bounds or allocating unbounded memory.
 */
public final class Snappy {
    /** Upper bound for a declared uncompressed size; far above anything a test should send. */
    static final int MAX_UNCOMPRESSED = 256 * 1024 * 1024;

    /** The best ratio the format can reach: a 3-byte copy tag producing 64 bytes. */
    private static final int MAX_EXPANSION = 22;

    private Snappy() {
    }

    /** Thrown for any input that is not a valid Snappy block. */
    public static final class CorruptInputException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        CorruptInputException(String message) {
            super("snappy: corrupt input: " + message);
        }
    }

    public static byte[] uncompress(byte[] input) {
        return uncompress(input, 0, input.length);
    }

    public static byte[] uncompress(byte[] in, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > in.length) {
            throw new IndexOutOfBoundsException("offset/length outside the array");
        }
        int pos = offset;
        final int end = offset + length;

        // Preamble: uncompressed length as a little-endian base-128 varint of at most 32 bits.
        long declared = 0;
        for (int shift = 0;; shift += 7) {
            if (pos >= end) {
                throw new CorruptInputException("truncated length preamble");
            }
            int b = in[pos++] & 0xFF;
            if (shift == 28 && b > 0x0F) {
                throw new CorruptInputException("length preamble exceeds 32 bits");
            }
            declared |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                break;
            }
        }
        if (declared > MAX_UNCOMPRESSED) {
            throw new CorruptInputException("declared length " + declared + " exceeds limit " + MAX_UNCOMPRESSED);
        }
        if (declared > (long) (end - pos) * MAX_EXPANSION) {
            throw new CorruptInputException("declared length " + declared + " is impossible for "
                    + (end - pos) + " bytes of compressed data");
        }

        byte[] out = new byte[(int) declared];
        int op = 0;
        while (pos < end) {
            int tag = in[pos++] & 0xFF;
            int kind = tag & 3;
            if (kind == 0) {
                long literal = tag >>> 2;
                if (literal >= 60) {
                    int extra = (int) literal - 59;
                    if (end - pos < extra) {
                        throw new CorruptInputException("truncated literal length");
                    }
                    literal = 0;
                    for (int i = 0; i < extra; i++) {
                        literal |= (long) (in[pos + i] & 0xFF) << (8 * i);
                    }
                    pos += extra;
                }
                literal += 1;
                if (literal > end - pos) {
                    throw new CorruptInputException("literal of " + literal + " bytes runs past the end of input");
                }
                if (literal > out.length - op) {
                    throw new CorruptInputException("literal overflows the declared length " + out.length);
                }
                System.arraycopy(in, pos, out, op, (int) literal);
                pos += (int) literal;
                op += (int) literal;
                continue;
            }
            int copyLength;
            long copyOffset;
            if (kind == 1) {
                if (end - pos < 1) {
                    throw new CorruptInputException("truncated 1-byte-offset copy");
                }
                copyLength = 4 + ((tag >>> 2) & 0x7);
                copyOffset = ((tag >>> 5) << 8) | (in[pos++] & 0xFF);
            } else if (kind == 2) {
                if (end - pos < 2) {
                    throw new CorruptInputException("truncated 2-byte-offset copy");
                }
                copyLength = 1 + (tag >>> 2);
                copyOffset = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
                pos += 2;
            } else {
                if (end - pos < 4) {
                    throw new CorruptInputException("truncated 4-byte-offset copy");
                }
                copyLength = 1 + (tag >>> 2);
                copyOffset = (in[pos] & 0xFFL) | (in[pos + 1] & 0xFFL) << 8
                        | (in[pos + 2] & 0xFFL) << 16 | (in[pos + 3] & 0xFFL) << 24;
                pos += 4;
            }
            if (copyOffset == 0 || copyOffset > op) {
                throw new CorruptInputException("copy offset " + copyOffset + " outside the " + op
                        + " bytes produced so far");
            }
            if (copyLength > out.length - op) {
                throw new CorruptInputException("copy overflows the declared length " + out.length);
            }
            // Byte by byte on purpose: source and destination may overlap (run-length style copies).
            int from = op - (int) copyOffset;
            for (int i = 0; i < copyLength; i++) {
                out[op++] = out[from + i];
            }
        }
        if (op != out.length) {
            throw new CorruptInputException("produced " + op + " bytes but the preamble declared " + out.length);
        }
        return out;
    }
}
