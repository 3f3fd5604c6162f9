package io.github.lokiappender.core.encode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Snappy block format (no framing), which Loki requires for protobuf pushes: the uncompressed
 * length as a varint, then literals and back-references ("copies").
 *
 * <p>The library's own compressor, written for the JDK alone: multi-byte reads go through
 * {@link VarHandle}s, never {@code sun.misc.Unsafe} (which JDK 24+ warns about at run time and a
 * later JDK removes), so it runs on every JVM from 11 on and every byte order, and gives the same
 * bytes everywhere. The algorithm is Snappy's usual one but for the shortest copy (five bytes, see
 * {@link #MIN_MATCH}): the input in blocks of 64 KiB (so every copy's distance fits two bytes), a
 * hash table of the sequences seen per block, and faster skipping while no match turns up
 * (incompressible data costs little). The table and the output array are
 * kept between batches.
 *
 * <p>Short literals and the first 16 bytes of a match are handled without a loop: the JIT's set-up
 * of a loop costs more than its one or two rounds here (measured with {@code SnappyBenchmark}).
 */
final class SnappyBlockCompressor {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Copies reach back at most this far, so that their distance fits the two-byte form. */
    static final int BLOCK_SIZE = 1 << 16;
    /**
     * The hash table has 2^14 entries: 32 KiB of shorts, small enough for the L1 cache, and a
     * constant size, which the JIT compiles into a cheaper hash than a size chosen per block.
     */
    private static final int TABLE_BITS = 14;
    /**
     * Matching stops this far before a block's end, so that every 8-byte read of the main loop
     * (match lengths, literals copied 8 bytes at a time) stays inside the block.
     */
    private static final int INPUT_MARGIN = 15;
    /**
     * The shortest copy looked for. Five rather than Snappy's usual four: a 4-byte copy saves at
     * most two bytes, and in log lines (numbers, ids) such chance matches are common, each costing
     * a lookup, a match length and a copy. With five the output was within 0.1% or smaller on the
     * texts measured (logs, source code, prose) and compression 5% faster (SnappyBenchmark); six
     * and more were faster still but up to 16% larger on source code and prose.
     */
    private static final int MIN_MATCH = 5;
    /** Shifting a little-endian word left by this keeps its first {@link #MIN_MATCH} bytes only. */
    private static final int BEYOND_MIN_MATCH = 64 - 8 * MIN_MATCH;

    /** Positions in the current block (as unsigned 16-bit values) by hash of the 5 bytes there. */
    private final short[] table = new short[1 << TABLE_BITS];
    private final ByteSink out = new ByteSink(16 * 1024);
    /** The uncompressed length announced by {@link #begin}, and how much of it was given so far. */
    private int expected;
    private int appended;

    /**
     * The largest output for {@code len} input bytes: in the worst case a one-byte literal before a
     * short copy turns 6 input bytes into 7, plus the length preamble and room for the 8-byte
     * literal copies to write past their end.
     */
    static int maxCompressedLength(int len) {
        return 32 + len + len / 6;
    }

    /** Compresses {@code len} bytes of {@code in}; the result is valid until the next call. */
    ByteSink compress(byte[] in, int off, int len) {
        begin(len);
        append(in, off, len);
        return finish();
    }

    /**
     * Starts a body of {@code totalLen} uncompressed bytes that are given in pieces to
     * {@link #append}: an encoder can compress each piece right after writing it, while it is still
     * in the CPU's cache.
     */
    void begin(int totalLen) {
        if (totalLen < 0) {
            throw new IllegalArgumentException("negative length " + totalLen);
        }
        out.reset();
        out.ensure(5); // the length; append makes room for each piece's worst case as it comes
        out.size(ProtoWire.writeVarint(out.array(), 0, totalLen));
        expected = totalLen;
        appended = 0;
    }

    /** Compresses the next piece; copies reach back within a piece only, at most 64 KiB. */
    void append(byte[] in, int off, int len) {
        if (off < 0 || len < 0 || off > in.length - len) {
            throw new IndexOutOfBoundsException("range " + off + "+" + len + " outside an array of " + in.length);
        }
        if (len > expected - appended) {
            throw new IllegalStateException("more than the " + expected + " bytes announced");
        }
        appended += len;
        int op = out.size();
        out.ensure(op + maxCompressedLength(len));
        byte[] o = out.array();
        int end = off + len;
        for (int block = off; block < end; block += BLOCK_SIZE) {
            int limit = Math.min(end, block + BLOCK_SIZE);
            int nextEmit = block;
            if (limit - block > INPUT_MARGIN) {
                long r = compressBlock(in, block, limit, o, op, table);
                op = (int) r;
                nextEmit = (int) (r >>> 32);
            }
            // here rather than in the compiled loop: a block ending in a copy is rare, see copy()
            if (nextEmit < limit) {
                op = tailLiteral(o, op, in, nextEmit, limit - nextEmit);
            }
        }
        out.size(op);
    }

    /** The body; valid until the next {@link #begin}. */
    ByteSink finish() {
        if (appended != expected) {
            throw new IllegalStateException(appended + " bytes given of the " + expected + " announced");
        }
        return out;
    }

    /** Stops reusing the output array (an abandoned request may still read it). */
    void detach() {
        out.detach();
    }

    /**
     * Writes the block {@code in[base, limit)}, longer than {@link #INPUT_MARGIN}, at {@code op} but
     * for its tail literal; returns where the output and the tail start, as
     * {@code tail << 32 | output}.
     */
    private static long compressBlock(byte[] in, int base, int limit, byte[] o, int op, short[] t) {
        int nextEmit = base;
        Arrays.fill(t, (short) 0); // 0 = the block's start: at worst a candidate that does not match
        int ipLimit = limit - INPUT_MARGIN;
        int ip = base + 1;
        search:
        for (;;) {
            // Look for 5 bytes seen before; after 32 misses look at every 2nd byte, after 64 every 3rd, ...
            int skip = 32;
            int candidate;
            for (;;) {
                long current = (long) LONG.get(in, ip);
                int h = hash(current);
                candidate = base + (t[h] & 0xFFFF);
                t[h] = (short) (ip - base);
                // candidate < ip: the table holds earlier positions only
                if (((current ^ (long) LONG.get(in, candidate)) << BEYOND_MIN_MATCH) == 0) {
                    break;
                }
                ip += skip++ >>> 5;
                if (ip > ipLimit) {
                    break search;
                }
            }
            op = literal(o, op, in, nextEmit, ip - nextEmit);
            // Copies, as long as the bytes right after one continue somewhere seen before. Unlike
            // the reference, the position before a copy's end is not added to the table: 4% less
            // time for 0.1-0.2% more output on log lines.
            for (;;) {
                int matched = MIN_MATCH + matchLength(in, candidate + MIN_MATCH, ip + MIN_MATCH, limit);
                op = copy(o, op, ip - candidate, matched);
                ip += matched;
                nextEmit = ip;
                if (ip >= ipLimit) {
                    break search;
                }
                long current = (long) LONG.get(in, ip);
                int h = hash(current);
                candidate = base + (t[h] & 0xFFFF);
                t[h] = (short) (ip - base);
                if (((current ^ (long) LONG.get(in, candidate)) << BEYOND_MIN_MATCH) != 0) {
                    break;
                }
            }
            ip++;
        }
        return (long) nextEmit << 32 | op;
    }

    /**
     * The table slot of the {@link #MIN_MATCH} bytes that start {@code eightBytes} (read
     * little-endian): a multiplicative hash of them, its top bits.
     */
    private static int hash(long eightBytes) {
        return (int) ((eightBytes << BEYOND_MIN_MATCH) * 0x9E3779B97F4A7C15L >>> (64 - TABLE_BITS));
    }

    /** How many bytes from {@code a} equal those from {@code b}, up to {@code limit} ({@code a < b}). */
    private static int matchLength(byte[] in, int a, int b, int limit) {
        int start = b;
        if (b <= limit - 16) { // the first 16 bytes without a loop: most matches end there
            long diff = (long) LONG.get(in, a) ^ (long) LONG.get(in, b);
            if (diff != 0) {
                return Long.numberOfTrailingZeros(diff) >>> 3;
            }
            diff = (long) LONG.get(in, a + 8) ^ (long) LONG.get(in, b + 8);
            if (diff != 0) {
                return 8 + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            a += 16;
            b += 16;
        }
        while (b <= limit - 8) {
            long diff = (long) LONG.get(in, a) ^ (long) LONG.get(in, b);
            if (diff != 0) {
                return b - start + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            a += 8;
            b += 8;
        }
        while (b < limit && in[a] == in[b]) {
            a++;
            b++;
        }
        return b - start;
    }

    /**
     * A literal inside the main loop: its source has at least {@link #INPUT_MARGIN} readable bytes
     * after it and the output has slack, so short literals are copied 8 bytes at a time.
     */
    private static int literal(byte[] o, int op, byte[] in, int from, int len) {
        if (len > 60) {
            return tailLiteral(o, op, in, from, len);
        }
        o[op] = (byte) ((len - 1) << 2);
        // most literals between copies are a few bytes: one 8-byte move, no loop to set up
        LONG.set(o, op + 1, (long) LONG.get(in, from));
        if (len > 8) {
            System.arraycopy(in, from + 8, o, op + 9, len - 8);
        }
        return op + 1 + len;
    }

    /** A literal of any length, copied exactly. */
    private static int tailLiteral(byte[] o, int op, byte[] in, int from, int len) {
        int n = len - 1;
        if (n < 60) {
            o[op++] = (byte) (n << 2);
        } else if (n < 1 << 8) {
            o[op++] = (byte) (60 << 2);
            o[op++] = (byte) n;
        } else if (n < 1 << 16) {
            o[op++] = (byte) (61 << 2);
            o[op++] = (byte) n;
            o[op++] = (byte) (n >>> 8);
        } else if (n < 1 << 24) {
            o[op++] = (byte) (62 << 2);
            o[op++] = (byte) n;
            o[op++] = (byte) (n >>> 8);
            o[op++] = (byte) (n >>> 16);
        } else {
            o[op++] = (byte) (63 << 2);
            o[op++] = (byte) n;
            o[op++] = (byte) (n >>> 8);
            o[op++] = (byte) (n >>> 16);
            o[op++] = (byte) (n >>> 24);
        }
        System.arraycopy(in, from, o, op, len);
        return op + len;
    }

    /**
     * A copy of {@code len} bytes from {@code distance} back, as copies of at most 64 bytes: 64 at
     * a time, or 60 when 65 to 67 are left, so that the last keeps at least 4, the shortest a copy
     * can be. The choice is arithmetic rather than a branch: C2 compiles a branch that its profile
     * never saw taken as a trap, and the first 65-byte rest would then throw the whole compiled
     * loop back to the interpreter.
     */
    private static int copy(byte[] o, int op, int distance, int len) {
        while (len > 64) {
            int piece = 64 + ((len - 68) >> 31) * 4; // 60 below 68
            op = shortCopy(o, op, distance, piece);
            len -= piece;
        }
        return shortCopy(o, op, distance, len);
    }

    /** One copy of 4 to 64 bytes: two bytes when it is short and near, else three. */
    private static int shortCopy(byte[] o, int op, int distance, int len) {
        if (len < 12 && distance < 2048) {
            o[op] = (byte) (1 | (len - 4) << 2 | (distance >>> 8) << 5);
            o[op + 1] = (byte) distance;
            return op + 2;
        }
        o[op] = (byte) (2 | (len - 1) << 2);
        o[op + 1] = (byte) distance;
        o[op + 2] = (byte) (distance >>> 8);
        return op + 3;
    }
}
