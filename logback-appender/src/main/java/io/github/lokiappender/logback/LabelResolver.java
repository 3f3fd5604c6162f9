package io.github.lokiappender.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import io.github.lokiappender.core.labels.LabelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns an event into its stream's label set. Static entries (no {@code %}) are evaluated once;
 * only the dynamic ones are evaluated per event, and their values are looked up in a
 * {@link LabelSetCache} in front of the pipeline's {@link LabelSetRegistry}, so a logging thread
 * normally allocates nothing here (with more than three dynamic labels: a small array of values).
 *
 * <p>An entry whose value is empty for an event is left out of that event's labels. An event left
 * with no label at all (Loki rejects such streams) goes to the fallback stream.
 */
final class LabelResolver {

    private final String[] names;          // static names first, then dynamic names
    private final String[] staticValues;
    private final EventValue[] dynamic;
    private final LabelSetRegistry registry;
    private final LabelSet fallback;
    private final LabelSet fixed;          // the interned set when there is no dynamic label
    private final LabelSetCache cache;

    private LabelResolver(String[] names, String[] staticValues, EventValue[] dynamic, LabelSetRegistry registry,
                          LabelSet fallback) {
        this.names = names;
        this.staticValues = staticValues;
        this.dynamic = dynamic;
        this.registry = registry;
        this.fallback = fallback;
        this.cache = new LabelSetCache(Math.min(registry.maxSets(), 4096));
        this.fixed = dynamic.length == 0 ? intern(new String[0]) : null;
    }

    /**
     * @param specs    parsed, sanitized label entries
     * @param dynamic  the compiled value of each entry, null for a static entry (same order as specs)
     * @param fallback the label set for events without any label
     */
    static LabelResolver create(List<LabelSpec> specs, List<EventValue> dynamic, LabelSetRegistry registry,
                                LabelSet fallback) {
        List<String> staticNames = new ArrayList<>();
        List<String> staticValues = new ArrayList<>();
        List<String> dynamicNames = new ArrayList<>();
        List<EventValue> dynamicValues = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            if (dynamic.get(i) == null) {
                staticNames.add(specs.get(i).name());
                staticValues.add(specs.get(i).pattern());
            } else {
                dynamicNames.add(specs.get(i).name());
                dynamicValues.add(dynamic.get(i));
            }
        }
        List<String> names = new ArrayList<>(staticNames);
        names.addAll(dynamicNames);
        return new LabelResolver(names.toArray(new String[0]), staticValues.toArray(new String[0]),
                dynamicValues.toArray(new EventValue[0]), registry, fallback);
    }

    /** The interned label set of {@code event}'s stream. */
    LabelSet resolve(ILoggingEvent event) {
        if (fixed != null) {
            return fixed;
        }
        if (dynamic.length <= LabelSetCache.MAX_INLINE_VALUES) {
            // the common cases (a level label, plus one or two more): look up without a per-event array
            String v0 = value(0, event);
            String v1 = value(1, event);
            String v2 = value(2, event);
            LabelSet hit = cache.get(dynamic.length, v0, v1, v2);
            if (hit != null) {
                return hit;
            }
        }
        String[] values = new String[dynamic.length];
        for (int i = 0; i < values.length; i++) {
            String v = dynamic[i].value(event);
            values[i] = v == null ? "" : v;
        }
        int hash = LabelSetCache.hash(values);
        LabelSet set = cache.get(values, hash);
        if (set != null) {
            return set;
        }
        set = intern(values);
        if (set != registry.overflowSet()) {
            cache.put(values, hash, set);
        }
        return set;
    }

    private String value(int i, ILoggingEvent event) {
        if (i >= dynamic.length) {
            return null;
        }
        String v = dynamic[i].value(event);
        return v == null ? "" : v;
    }

    private LabelSet intern(String[] dynamicValues) {
        String[] all = new String[names.length];
        System.arraycopy(staticValues, 0, all, 0, staticValues.length);
        System.arraycopy(dynamicValues, 0, all, staticValues.length, dynamicValues.length);
        LabelSet candidate = LabelSet.of(names, all);
        return registry.intern(candidate.isEmpty() ? fallback : candidate);
    }

    /** True if every label is static (the label set never changes). */
    boolean isFixed() {
        return fixed != null;
    }

    int dynamicCount() {
        return dynamic.length;
    }

    int cachedCombinations() {
        return cache.size();
    }
}
