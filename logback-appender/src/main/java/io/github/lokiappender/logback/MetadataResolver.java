package io.github.lokiappender.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.lokiappender.core.labels.LabelSpec;

import java.util.List;

/**
 * Builds an event's structured metadata as the flat {@code [name, value, ...]} array the core
 * takes: static values are computed once and copied, dynamic ones evaluated per event; pairs
 * whose value is empty are left out by the core.
 */
final class MetadataResolver {

    private final String[] template;   // names, and the values of static entries
    private final EventValue[] values; // per pair; null for a static entry

    private MetadataResolver(String[] template, EventValue[] values) {
        this.template = template;
        this.values = values;
    }

    /** @param dynamic the compiled value of each entry, null for a static one (same order as specs) */
    static MetadataResolver create(List<LabelSpec> specs, List<EventValue> dynamic) {
        String[] template = new String[specs.size() * 2];
        EventValue[] values = new EventValue[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            template[2 * i] = specs.get(i).name();
            template[2 * i + 1] = dynamic.get(i) == null ? specs.get(i).pattern() : null;
            values[i] = dynamic.get(i);
        }
        return new MetadataResolver(template, values);
    }

    /** A fresh array the event may own. */
    String[] resolve(ILoggingEvent event) {
        String[] pairs = template.clone();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                pairs[2 * i + 1] = values[i].value(event);
            }
        }
        return pairs;
    }
}
