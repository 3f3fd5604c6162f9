package io.github.lokiappender.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ingester side: per-tenant streams with Loki's dedupe, out-of-order window and stream limit.
 * One lock guards everything; a condition wakes {@link #awaitEntries} without polling.
 */
final class EntryStore {
    /** Loki accepts out-of-order entries down to newest-in-stream minus max_chunk_age/2 (2h/2). */
    static final long OUT_OF_ORDER_WINDOW_NANOS = LokiTime.HOUR;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Map<String, StreamData>> tenants = new LinkedHashMap<>();
    private final List<FakeLoki.Entry> all = new ArrayList<>();
    private long duplicates;
    private boolean closed;

    private static final class StreamData {
        final String tenant;
        final String key;
        final SortedMap<String, String> labels;
        final List<FakeLoki.Entry> entries = new ArrayList<>();
        final Set<TsLine> seen = new HashSet<>();
        long newest = Long.MIN_VALUE;

        StreamData(String tenant, String key, SortedMap<String, String> labels) {
            this.tenant = tenant;
            this.key = key;
            this.labels = labels;
        }
    }

    /** Dedupe key: Loki drops an entry whose timestamp and line equal a stored one in the same stream. */
    private static final class TsLine {
        final long ts;
        final String line;

        TsLine(long ts, String line) {
            this.ts = ts;
            this.line = line;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TsLine && ((TsLine) o).ts == ts && ((TsLine) o).line.equals(line);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ts, line);
        }
    }

    /** Read-only view of one stream for queries. */
    static final class StreamView {
        final String tenant;
        final SortedMap<String, String> labels;
        final List<FakeLoki.Entry> entries;

        StreamView(String tenant, SortedMap<String, String> labels, List<FakeLoki.Entry> entries) {
            this.tenant = tenant;
            this.labels = labels;
            this.entries = entries;
        }
    }

    static final class IngestResult {
        final List<String> errors = new ArrayList<>();
        boolean streamLimitHit;
        int stored;
    }

    IngestResult ingest(String tenant, List<PushValidator.ValidStream> streams, int maxStreams) {
        IngestResult result = new IngestResult();
        lock.lock();
        try {
            Map<String, StreamData> byKey = tenants.computeIfAbsent(tenant, t -> new LinkedHashMap<>());
            for (PushValidator.ValidStream stream : streams) {
                StreamData data = byKey.get(stream.key);
                if (data == null) {
                    if (maxStreams > 0 && byKey.size() >= maxStreams) {
                        result.streamLimitHit = true;
                        result.errors.add("Maximum active stream limit exceeded when trying to create stream "
                                + stream.key + ", reduce the number of active streams (reduce labels or reduce "
                                + "label values), or contact your Loki administrator to see if the limit can be "
                                + "increased, user: '" + tenant + "'");
                        continue;
                    }
                    data = new StreamData(tenant, stream.key, sortedLabels(stream.labels));
                    byKey.put(stream.key, data);
                }
                append(data, stream, result);
            }
            if (result.stored > 0) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return result;
    }

    private void append(StreamData data, PushValidator.ValidStream stream, IngestResult result) {
        StringBuilder ignored = new StringBuilder();
        int ignoredCount = 0;
        for (PushDecoder.DecodedEntry e : stream.entries) {
            TsLine id = new TsLine(e.timestampNanos, e.line);
            if (data.seen.contains(id)) {
                duplicates++;
                continue;
            }
            if (!data.entries.isEmpty() && e.timestampNanos < data.newest - OUT_OF_ORDER_WINDOW_NANOS) {
                ignoredCount++;
                ignored.append("entry with timestamp ").append(LokiTime.goString(e.timestampNanos))
                        .append(" ignored, reason: 'entry too far behind, entry timestamp is: ")
                        .append(LokiTime.rfc3339(e.timestampNanos)).append(", oldest acceptable timestamp is: ")
                        .append(LokiTime.rfc3339(data.newest - OUT_OF_ORDER_WINDOW_NANOS)).append("',\n");
                continue;
            }
            FakeLoki.Entry entry = new FakeLoki.Entry(data.labels, e.timestampNanos, e.line, metadataMap(e.metadata),
                    data.tenant, data.key);
            data.seen.add(id);
            data.entries.add(entry);
            data.newest = Math.max(data.newest, e.timestampNanos);
            all.add(entry);
            result.stored++;
        }
        if (ignoredCount > 0) {
            ignored.append("user '").append(data.tenant).append("', total ignored: ").append(ignoredCount)
                    .append(" out of ").append(stream.entries.size()).append(" for stream: ").append(data.key);
            result.errors.add(ignored.toString());
        }
    }

    private static SortedMap<String, String> sortedLabels(List<String[]> labels) {
        TreeMap<String, String> m = new TreeMap<>();
        for (String[] p : labels) {
            m.put(p[0], p[1]);
        }
        return Collections.unmodifiableSortedMap(m);
    }

    /** Structured metadata keeps the order it was sent in. */
    private static Map<String, String> metadataMap(List<String[]> pairs) {
        if (pairs.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] p : pairs) {
            m.put(p[0], p[1]);
        }
        return Collections.unmodifiableMap(m);
    }

    List<FakeLoki.Entry> entries() {
        lock.lock();
        try {
            return Collections.unmodifiableList(new ArrayList<>(all));
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return all.size();
        } finally {
            lock.unlock();
        }
    }

    long duplicates() {
        lock.lock();
        try {
            return duplicates;
        } finally {
            lock.unlock();
        }
    }

    /** Copies of the streams of the given tenants (all tenants when null), in creation order. */
    List<StreamView> snapshot(Collection<String> wantedTenants) {
        lock.lock();
        try {
            List<StreamView> views = new ArrayList<>();
            for (Map.Entry<String, Map<String, StreamData>> t : tenants.entrySet()) {
                if (wantedTenants != null && !wantedTenants.contains(t.getKey())) {
                    continue;
                }
                for (StreamData d : t.getValue().values()) {
                    views.add(new StreamView(d.tenant, d.labels, new ArrayList<>(d.entries)));
                }
            }
            return views;
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            tenants.clear();
            all.clear();
            duplicates = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiters so they fail fast instead of running into their timeout. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<FakeLoki.Entry> awaitEntries(int n, Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (all.size() < n && remaining > 0 && !closed) {
                try {
                    remaining = changed.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (all.size() < n) {
                throw new AssertionError("expected at least " + n + " entries in FakeLoki within "
                        + timeout.toMillis() + " ms but saw " + all.size()
                        + (closed ? " (FakeLoki was closed)" : "")
                        + (all.isEmpty() ? "" : "; last: " + all.get(all.size() - 1)));
            }
            return Collections.unmodifiableList(new ArrayList<>(all));
        } finally {
            lock.unlock();
        }
    }
}
