package io.github.lokiappender.core.encode;

import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream (RFC 1952) into a reusable {@link ByteSink}, with one {@link Deflater} and one
 * {@link CRC32} kept for the life of the encoder: {@link #start(int)} rewinds all three, so
 * compressing a batch allocates nothing once the array has grown to its working size.
 * {@link #close()} does nothing (JSON generators close their target); {@link #finish()} ends
 * the member.
 */
final class GzipOutput extends OutputStream {

    private static final int MIN_ROOM = 8 * 1024;
    /** Magic, CM=deflate, no flags, MTIME=0 (none), XFL=0, OS=255 (unknown). */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final ByteSink out = new ByteSink(16 * 1024);
    private final byte[] one = new byte[1];
    private long inputBytes;

    /** @param level 1 (fastest) to 9 (smallest), or {@link Deflater#DEFAULT_COMPRESSION} (6) */
    GzipOutput(int level) {
        deflater = new Deflater(level, true); // raw deflate: the gzip framing is written here
    }

    /** Frees the deflater's native memory; the stream is unusable afterwards. */
    void end() {
        deflater.end();
    }

    /**
     * Begins a new member at {@code memberLevel} (0 = stored: valid gzip, not compressed),
     * discarding what the sink held.
     */
    void start(int memberLevel) {
        deflater.reset();
        deflater.setLevel(memberLevel); // applied by the first deflate call; nothing when unchanged
        crc.reset();
        inputBytes = 0;
        out.reset();
        out.write(HEADER, 0, HEADER.length);
    }

    @Override
    public void write(int b) {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        crc.update(b, off, len);
        inputBytes += len;
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
            deflateSome();
        }
    }

    /** Ends the member (deflate end, CRC-32, size mod 2^32) and returns the whole body. */
    ByteSink finish() {
        deflater.finish();
        while (!deflater.finished()) {
            deflateSome();
        }
        writeIntLe((int) crc.getValue());
        writeIntLe((int) inputBytes);
        return out;
    }

    /** Stops reusing the output array (an abandoned request may still read it). */
    void detach() {
        out.detach();
    }

    @Override
    public void flush() {
        // nothing: the body is sent only after finish()
    }

    @Override
    public void close() {
        // nothing: the deflater lives as long as the encoder
    }

    private void deflateSome() {
        out.ensure(out.size() + MIN_ROOM);
        byte[] b = out.array();
        int n = deflater.deflate(b, out.size(), b.length - out.size(), Deflater.NO_FLUSH);
        out.size(out.size() + n);
    }

    private void writeIntLe(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
