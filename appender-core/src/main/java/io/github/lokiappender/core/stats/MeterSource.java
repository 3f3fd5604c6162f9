package io.github.lokiappender.core.stats;

/**
 * What the Micrometer meters of one pipeline read, at scrape time only. Free of Micrometer types,
 * so that a pipeline can hand one over without Micrometer on the class path.
 */
public interface MeterSource {

    /** The current counters. */
    StatsSnapshot stats();

    /** Events currently buffered. */
    long bufferedEvents();

    /** Bytes currently buffered, as counted against {@code bufferMaxBytes}. */
    long bufferedBytes();
}
