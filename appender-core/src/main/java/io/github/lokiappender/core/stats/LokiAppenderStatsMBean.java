package io.github.lokiappender.core.stats;

/** The counters of one appender as a JMX MBean ({@code io.github.lokiappender:type=LokiAppender,name=...}). */
public interface LokiAppenderStatsMBean {

    long getEventsOffered();

    long getEventsDelivered();

    long getEventsDropped();

    long getEventsDroppedBufferFull();

    long getEventsDroppedClosed();

    long getEventsDroppedRejected();

    long getEventsDroppedRetriesExhausted();

    long getEventsDroppedShutdownTimeout();

    long getEventsDroppedUnsendable();

    long getEventsPending();

    long getBatchesSent();

    long getBatchesFailed();

    long getRetries();

    long getBytesSent();

    long getLinesTruncated();

    long getStreamsOverflowed();

    long getBacklogBatches();

    long getEventsDroppedSpoolFailed();

    long getEventsSpooled();

    long getEventsInSpool();

    long getEventsDeliveredFromSpool();

    long getRecoveredEvents();

    long getRecoveredEventsDelivered();

    long getRecoveredEventsRejected();

    long getRecoveredEventsInSpool();

    long getSpoolCorruptRecords();

    long getSpoolCorruptEvents();

    long getSpoolBytes();
}
