package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.encode.Utf8Scratch;
import org.apache.logging.log4j.core.util.Constants;

/**
 * Reusable per-thread text buffers for the caller path, so that steady-state logging formats
 * into the same builders instead of allocating new ones. Holds no reference to an appender (no
 * leak across reconfigurations). Honours Log4j2's {@code log4j2.enableThreadlocals} (off in web
 * applications), in which case every event gets fresh buffers.
 */
final class Scratch {

    /** Builders that grew past this (one huge line) are replaced rather than kept per thread. */
    static final int MAX_RETAINED_CHARS = 16 * 1024;

    private static final ThreadLocal<Scratch> LOCAL = Constants.ENABLE_THREADLOCALS ? new ThreadLocal<>() : null;

    final StringBuilder line = new StringBuilder(512);
    final StringBuilder key = new StringBuilder(128);
    /**
     * The line's UTF-8 bytes on their way into the buffer (keeps its arrays below 16 Ki chars
     * itself); null without thread-locals, where a scratch would be made per event: the buffer's
     * own per-thread arrays (JDK arrays, nothing of this library held by the thread) serve then.
     */
    final Utf8Scratch utf8 = LOCAL == null ? null : new Utf8Scratch();
    private boolean inUse;

    private Scratch() {
    }

    static Scratch acquire() {
        if (LOCAL == null) {
            return new Scratch();
        }
        Scratch s = LOCAL.get();
        if (s == null) {
            s = new Scratch();
            LOCAL.set(s);
        } else if (s.inUse) {
            return new Scratch(); // re-entered from a converter that logs: do not clobber the outer event
        }
        s.inUse = true;
        return s;
    }

    void release() {
        inUse = false;
        if (LOCAL != null && (line.capacity() > MAX_RETAINED_CHARS || key.capacity() > MAX_RETAINED_CHARS)) {
            LOCAL.remove();
        }
    }
}
