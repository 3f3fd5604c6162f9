package io.github.lokiappender.core.encode;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reused arrays that turn one line at a time into UTF-8, for a logging thread: one per thread, not
 * thread-safe. An adapter that keeps per-thread state of its own holds one there and passes it
 * with each event, which spares the buffer a {@code ThreadLocal} lookup (on an application thread
 * the framework's many thread-locals make misses in that map common).
 *
 * <p>The characters are first copied in bulk ({@code getChars} of a {@code String} or
 * {@code StringBuilder}: an intrinsic for Latin-1 text) and then narrowed to bytes by the JDK's
 * US-ASCII encoder, whose array loop is an intrinsic that works on many characters at a time
 * (about 16 ns for a 95-character line with the copy, against 38 for a plain narrowing loop, on
 * JDK 17 and 25). It stops at the first non-ASCII character; the rest is encoded here. Arrays that
 * grew past {@link #MAX_KEPT_CHARS} for one long line are not kept (such a line takes the plain loop).
 *
 * <p>The state is an {@code Object[]} of JDK objects (arrays, the encoder and buffers over the
 * arrays), so that a holder that must not keep this
 * library's classes reachable from a thread (a {@code ThreadLocal} on a container's thread would
 * pin a web application's class loader) can keep {@link #newState()} instead and call
 * {@link #encode(CharSequence, Object[])}.
 */
public final class Utf8Scratch {

    /** Arrays are kept up to this many chars (and bytes); a longer line gets arrays of its own. */
    public static final int MAX_KEPT_CHARS = 16 * 1024;

    private static final int CHARS = 0;
    private static final int BYTES = 1;
    private static final int RESULT = 2;
    private static final int ASCII = 3;
    private static final int CHAR_BUFFER = 4;
    private static final int BYTE_BUFFER = 5;

    private final Object[] state = newState();

    /**
     * Fresh state for {@link #encode(CharSequence, Object[])}: kept chars, kept bytes, last result,
     * a US-ASCII encoder and buffers over the kept arrays.
     */
    public static Object[] newState() {
        char[] chars = new char[256];
        byte[] bytes = new byte[256];
        return new Object[]{chars, bytes, null, StandardCharsets.US_ASCII.newEncoder(),
                CharBuffer.wrap(chars), ByteBuffer.wrap(bytes)};
    }

    /**
     * Encodes {@code s} (lone surrogates as U+FFFD) into {@link #bytes()} and returns its UTF-8
     * length. The bytes are valid until {@link #release()} or the next call.
     */
    public int encode(CharSequence s) {
        return encode(s, state);
    }

    /** The UTF-8 bytes of the line encoded last, from index 0, until {@link #release()}. */
    public byte[] bytes() {
        return bytes(state);
    }

    /** The bytes were copied: an array made for one long line is not held on to. */
    public void release() {
        state[RESULT] = null;
    }

    /** As {@link #encode(CharSequence)} on state made by {@link #newState()}. */
    public static int encode(CharSequence s, Object[] state) {
        int n = s.length();
        char[] kept = (char[]) state[CHARS];
        char[] c = n <= kept.length ? kept : new char[n];
        if (s instanceof String) {
            ((String) s).getChars(0, n, c, 0);
        } else if (s instanceof StringBuilder) {
            ((StringBuilder) s).getChars(0, n, c, 0);
        } else {
            for (int i = 0; i < n; i++) {
                c[i] = s.charAt(i);
            }
        }
        byte[] keptBytes = (byte[]) state[BYTES];
        byte[] b = n <= keptBytes.length ? keptBytes : new byte[n + (n >> 2)];
        int i;
        if (c == kept && b == keptBytes) {
            i = narrowAscii(n, state);
        } else {
            // a long line: one plain loop over arrays of its own
            i = 0;
            while (i < n && c[i] < 0x80) {
                b[i] = (byte) c[i];
                i++;
            }
        }
        int length = i;
        if (i < n) {
            int needed = i + Utf8.length(s, i, n);
            if (b.length < needed) {
                b = Arrays.copyOf(b, needed + (needed >> 2));
            }
            length = Utf8.encode(s, i, n, b, i);
        }
        if (c != kept && c.length <= MAX_KEPT_CHARS) {
            state[CHARS] = c;
            state[CHAR_BUFFER] = CharBuffer.wrap(c);
        }
        if (b != keptBytes && b.length <= MAX_KEPT_CHARS) {
            state[BYTES] = b;
            state[BYTE_BUFFER] = ByteBuffer.wrap(b);
        }
        state[RESULT] = b;
        return length;
    }

    /**
     * Narrows the first {@code n} kept chars to the kept bytes up to the first non-ASCII one;
     * returns how many were narrowed.
     */
    private static int narrowAscii(int n, Object[] state) {
        CharBuffer in = (CharBuffer) state[CHAR_BUFFER];
        ByteBuffer out = (ByteBuffer) state[BYTE_BUFFER];
        CharsetEncoder ascii = (CharsetEncoder) state[ASCII];
        in.limit(n);
        in.position(0);
        out.clear();
        ascii.reset();
        // stops at the first char it cannot map (non-ASCII, or a surrogate) with both positions on it;
        // the output has room for all n
        ascii.encode(in, out, true);
        return in.position();
    }

    /** The bytes {@link #encode(CharSequence, Object[])} wrote last into {@code state}. */
    public static byte[] bytes(Object[] state) {
        return (byte[]) state[RESULT];
    }

    /** As {@link #release()} on state made by {@link #newState()}. */
    public static void release(Object[] state) {
        state[RESULT] = null;
    }
}
