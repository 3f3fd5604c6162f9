package io.github.lokiappender.core.stats;

/** The spool's part of a {@link StatsSnapshot}; all zero when the spool is off. */
final class SpoolCounts {

    final long spooled;
    final long spoolDelivered;
    final long inSpool;
    final long recoveredRecords;
    final long recoveredEvents;
    final long recoveredDelivered;
    final long recoveredRejected;
    final long recoveredInSpool;
    final long corruptRecords;
    final long corruptEvents;
    final long bytes;

    SpoolCounts(long spooled, long spoolDelivered, long inSpool, long recoveredRecords, long recoveredEvents,
                long recoveredDelivered, long recoveredRejected, long recoveredInSpool, long corruptRecords,
                long corruptEvents, long bytes) {
        this.spooled = spooled;
        this.spoolDelivered = spoolDelivered;
        this.inSpool = inSpool;
        this.recoveredRecords = recoveredRecords;
        this.recoveredEvents = recoveredEvents;
        this.recoveredDelivered = recoveredDelivered;
        this.recoveredRejected = recoveredRejected;
        this.recoveredInSpool = recoveredInSpool;
        this.corruptRecords = corruptRecords;
        this.corruptEvents = corruptEvents;
        this.bytes = bytes;
    }

    boolean used() {
        return spooled > 0 || recoveredRecords > 0 || corruptRecords > 0 || bytes > 0;
    }
}
