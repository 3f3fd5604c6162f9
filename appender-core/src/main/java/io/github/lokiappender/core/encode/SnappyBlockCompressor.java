package io.github.lokiappender.core.encode;

import io.airlift.compress.snappy.SnappyCompressor;

/**
 * Snappy block format (no framing), which Loki requires for protobuf pushes, via aircompressor's
 * pure-Java compressor: no native library to extract or load, same bytes on every platform. The
 * compressor's hash table and the output array are reused between batches.
 *
 * <p>aircompressor 0.x needs {@code sun.misc.Unsafe} and a little-endian CPU. Where it cannot
 * run (a big-endian CPU, or a JVM started with {@code --sun-misc-unsafe-memory-access=deny}) the
 * body is written as Snappy literals only: still valid Snappy that Loki accepts, just not smaller.
 */
final class SnappyBlockCompressor {

    /** Largest literal chunk written by the fallback (fits the 2-byte length form). */
    private static final int LITERAL_CHUNK = 65536;

    private static final boolean LIBRARY_USABLE = probe();

    private final SnappyCompressor compressor = LIBRARY_USABLE ? new SnappyCompressor() : null;
    private final ByteSink out = new ByteSink(16 * 1024);

    /** True when bodies are really compressed; false when the library cannot run on this JVM. */
    static boolean compresses() {
        return LIBRARY_USABLE;
    }

    /** Compresses {@code len} bytes of {@code in}; the result is valid until the next call. */
    ByteSink compress(byte[] in, int off, int len) {
        if (compressor == null) {
            return writeLiterals(in, off, len);
        }
        out.reset();
        int max = compressor.maxCompressedLength(len);
        out.ensure(max);
        int n = compressor.compress(in, off, len, out.array(), 0, max);
        out.size(n);
        return out;
    }

    /** Stops reusing the output array (an abandoned request may still read it). */
    void detach() {
        out.detach();
    }

    /** Uncompressed Snappy: the length preamble, then the input as literal elements. */
    ByteSink writeLiterals(byte[] in, int off, int len) {
        out.reset();
        out.ensure(5 + len + 3 * (len / LITERAL_CHUNK + 1));
        byte[] b = out.array();
        int p = ProtoWire.writeVarint(b, 0, len);
        for (int done = 0; done < len; ) {
            int n = Math.min(LITERAL_CHUNK, len - done);
            int m = n - 1;
            if (m < 60) {
                b[p++] = (byte) (m << 2);
            } else if (m < 256) {
                b[p++] = (byte) (60 << 2);
                b[p++] = (byte) m;
            } else {
                b[p++] = (byte) (61 << 2);
                b[p++] = (byte) m;
                b[p++] = (byte) (m >>> 8);
            }
            System.arraycopy(in, off + done, b, p, n);
            p += n;
            done += n;
        }
        out.size(p);
        return out;
    }

    private static boolean probe() {
        try {
            SnappyCompressor c = new SnappyCompressor();
            byte[] in = new byte[64];
            byte[] o = new byte[c.maxCompressedLength(in.length)];
            return c.compress(in, 0, in.length, o, 0, o.length) > 0;
        } catch (RuntimeException | LinkageError e) {
            return false; // IncompatibleJvmException, or Unsafe access denied (ExceptionInInitializerError)
        }
    }
}
