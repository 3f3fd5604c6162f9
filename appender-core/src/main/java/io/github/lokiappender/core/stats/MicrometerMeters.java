package io.github.lokiappender.core.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * An appender's counters as Micrometer meters, all tagged {@code appender=<name>}. The meters read
 * the pipeline's live counters when the registry asks for them (a scrape or a publish), so the
 * logging path does no extra work. Reached only through {@link MicrometerSupport}, after it found
 * Micrometer on the class path: this is the one class that references Micrometer types.
 *
 * <p>Pipelines of the same name in the same registry share one set of meters, which report their
 * sum: Log4j2 starts the new appender of a reconfiguration before it stops the old one, and the
 * meter names must not change. A closed pipeline's final counts stay in the sums while another of
 * its name lives, so counters never go backwards; the meters are removed when the last one closes.
 */
final class MicrometerMeters {

    /** Every meter, in registration order. Adding a counter is one line here. */
    static final List<Def> METERS = definitions();

    /** Live groups by registry and appender name. Guarded by the class lock. */
    private static final Map<Key, Group> GROUPS = new HashMap<>();

    private MicrometerMeters() {
    }

    private static List<Def> definitions() {
        List<Def> d = new ArrayList<>();
        d.add(counter("loki.appender.events.offered", null,
                "Events handed to the appender, including those dropped at once", StatsSnapshot::offered));
        d.add(counter("loki.appender.events.delivered", null,
                "Events in batches Loki acknowledged", StatsSnapshot::delivered));
        for (DropReason r : DropReason.values()) {
            d.add(counter("loki.appender.events.dropped", null,
                    "Events not delivered to Loki, by reason", s -> s.dropped(r))
                    .tag("reason", r.name().toLowerCase(Locale.ROOT)));
        }
        d.add(counter("loki.appender.batches.sent", null,
                "Push requests Loki acknowledged", StatsSnapshot::batchesSent));
        d.add(counter("loki.appender.batches.failed", null,
                "Push requests given up on (rejected, retries exhausted, shutdown)", StatsSnapshot::batchesFailed));
        d.add(counter("loki.appender.retries", null,
                "Push attempts repeated after a retryable failure", StatsSnapshot::retries));
        d.add(counter("loki.appender.sent.bytes", "bytes",
                "Request bodies Loki acknowledged, as sent on the wire (after compression)", StatsSnapshot::bytesSent));
        d.add(counter("loki.appender.lines.truncated", null,
                "Lines cut to maxLineBytes (delivered, not dropped)", StatsSnapshot::linesTruncated));
        d.add(counter("loki.appender.streams.overflowed", null,
                "Events sent under the overflow label set because maxStreams was reached", StatsSnapshot::streamsOverflowed));
        d.add(counter("loki.appender.batches.backlog", null,
                "Batches gzipped at backlogCompressionLevel because more than four batches (or half of the buffer) were waiting",
                StatsSnapshot::backlogBatches));
        d.add(gauge("loki.appender.buffer.events", null,
                "Events waiting in the buffer", MeterSource::bufferedEvents));
        d.add(gauge("loki.appender.buffer.bytes", "bytes",
                "Buffer occupancy as counted against bufferMaxBytes", MeterSource::bufferedBytes));
        d.add(gauge("loki.appender.events.pending", null,
                "Events neither delivered, dropped nor in the spool (buffered or in flight)", s -> s.stats().pending()));
        // the on-disk spool (all 0 without spoolDirectory)
        d.add(counter("loki.appender.spool.written", null,
                "Events written to the on-disk spool", StatsSnapshot::spooled));
        d.add(counter("loki.appender.spool.delivered", null,
                "Events of this process delivered from the spool (included in events.delivered)",
                StatsSnapshot::deliveredFromSpool));
        d.add(counter("loki.appender.spool.recovered", null,
                "Events an earlier process left in the spool, found at start", StatsSnapshot::recoveredEvents));
        d.add(counter("loki.appender.spool.recovered.delivered", null,
                "Recovered events Loki accepted", StatsSnapshot::recoveredDelivered));
        d.add(counter("loki.appender.spool.corrupt.records", null,
                "Spool records skipped because they were corrupt or truncated", StatsSnapshot::spoolCorruptRecords));
        d.add(gauge("loki.appender.spool.events", null,
                "Events in the spool now (this process's and recovered ones)",
                s -> s.stats().inSpool() + s.stats().recoveredInSpool()));
        d.add(gauge("loki.appender.spool.bytes", "bytes",
                "Bytes of the spool's segment files now", s -> s.stats().spoolBytes()));
        return Collections.unmodifiableList(d);
    }

