package io.github.lokiappender.core.encode;

import io.airlift.compress.snappy.SnappyCompressor;

/**
 * Snappy block format (no framing), which Loki requires for protobuf pushes, via aircompressor's
 * pure-Java compressor: no native library to extract or load, same bytes on every platform. The
 * compressor's hash table and the output array are reused between batches.
 */
final class SnappyBlockCompressor {

    private final SnappyCompressor compressor = new SnappyCompressor();
    private final ByteSink out = new ByteSink(16 * 1024);

    /** Compresses {@code len} bytes of {@code in}; the result is valid until the next call. */
    ByteSink compress(byte[] in, int off, int len) {
        int max = compressor.maxCompressedLength(len);
        out.reset();
        out.ensure(max);
        int n = compressor.compress(in, off, len, out.array(), 0, max);
        out.size(n);
        return out;
    }

    /** Stops reusing the output array (an abandoned request may still read it). */
    void detach() {
        out.detach();
    }
}
