package io.github.lokiappender.core.labels;

import io.github.lokiappender.core.encode.Utf8;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable set of Loki labels, sorted by name. The hash and the rendered Loki selector form
 * ({@code {app="shop", level="info"}}) are computed once, so grouping events into streams and
 * encoding batches never re-render a label set per event.
 *
 * <p>Instances are normally obtained through a {@link LabelSetRegistry}, which interns them and
 * caps how many distinct sets exist. Names must already be valid Loki label names (see
 * {@link LabelNames}); values may be anything and are escaped when rendered.
 */
public final class LabelSet {

    /** Loki's default {@code max_label_value_length}; longer values are cut to this many UTF-8 bytes. */
    public static final int MAX_VALUE_BYTES = 2048;

    private static final String[] NONE = new String[0];
    /** The label set without labels. Loki rejects streams without labels; see {@link LabelSetRegistry}. */
    public static final LabelSet EMPTY = new LabelSet(NONE, NONE);

    private final String[] names;
    private final String[] values;
    private final int hash;
    private volatile String rendered;

    private LabelSet(String[] sortedNames, String[] values) {
        this.names = sortedNames;
        this.values = values;
        this.hash = 31 * Arrays.hashCode(sortedNames) + Arrays.hashCode(values);
    }

    /**
     * Builds a label set from parallel name and value arrays (which are copied). Entries with a
     * null or empty value are left out, as Loki ignores empty label values. Values longer than
     * {@link #MAX_VALUE_BYTES} are cut (Loki would reject the whole stream), and lone surrogates
     * become U+FFFD.
     *
     * @throws IllegalArgumentException if a name is invalid or appears twice, or the arrays differ in length
     */
    public static LabelSet of(String[] names, String[] values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException("names and values differ in length");
        }
        int n = 0;
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                n++;
            }
        }
        String[] ns = new String[n];
        String[] vs = new String[n];
        int j = 0;
        for (int i = 0; i < names.length; i++) {
            String v = values[i];
            if (v == null || v.isEmpty()) {
                continue;
            }
            if (!LabelNames.isValid(names[i])) {
                throw new IllegalArgumentException("invalid Loki label name: '" + names[i] + "'");
            }
            ns[j] = names[i];
            vs[j] = Utf8.truncate(Utf8.replaceLoneSurrogates(v), MAX_VALUE_BYTES);
            j++;
        }
        sortByName(ns, vs);
        for (int i = 1; i < n; i++) {
            if (ns[i].equals(ns[i - 1])) {
                throw new IllegalArgumentException("duplicate label name: '" + ns[i] + "'");
            }
        }
        return n == 0 ? EMPTY : new LabelSet(ns, vs);
    }

    /** Builds a label set from a map; see {@link #of(String[], String[])}. */
    public static LabelSet of(Map<String, String> labels) {
        String[] ns = new String[labels.size()];
        String[] vs = new String[labels.size()];
        int i = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            ns[i] = e.getKey();
            vs[i] = e.getValue();
            i++;
        }
        return of(ns, vs);
    }

    private static void sortByName(String[] ns, String[] vs) {
        // insertion sort: label sets are small (Loki allows 15 names by default)
        for (int i = 1; i < ns.length; i++) {
            String n = ns[i];
            String v = vs[i];
            int j = i - 1;
            while (j >= 0 && ns[j].compareTo(n) > 0) {
                ns[j + 1] = ns[j];
                vs[j + 1] = vs[j];
                j--;
            }
            ns[j + 1] = n;
            vs[j + 1] = v;
        }
    }

    public int size() {
        return names.length;
    }

    public boolean isEmpty() {
        return names.length == 0;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** The value of label {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** The labels as an ordered, unmodifiable map. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The Loki/Prometheus selector form, {@code {app="shop", level="info"}}, with {@code \},
     * {@code "} and line feeds escaped in values. Computed once.
     */
    public String render() {
        String r = rendered;
        if (r == null) {
            StringBuilder sb = new StringBuilder(16 * names.length + 2);
            sb.append('{');
            for (int i = 0; i < names.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(names[i]).append("=\"");
                appendEscaped(sb, values[i]);
                sb.append('"');
            }
            sb.append('}');
            r = sb.toString();
            rendered = r;
        }
        return r;
    }

    private static void appendEscaped(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\':
                    sb.append("\\\\");
                    break;
                case '"':
                    sb.append("\\\"");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                default:
                    sb.append(c);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LabelSet)) {
            return false;
        }
        LabelSet other = (LabelSet) o;
        return hash == other.hash && Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return render();
    }
}
