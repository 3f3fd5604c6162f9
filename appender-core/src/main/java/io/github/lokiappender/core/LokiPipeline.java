package io.github.lokiappender.core;

import io.github.lokiappender.core.batch.BatchAssembler;
import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.encode.PushEncoders;
import io.github.lokiappender.core.encode.Utf8Scratch;
import io.github.lokiappender.core.http.Http1PushTransport;
import io.github.lokiappender.core.http.HttpSettings;
import io.github.lokiappender.core.http.InternalThreads;
import io.github.lokiappender.core.http.JdkPushTransport;
import io.github.lokiappender.core.http.PushSender;
import io.github.lokiappender.core.http.PushTransport;
import io.github.lokiappender.core.http.RetryPolicy;
import io.github.lokiappender.core.http.Sleeper;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import io.github.lokiappender.core.spool.Spool;
import io.github.lokiappender.core.stats.LokiAppenderStats;
import io.github.lokiappender.core.stats.MeterSource;
import io.github.lokiappender.core.stats.MicrometerSupport;
import io.github.lokiappender.core.stats.PipelineStats;
import io.github.lokiappender.core.stats.StatsSnapshot;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The framework-neutral heart of an appender: a bounded buffer that logging threads offer events
 * to, and a shipper thread that batches them into label-keyed streams and pushes them to Loki.
 * Adapters create one per appender, turn framework events into {@link LokiEvent}s with labels
 * from {@link #labelSets()}, and call {@link #offer}, {@link #flush} and {@link #close}.
 *
 * <p>Guarantees: {@link #offer} never throws and never waits except under the BLOCK policy (at
 * most {@code blockTimeoutMs}); every event is eventually delivered or counted as dropped under
 * one {@link io.github.lokiappender.core.stats.DropReason}, or (with {@code spoolDirectory}) left
 * in the on-disk spool for the next start; after {@link #close} returns,
 * {@code offered == delivered + dropped + inSpool}. The caller's thread never touches the disk.
 */
public final class LokiPipeline implements AutoCloseable {

    /** At most this much of the shutdown timeout is kept for writing what is left to the spool. */
    static final long SPOOL_WRITE_RESERVE_NANOS = 1_000_000_000L;

    /** Label set for events past the stream cap when the adapter does not name one. */
    public static final LabelSet DEFAULT_OVERFLOW_LABELS =
            LabelSet.of(new String[]{"loki_appender_overflow"}, new String[]{"stream_limit"});

    private final LokiConfig config;
    private final StatusReporter status;
    private final PipelineStats stats = new PipelineStats();
    private final LabelSetRegistry labelSets;
    private final EventBuffer buffer;
    private final PushTransport transport;
    private final Thread thread;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final ReentrantLock deadlineLock = new ReentrantLock();
    private final Condition deadlineChanged = deadlineLock.newCondition();
    private volatile long deadlineNanos = Long.MAX_VALUE;
    /** When sending stops at shutdown: with a spool, a little before the deadline, to write the rest to disk. */
    private volatile long networkDeadlineNanos = Long.MAX_VALUE;
    private final Spool spool;
    private volatile StatsSnapshot finalStats;
    private final LokiAppenderStats mbean = new LokiAppenderStats(this::stats);
    private volatile MicrometerSupport.Binding meters;

    private LokiPipeline(LokiConfig config, StatusReporter status, PushTransport transport, PushEncoder encoder,
                         LabelSet overflowLabels) {
        this.config = config;
        this.status = status;
        this.transport = transport;
        this.labelSets = new LabelSetRegistry(config.maxStreams(), overflowLabels, stats);
        this.buffer = new EventBuffer(config.bufferMaxBytes(), config.bufferMaxEvents(), config.overflowPolicy(),
                TimeUnit.MILLISECONDS.toNanos(config.blockTimeoutMs()), config.batchMaxEvents(),
                config.batchMaxBytes(), stats);
        RetryPolicy retry = new RetryPolicy(config.maxRetries(),
                TimeUnit.MILLISECONDS.toNanos(config.retryMinBackoffMs()),
                TimeUnit.MILLISECONDS.toNanos(config.retryMaxBackoffMs()));
        PushSender sender = new PushSender(transport, retry, sleeper(), System::nanoTime, () -> networkDeadlineNanos,
                config.http().requestTimeout().toNanos(), stats, status);
        BatchAssembler assembler = new BatchAssembler(config.batchMaxEvents(), config.batchMaxBytes(),
                LokiConfig.LOKI_INGESTION_BURST_BYTES, config.maxLineBytes(), stats);
        // opened here, on the configuring thread, so that a directory in use is reported at start;
        // read and written only by the shipper thread
        this.spool = config.spoolDirectory() == null ? null
                : Spool.open(config.spoolDirectory(), config.spoolMaxBytes(), status, stats, config.name());
        Shipper shipper = new Shipper(buffer, assembler, encoder, sender, stats, status,
                TimeUnit.MILLISECONDS.toNanos(config.flushIntervalMs()), config.batchMaxEvents(), config.batchMaxBytes(),
                () -> deadlineNanos, spool, retry, () -> networkDeadlineNanos);
        this.thread = InternalThreads.factory("loki-shipper-" + config.name()).newThread(shipper);
    }

    /** Starts a pipeline that pushes over HTTP to the configured Loki. */
    public static LokiPipeline start(LokiConfig config, StatusReporter status) {
        return start(config, status, DEFAULT_OVERFLOW_LABELS);
    }

    /**
     * As {@link #start(LokiConfig, StatusReporter)}, naming the label set used past the stream cap
     * (typically the appender's static labels plus a marker label).
     */
    public static LokiPipeline start(LokiConfig config, StatusReporter status, LabelSet overflowLabels) {
        return startWith(config, status, transportFor(config, "loki-" + config.name()), overflowLabels);
    }

    /** This library's own HTTP/1.1 transport where it connects directly; the JDK client where a proxy applies or when asked for. */
    static PushTransport transportFor(LokiConfig config, String threadName) {
        HttpSettings http = config.http();
        return !config.jdkHttpClient() && Http1PushTransport.canReach(http)
                ? new Http1PushTransport(http, threadName) : new JdkPushTransport(http, threadName);
    }

    /** Starts a pipeline over a given transport (tests, custom transports). */
    public static LokiPipeline startWith(LokiConfig config, StatusReporter status, PushTransport transport,
                                         LabelSet overflowLabels) {
        PushEncoder encoder = PushEncoders.create(config.format(), config.compression(), config.compressionLevel(),
                config.backlogCompressionLevel());
        LokiPipeline p = new LokiPipeline(config, new RateLimitedStatusReporter(status), transport, encoder, overflowLabels);
        p.thread.start();
        if (config.jmx()) {
            try {
                p.mbean.register(config.name());
            } catch (javax.management.JMException | RuntimeException e) {
                p.status.warn("counters of Loki appender '" + config.name() + "' are not available over JMX: " + e, null);
            }
        }
        if (config.micrometer()) {
            p.bindMeters();
        }
        return p;
    }

    public LokiConfig config() {
        return config;
    }

    /** Interns label sets for events and caps their number. */
    public LabelSetRegistry labelSets() {
        return labelSets;
    }

    /**
     * Hands an event to the shipper: the line is copied into the buffer during the call (a reused
     * builder may be passed), the metadata array is kept (not to be changed afterwards). Never
     * throws and never waits except under the BLOCK policy; returns false if the event was dropped
     * (and counted) because the buffer was full or the pipeline closed.
     *
     * @param timestampNanos epoch time in nanoseconds
     * @param line           the formatted line; null becomes empty
     * @param labels         the stream, from {@link #labelSets()}
     * @param metadataPairs  structured metadata as a flat {@code [name, value, ...]} array, or null
     */
    public boolean offer(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs) {
        try {
            return buffer.offer(timestampNanos, line, labels, metadataPairs); // counts it as offered
        } catch (RuntimeException e) {
            unsendable();
            return false;
        }
    }

    /**
     * As {@link #offer(long, CharSequence, LabelSet, String[])}, encoding the line with the calling
     * thread's own {@code scratch}: for adapters that keep per-thread state anyway (one lookup of
     * it per event instead of two); null uses the buffer's own per-thread arrays.
     */
    public boolean offer(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs,
                         Utf8Scratch scratch) {
        try {
            return buffer.offer(timestampNanos, line, labels, metadataPairs, scratch); // counts it as offered
        } catch (RuntimeException e) {
            unsendable();
            return false;
        }
    }

    /** As {@link #offer(long, CharSequence, LabelSet, String[])} for an event made already. */
    public boolean offer(LokiEvent event) {
        try {
            return buffer.offer(event); // counts it as offered
        } catch (RuntimeException e) {
            unsendable();
            return false;
        }
    }

    /**
     * An event the buffer refused with an exception (bad metadata, a failing line): the buffer
     * throws only before it has counted the event as offered.
     */
    private void unsendable() {
        stats.offered();
        stats.dropped(io.github.lokiappender.core.stats.DropReason.UNSENDABLE, 1);
    }

    /**
     * Sends everything offered so far without waiting for the flush interval, and waits until it
     * is delivered or dropped, at most {@code timeout}.
     *
     * @return true if everything offered before the call was handled in time
     */
    public boolean flush(Duration timeout) {
        try {
            return buffer.flush(timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Closes within the configured {@code shutdownTimeoutMs}. */
    @Override
    public void close() {
        close(Duration.ofMillis(config.shutdownTimeoutMs()));
    }

    /**
     * Stops intake, delivers what is buffered within {@code timeout}, drops (and counts) what could
     * not be delivered by then, and returns the final counters. Later calls return the same
     * counters at once.
     */
    public StatsSnapshot close(Duration timeout) {
        // Logback's AsyncAppender interrupts its worker before that thread stops the appenders it
        // feeds: still wait for the flush, and hand the interrupt back afterwards.
        boolean interrupted = Thread.interrupted();
        try {
            return closeOnce(timeout);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private StatsSnapshot closeOnce(Duration timeout) {
        if (!closing.compareAndSet(false, true)) {
            awaitShipper(timeout.toMillis() + 1_000);
            StatsSnapshot f = finalStats;
            return f != null ? f : stats.snapshot();
        }
        long now = System.nanoTime();
        // with a spool, sending stops a little early: writing what is left to disk must fit the timeout too
        long reserve = spool == null ? 0 : Math.min(timeout.toNanos() / 4, SPOOL_WRITE_RESERVE_NANOS);
        setDeadline(now + timeout.toNanos(), now + timeout.toNanos() - reserve);
        buffer.close();
        if (spool != null) {
            awaitShipper(TimeUnit.NANOSECONDS.toMillis(timeout.toNanos() - reserve));
            if (thread.isAlive()) {
                // a request sent before close may still be waiting for Loki: cut it at the network
                // deadline, so that writing it and the rest to the spool fits the timeout
                thread.interrupt();
                awaitShipper(TimeUnit.NANOSECONDS.toMillis(reserve));
            }
        } else {
            awaitShipper(timeout.toMillis());
        }
        if (thread.isAlive()) {
            // a request still in flight at the deadline is cut off, so that close returns within the timeout;
            // the shipper counts what it held
            thread.interrupt();
            awaitShipper(2_000);
        }
        transport.close();
        mbean.unregister();
        MicrometerSupport.Binding m = meters;
        if (m != null) {
            meters = null;
            m.close();
        }
        StatsSnapshot s = stats.snapshot();
        finalStats = s;
        status.info("Loki appender '" + config.name() + "' stopped: " + s.delivered() + " events delivered, "
                + s.droppedTotal() + " not delivered" + (s.droppedTotal() > 0 ? " " + s.droppedByReason() : "")
                + (s.inSpool() > 0 ? ", " + s.inSpool() + " left in the spool " + spool.directory()
                        + " for the next start" : "")
                + (s.pending() > 0 ? ", " + s.pending() + " unaccounted (shipper did not stop)" : ""));
        return s;
    }

    public boolean isClosed() {
        return closing.get();
    }

    /** The current counters. */
    public StatsSnapshot stats() {
        return stats.snapshot();
    }

    /** The JMX name the counters are registered under, or null. */
    public javax.management.ObjectName jmxName() {
        return mbean.objectName();
    }

    /** Events currently buffered (not yet taken by the shipper). */
    public int buffered() {
        return buffer.size();
    }

    /**
     * Bytes currently buffered, counted as the buffer counts them against {@code bufferMaxBytes}
     * (the sum of {@link LokiEvent#weight()}, plus unused chunk ends not yet read past); never more
     * than {@code bufferMaxBytes}.
     */
    public long bufferedBytes() {
        return buffer.bytes();
    }

    /** Whether the counters are registered as Micrometer meters (false when Micrometer is absent or off). */
    public boolean hasMeters() {
        return meters != null;
    }

    /** Registers the Micrometer meters if Micrometer is on the class path; silent when it is not. */
    private void bindMeters() {
        MeterSource source = new MeterSource() {
            @Override
            public StatsSnapshot stats() {
                return stats.snapshot();
            }

            @Override
            public long bufferedEvents() {
                return buffer.size();
            }

            @Override
            public long bufferedBytes() {
                return buffer.bytes();
            }
        };
        try {
            meters = MicrometerSupport.bind(config.meterRegistry(), config.name(), source);
        } catch (RuntimeException | LinkageError e) {
            // e.g. a Micrometer too old for the builders used: the appender works without meters
            status.warn("counters of Loki appender '" + config.name() + "' are not available as Micrometer meters: "
                    + e, null);
        }
    }

    private void awaitShipper(long millis) {
        try {
            thread.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void setDeadline(long nanos, long networkNanos) {
        deadlineLock.lock();
        try {
            networkDeadlineNanos = networkNanos;
            deadlineNanos = nanos;
            deadlineChanged.signalAll();
        } finally {
            deadlineLock.unlock();
        }
    }

    /** Retry waits that end early when a shutdown deadline is set. */
    private Sleeper sleeper() {
        return nanos -> {
            deadlineLock.lock();
            try {
                long before = deadlineNanos;
                long left = nanos;
                while (left > 0 && deadlineNanos == before) {
                    left = deadlineChanged.awaitNanos(left);
                }
                return deadlineNanos != before;
            } finally {
                deadlineLock.unlock();
            }
        };
    }
}
