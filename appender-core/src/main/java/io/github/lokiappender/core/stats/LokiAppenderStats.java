package io.github.lokiappender.core.stats;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Exposes an appender's counters over JMX. Registered under
 * {@code io.github.lokiappender:type=LokiAppender,name=<appender name>}; a second appender with
 * the same name (another logging context) gets {@code name=<name>-2}, and so on.
 */
public final class LokiAppenderStats implements LokiAppenderStatsMBean {

    private final Supplier<StatsSnapshot> stats;
    private ObjectName registeredAs;

    public LokiAppenderStats(Supplier<StatsSnapshot> stats) {
        this.stats = stats;
    }

    /**
     * Registers with the platform MBean server.
     *
     * @return the name used
     * @throws JMException if JMX refuses (the caller reports it; the appender works without JMX)
     */
    public synchronized ObjectName register(String appenderName) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String base = ObjectName.quote(appenderName);
        for (int i = 1; i < 1000; i++) {
            String n = i == 1 ? base : ObjectName.quote(appenderName + "-" + i);
            ObjectName name = new ObjectName("io.github.lokiappender:type=LokiAppender,name=" + n);
            try {
                server.registerMBean(this, name);
                registeredAs = name;
                return name;
            } catch (InstanceAlreadyExistsException taken) {
                // try the next suffix
            }
        }
        throw new JMException("no free MBean name for appender " + appenderName);
    }

    /** Removes the MBean if it was registered. Never throws. */
    public synchronized void unregister() {
        if (registeredAs == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredAs);
        } catch (JMException | RuntimeException ignored) {
            // already gone
        }
        registeredAs = null;
    }

    public synchronized ObjectName objectName() {
        return registeredAs;
    }

    @Override
    public long getEventsOffered() {
        return stats.get().offered();
    }

    @Override
    public long getEventsDelivered() {
        return stats.get().delivered();
    }

    @Override
    public long getEventsDropped() {
        return stats.get().droppedTotal();
    }

    @Override
    public long getEventsDroppedBufferFull() {
        return stats.get().dropped(DropReason.BUFFER_FULL);
    }

    @Override
    public long getEventsDroppedClosed() {
        return stats.get().dropped(DropReason.CLOSED);
    }

    @Override
    public long getEventsDroppedRejected() {
        return stats.get().dropped(DropReason.REJECTED);
    }

    @Override
    public long getEventsDroppedRetriesExhausted() {
        return stats.get().dropped(DropReason.RETRIES_EXHAUSTED);
    }

    @Override
    public long getEventsDroppedShutdownTimeout() {
        return stats.get().dropped(DropReason.SHUTDOWN_TIMEOUT);
    }

    @Override
    public long getEventsDroppedUnsendable() {
        return stats.get().dropped(DropReason.UNSENDABLE);
    }

    @Override
    public long getEventsPending() {
        return stats.get().pending();
    }

    @Override
    public long getBatchesSent() {
        return stats.get().batchesSent();
    }

    @Override
    public long getBatchesFailed() {
        return stats.get().batchesFailed();
    }

    @Override
    public long getRetries() {
        return stats.get().retries();
    }

    @Override
    public long getBytesSent() {
        return stats.get().bytesSent();
    }

    @Override
    public long getLinesTruncated() {
        return stats.get().linesTruncated();
    }

    @Override
    public long getStreamsOverflowed() {
        return stats.get().streamsOverflowed();
    }

    @Override
    public long getBacklogBatches() {
        return stats.get().backlogBatches();
    }

    @Override
    public long getEventsDroppedSpoolFailed() {
        return stats.get().dropped(DropReason.SPOOL_FAILED);
    }

    @Override
    public long getEventsSpooled() {
        return stats.get().spooled();
    }

    @Override
    public long getEventsInSpool() {
        return stats.get().inSpool();
    }

    @Override
    public long getEventsDeliveredFromSpool() {
        return stats.get().deliveredFromSpool();
    }

    @Override
    public long getRecoveredEvents() {
        return stats.get().recoveredEvents();
    }

    @Override
    public long getRecoveredEventsDelivered() {
        return stats.get().recoveredDelivered();
    }

    @Override
    public long getRecoveredEventsRejected() {
        return stats.get().recoveredRejected();
    }

    @Override
    public long getRecoveredEventsInSpool() {
        return stats.get().recoveredInSpool();
    }

    @Override
    public long getSpoolCorruptRecords() {
        return stats.get().spoolCorruptRecords();
    }

    @Override
    public long getSpoolCorruptEvents() {
        return stats.get().spoolCorruptEvents();
    }

    @Override
    public long getSpoolBytes() {
        return stats.get().spoolBytes();
    }
}
