package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.labels.LabelSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Events of one push request, grouped into streams by label set. Streams keep the order in which
 * their first event arrived; events keep arrival order within a stream.
 *
 * <p>The events are held in the columns of one {@link EventList}; a stream is a list of positions
 * in it, and the encoders read each event's fields through the stream's accessors. A batch object
 * is reused by the shipper from one request to the next ({@link #clear()}), so steady-state
 * batching allocates nothing per event, and no columns, maps or lists per batch.
 */
public final class Batch {

    /** One stream of a batch: a label set and the positions of its events. */
    public static final class Stream {
        private final EventList events;
        private LabelSet labels;
        private int[] positions = new int[16];
        private int size;

        Stream(EventList events) {
            this.events = events;
        }

        private void append(int position) {
            if (size == positions.length) {
                positions = Arrays.copyOf(positions, size * 2);
            }
            positions[size++] = position;
        }

        public LabelSet labels() {
            return labels;
        }

        public int size() {
            return size;
        }

        public long timestampNanos(int i) {
            return events.timestampNanos(positions[i]);
        }

        /** The array holding the line's UTF-8 bytes, from {@link #lineOffset(int)} for {@link #lineUtf8Length(int)} bytes. */
        public byte[] lineBytes(int i) {
            return events.lineBytes(positions[i]);
        }

        public int lineOffset(int i) {
            return events.lineOffset(positions[i]);
        }

        public int lineUtf8Length(int i) {
            return events.lineUtf8Length(positions[i]);
        }

        public int metadataCount(int i) {
            return events.metadataCount(positions[i]);
        }

        public String metadataName(int i, int pair) {
            return events.metadataName(positions[i], pair);
        }

        public String metadataValue(int i, int pair) {
            return events.metadataValue(positions[i], pair);
        }

        /** The event at {@code i} as an object (allocates: for tests and diagnostics). */
        public LokiEvent get(int i) {
            return events.event(positions[i]);
        }

        /** The events as objects (allocates: for tests and diagnostics). */
        public List<LokiEvent> events() {
            List<LokiEvent> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(get(i));
            }
            return Collections.unmodifiableList(out);
        }
    }

    private final EventList events = new EventList();
    private final Map<LabelSet, Stream> byLabels = new HashMap<>();
    private final ArrayList<Stream> streams = new ArrayList<>();
    private final ArrayList<Stream> spare = new ArrayList<>();
    private int eventCount;
    private long lineBytes;
    /** The stream of the last event added: consecutive events mostly share one (label sets are interned). */
    private Stream last;

    /** Adds an event whose line and metadata take {@code bytes} UTF-8 bytes (its line array is shared). */
    public void add(LokiEvent event, int bytes) {
        events.add(event);
        addLast(event.labels(), bytes);
    }

    /** Adds the event at position {@code i} of {@code from}, whose line and metadata take {@code bytes} UTF-8 bytes. */
    public void add(EventList from, int i, int bytes) {
        events.addFrom(from, i);
        addLast(from.labels(i), bytes);
    }

    /** Events per call of {@link #adoptSlice}. */
    private static final int SLICE = 256;

    /**
     * Takes every event of {@code from} (in order) into this empty batch without copying them: the
     * batch takes over its columns and {@code from} is left empty. The caller has checked that they
     * fit one batch.
     *
     * @param bytes UTF-8 bytes of their lines and structured metadata, all together
     */
    void adoptAll(EventList from, long bytes) {
        if (!isEmpty()) {
            throw new IllegalStateException("a batch adopts events only when empty");
        }
        events.swapContents(from); // an empty batch holds no events: the drain list gets empty columns
        int n = events.size();
        // in slices, so that the per-event loop is compiled early (see BatchAssembler.fill)
        for (int i = 0; i < n; i += SLICE) {
            adoptSlice(i, Math.min(n, i + SLICE));
        }
        eventCount = n;
        lineBytes = bytes;
    }

    private void adoptSlice(int from, int to) {
        for (int i = from; i < to; i++) {
            LabelSet labels = events.labels(i);
            Stream s = last != null && last.labels == labels ? last : streamOf(labels);
            s.append(i);
            last = s;
        }
    }

    private Stream streamOf(LabelSet labels) {
        Stream s = byLabels.get(labels);
        if (s == null) {
            s = spare.isEmpty() ? new Stream(events) : spare.remove(spare.size() - 1);
            s.labels = labels;
            byLabels.put(labels, s);
            streams.add(s);
        }
        return s;
    }

    /** Puts the event just appended to {@link #events} into the stream of {@code labels}. */
    private void addLast(LabelSet labels, int bytes) {
        Stream s = last != null && last.labels == labels ? last : streamOf(labels);
        s.append(events.size() - 1);
        last = s;
        eventCount++;
        lineBytes += bytes;
    }

    public List<Stream> streams() {
        return Collections.unmodifiableList(streams);
    }

    public int streamCount() {
        return streams.size();
    }

    public Stream stream(int i) {
        return streams.get(i);
    }

    public int eventCount() {
        return eventCount;
    }

    /** Sum of UTF-8 bytes of lines and structured metadata: what Loki's rate limiter charges. */
    public long lineBytes() {
        return lineBytes;
    }

    public boolean isEmpty() {
        return eventCount == 0;
    }

    /**
     * Empties the batch, keeping its containers for reuse. The batch is finished (encoded and sent,
     * or given up).
     */
    public void clear() {
        events.clear();
        for (Stream s : streams) {
            s.size = 0;
            s.labels = null;
            if (spare.size() < 64) {
                spare.add(s);
            }
        }
        streams.clear();
        byLabels.clear();
        last = null;
        eventCount = 0;
        lineBytes = 0;
    }
}
