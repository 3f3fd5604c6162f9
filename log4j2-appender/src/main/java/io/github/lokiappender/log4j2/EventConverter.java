package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.encode.Utf8Scratch;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.time.Instant;

import java.util.Arrays;
import java.util.List;

/**
 * Hands a Log4j2 {@link LogEvent} to the core: the timestamp at Log4j2's precision, the line from
 * the layout, the label set and the structured metadata. Runs on the logging thread (or the async
 * logger's thread), reusing per-thread buffers: with a PatternLayout and known label values, a call
 * allocates nothing (the pipeline copies the line's bytes into its buffer).
 */
final class EventConverter {

    /**
     * Where converted events go: {@link io.github.lokiappender.core.LokiPipeline#offer(long, CharSequence,
     * LabelSet, String[], Utf8Scratch)}.
     */
    interface Target {
        /**
         * @param line    valid during the call only (a reused builder)
         * @param scratch the calling thread's arrays for encoding the line
         */
        boolean offer(long timestampNanos, CharSequence line, LabelSet labels, String[] metadataPairs, Utf8Scratch scratch);
    }

    private final LineRenderer line;
    private final LabelResolver labels;
    private final FieldSpec[] metadata;
    private final Target target;

    /** A converter for {@link #convert} only (tests). */
    EventConverter(LineRenderer line, List<FieldSpec> labelSpecs, List<FieldSpec> metadataSpecs,
                   LabelSetRegistry registry) {
        this(line, labelSpecs, metadataSpecs, registry, null);
    }

    /** @param target where {@link #offer} hands events: the pipeline */
    EventConverter(LineRenderer line, List<FieldSpec> labelSpecs, List<FieldSpec> metadataSpecs,
                   LabelSetRegistry registry, Target target) {
        this.target = target;
        this.line = line;
        this.labels = new LabelResolver(labelSpecs, registry);
        this.metadata = metadataSpecs.toArray(new FieldSpec[0]);
    }

    /** Epoch nanoseconds of the event, as precise as Log4j2's clock gave them. */
    static long timestampNanos(LogEvent event) {
        Instant t = event.getInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNanoOfSecond();
    }

    /** Converts the event and hands it to the target; returns whether it was buffered. */
    boolean offer(LogEvent event) {
        return deliver(event, target);
    }

    /** The event as a standalone {@link LokiEvent} (tests). */
    LokiEvent convert(LogEvent event) {
        LokiEvent[] out = new LokiEvent[1];
        deliver(event, (ts, text, set, md, scratch) -> {
            out[0] = LokiEvent.of(ts, text, set, md);
            return true;
        });
        return out[0];
    }

    private boolean deliver(LogEvent event, Target to) {
        Scratch s = Scratch.acquire();
        try {
            long ts = timestampNanos(event);
            CharSequence text = line.render(event, s.line);
            LabelSet set = labels.resolve(event, s.key);
            String[] md = metadata.length == 0 ? null : metadata(event, s.key);
            // the target copies the line before the scratch is reused
            return to.offer(ts, text, set, md, s.utf8);
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
