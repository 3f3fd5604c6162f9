package io.github.lokiappender.logback;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.pattern.KeyValuePairConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.event.KeyValuePair;

import java.util.List;
import java.util.Locale;

/**
 * {@code %kvp{key}} for label and structured metadata patterns: the value of one SLF4J 2
 * key-value pair (the first with that key), or the empty string. Without an option, or with
 * Logback's quote options ({@code DOUBLE}, {@code SINGLE}, {@code NONE}), it renders all pairs
 * exactly as Logback's own {@code %kvp} does.
 */
public final class KeyValueConverter extends ClassicConverter {

    private String key;
    private KeyValuePairConverter all;

    @Override
    public void start() {
        String option = getFirstOption();
        if (option != null && !option.isBlank() && !isQuoteSpec(option.trim())) {
            key = option.trim();
        } else {
            all = new KeyValuePairConverter();
            all.setContext(getContext());
            all.setOptionList(getOptionList());
            all.start();
        }
        super.start();
    }

    private static boolean isQuoteSpec(String option) {
        String o = option.toUpperCase(Locale.ROOT);
        return o.equals("DOUBLE") || o.equals("SINGLE") || o.equals("NONE");
    }

    @Override
    public String convert(ILoggingEvent event) {
        if (key == null) {
            return all.convert(event);
        }
        String v = valueOf(event, key);
        return v == null ? "" : v;
    }

    /** The value of the first pair named {@code key}, or null. */
    static String valueOf(ILoggingEvent event, String key) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs == null) {
            return null;
        }
        for (int i = 0, n = pairs.size(); i < n; i++) {
            KeyValuePair p = pairs.get(i);
            if (key.equals(p.key)) {
                return p.value == null ? null : String.valueOf(p.value);
            }
        }
        return null;
    }
}
