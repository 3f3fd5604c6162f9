package io.github.lokiappender.core.encode;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array used as the target of every encoder, kept between batches so that
 * encoding a request does not allocate once the array has reached its working size.
 */
public final class ByteSink extends OutputStream {

    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    @Override
    public void write(int b) {
        ensure(size + 1);
        buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(size + len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** Makes room for {@code capacity} bytes in total. */
    public void ensure(int capacity) {
        if (capacity > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
        }
    }

    public void reset() {
        size = 0;
    }

    /** Forgets the array (for example when a request that still reads it was abandoned). */
    public void detach() {
        buf = new byte[buf.length];
        size = 0;
    }

    /** The backing array; valid up to {@link #size()} until the next write or reset. */
    public byte[] array() {
        return buf;
    }

    public int size() {
        return size;
    }

    /** Sets the size after writing directly into {@link #array()}. */
    public void size(int newSize) {
        if (newSize < 0 || newSize > buf.length) {
            throw new IllegalArgumentException("size " + newSize + " outside 0.." + buf.length);
        }
        size = newSize;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
