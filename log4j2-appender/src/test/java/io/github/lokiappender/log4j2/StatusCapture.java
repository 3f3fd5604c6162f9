package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.status.StatusData;
import org.apache.logging.log4j.status.StatusListener;
import org.apache.logging.log4j.status.StatusLogger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Records what Log4j2's StatusLogger reports while open. */
final class StatusCapture implements StatusListener, AutoCloseable {

    private final Level level;
    private final List<StatusData> seen = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private StatusCapture(Level level) {
        this.level = level;
    }

    static StatusCapture open(Level level) {
        StatusCapture c = new StatusCapture(level);
        StatusLogger.getLogger().registerListener(c);
        return c;
    }

    @Override
    public void log(StatusData data) {
        seen.add(data);
    }

    @Override
    public Level getStatusLevel() {
        return level;
    }

    /** Formatted messages at exactly {@code at}. */
    List<String> messages(Level at) {
        List<String> out = new ArrayList<>();
        for (StatusData d : seen) {
            if (d.getLevel() == at) {
                out.add(d.getMessage().getFormattedMessage());
            }
        }
        return out;
    }

    /** Formatted messages of the Loki appender (they all start with "Loki appender") at {@code at}. */
    List<String> lokiMessages(Level at) {
        List<String> out = new ArrayList<>();
        for (String m : messages(at)) {
            if (m.startsWith("Loki appender")) {
                out.add(m);
            }
        }
        return out;
    }

    /** Unregisters (StatusLogger calls back into close() when removing a listener). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            StatusLogger.getLogger().removeListener(this);
        }
    }
}