    private static Def counter(String name, String unit, String description, ToLongFunction<StatsSnapshot> read) {
        return new Def(true, name, unit, description, s -> read.applyAsLong(s.stats()));
    }

    private static Def gauge(String name, String unit, String description, ToLongFunction<MeterSource> read) {
        return new Def(false, name, unit, description, read);
    }

    /** Registers {@code source}'s meters in {@code registry} (null: Micrometer's global registry). */
    static synchronized MicrometerSupport.Binding bind(Object registry, String appenderName, MeterSource source) {
        MeterRegistry r = registry == null ? Metrics.globalRegistry : (MeterRegistry) registry;
        Key key = new Key(r, appenderName);
        Group g = GROUPS.get(key);
        if (g == null) {
            g = new Group();
            g.meters = register(r, appenderName, g);
            GROUPS.put(key, g);
        }
        g.add(source);
        Group group = g;
        return () -> unbind(key, group, source);
    }

    private static synchronized void unbind(Key key, Group g, MeterSource source) {
        if (!g.retire(source) || !g.isEmpty()) {
            return;
        }
        GROUPS.remove(key);
        for (Meter m : g.meters) {
            try {
                key.registry.remove(m);
            } catch (RuntimeException ignored) {
                // the registry was closed or cleared: nothing left to remove
            }
        }
    }

    private static List<Meter> register(MeterRegistry r, String appenderName, Group g) {
        List<Meter> meters = new ArrayList<>(METERS.size());
        try {
            for (int i = 0; i < METERS.size(); i++) {
                Def d = METERS.get(i);
                int index = i;
                if (d.counter) {
                    meters.add(FunctionCounter.builder(d.name, g, x -> x.value(index))
                            .description(d.description).baseUnit(d.unit).tags(d.tags(appenderName)).register(r));
                } else {
                    meters.add(Gauge.builder(d.name, g, x -> x.value(index)).strongReference(true)
                            .description(d.description).baseUnit(d.unit).tags(d.tags(appenderName)).register(r));
                }
            }
        } catch (RuntimeException | LinkageError e) {
            meters.forEach(r::remove); // all or nothing
            throw e;
        }
        return meters;
    }

    /** One meter: counter or gauge, name, unit (or null), description, extra tags, how to read it. */
    static final class Def {
        final boolean counter;
        final String name;
        final String unit;
        final String description;
        final ToLongFunction<MeterSource> read;
        private final List<String> extraTags = new ArrayList<>();

        Def(boolean counter, String name, String unit, String description, ToLongFunction<MeterSource> read) {
            this.counter = counter;
            this.name = name;
            this.unit = unit;
            this.description = description;
            this.read = read;
        }

        Def tag(String key, String value) {
            extraTags.add(key);
            extraTags.add(value);
            return this;
        }

        String[] tags(String appenderName) {
            List<String> t = new ArrayList<>();
            t.add("appender");
            t.add(appenderName);
            t.addAll(extraTags);
            return t.toArray(new String[0]);
        }
    }

    /** The pipelines behind one set of meters: the live ones, and what the closed ones counted. */
    private static final class Group {
        private final List<MeterSource> live = new ArrayList<>();
        private final long[] retired = new long[METERS.size()];
        List<Meter> meters;

        synchronized void add(MeterSource s) {
            live.add(s);
        }

        /** Moves a closing pipeline's final counts into the retired sums; false if it was not here. */
        synchronized boolean retire(MeterSource s) {
            if (!live.remove(s)) {
                return false;
            }
            for (int i = 0; i < retired.length; i++) {
                if (METERS.get(i).counter) {
                    retired[i] += METERS.get(i).read.applyAsLong(s);
                }
            }
            return true;
        }

        synchronized boolean isEmpty() {
            return live.isEmpty();
        }

        /** Called by the registry, never on the logging path. */
        synchronized double value(int index) {
            long sum = retired[index];
            ToLongFunction<MeterSource> read = METERS.get(index).read;
            for (MeterSource s : live) {
                sum += read.applyAsLong(s);
            }
            return sum;
        }
    }

    /** A registry (by identity) and an appender name. */
    private static final class Key {
        final MeterRegistry registry;
        final String appenderName;

        Key(MeterRegistry registry, String appenderName) {
            this.registry = registry;
            this.appenderName = appenderName;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).registry == registry && ((Key) o).appenderName.equals(appenderName);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(registry) * 31 + appenderName.hashCode();
        }
    }
}
