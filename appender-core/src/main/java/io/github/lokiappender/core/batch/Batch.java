package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.labels.LabelSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Events of one push request, grouped into streams by label set. Streams keep the order in which
 * their first event arrived; events keep arrival order within a stream.
 *
 * <p>A batch object is reused by the shipper from one request to the next ({@link #clear()}), so
 * steady-state batching allocates no maps or lists.
 */
public final class Batch {

    /** One stream of a batch: a label set and its events. */
    public static final class Stream {
        private LabelSet labels;
        private final ArrayList<LokiEvent> events = new ArrayList<>();

        public LabelSet labels() {
            return labels;
        }

        public List<LokiEvent> events() {
            return Collections.unmodifiableList(events);
        }

        public int size() {
            return events.size();
        }

        public LokiEvent get(int i) {
            return events.get(i);
        }
    }

    private final Map<LabelSet, Stream> byLabels = new HashMap<>();
    private final ArrayList<Stream> streams = new ArrayList<>();
    private final ArrayList<Stream> spare = new ArrayList<>();
    private int eventCount;
    private long lineBytes;
    /** The stream of the last event added: consecutive events mostly share one (label sets are interned). */
    private Stream last;

    /** Adds an event whose line and metadata take {@code bytes} UTF-8 bytes. */
    public void add(LokiEvent event, int bytes) {
        Stream s = last != null && last.labels == event.labels() ? last : byLabels.get(event.labels());
        if (s == null) {
            s = spare.isEmpty() ? new Stream() : spare.remove(spare.size() - 1);
            s.labels = event.labels();
            byLabels.put(event.labels(), s);
            streams.add(s);
        }
        s.events.add(event);
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
        for (Stream s : streams) {
            s.events.clear();
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
