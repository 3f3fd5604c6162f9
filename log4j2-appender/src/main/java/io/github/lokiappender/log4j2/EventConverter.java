package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.EventPool;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.time.Instant;

import java.util.Arrays;
import java.util.List;

/**
 * Turns a Log4j2 {@link LogEvent} into the core's {@link LokiEvent}: the timestamp at Log4j2's
 * precision, the line from the layout, the label set and the structured metadata. Runs on the
 * logging thread (or the async logger's thread), reusing per-thread buffers and the pipeline's
 * recycled events: with a PatternLayout and known label values, a call allocates nothing.
 */
final class EventConverter {

    private final LineRenderer line;
    private final LabelResolver labels;
    private final FieldSpec[] metadata;
    private final EventPool events;

    /** A converter making standalone events (tests). */
    EventConverter(LineRenderer line, List<FieldSpec> labelSpecs, List<FieldSpec> metadataSpecs,
                   LabelSetRegistry registry) {
        this(line, labelSpecs, metadataSpecs, registry, new EventPool(0, 0));
    }

    /** @param events where events come from: the pipeline's pool, which recycles them once shipped */
    EventConverter(LineRenderer line, List<FieldSpec> labelSpecs, List<FieldSpec> metadataSpecs,
                   LabelSetRegistry registry, EventPool events) {
        this.events = events;
        this.line = line;
        this.labels = new LabelResolver(labelSpecs, registry);
        this.metadata = metadataSpecs.toArray(new FieldSpec[0]);
    }

    /** Epoch nanoseconds of the event, as precise as Log4j2's clock gave them. */
    static long timestampNanos(LogEvent event) {
        Instant t = event.getInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNanoOfSecond();
    }

    LokiEvent convert(LogEvent event) {
        Scratch s = Scratch.acquire();
        try {
            long ts = timestampNanos(event);
            CharSequence text = line.render(event, s.line);
            LabelSet set = labels.resolve(event, s.key);
            String[] md = metadata.length == 0 ? null : metadata(event, s.key);
            // the line is encoded into the (recycled) event's own bytes before the scratch is reused
            return events.claim().set(ts, text, set, md);
        } finally {
            s.release();
        }
    }

    private String[] metadata(LogEvent event, StringBuilder sb) {
        String[] pairs = new String[metadata.length * 2];
        int n = 0;
        for (FieldSpec f : metadata) {
            String v;
            if (f.isPattern()) {
                sb.setLength(0);
                f.format(event, sb);
                v = sb.length() == 0 ? null : sb.toString();
            } else {
                v = f.value().isEmpty() ? null : f.value();
            }
            if (v != null) {
                pairs[n++] = f.name();
                pairs[n++] = v;
            }
        }
        return n == pairs.length ? pairs : Arrays.copyOf(pairs, n);
    }
}
