package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves an event's label set. Static labels are fixed at configuration; pattern labels are
 * formatted per event into a reusable key, and the key is looked up in a small cache of interned
 * label sets, so that a steady stream of events with known label values allocates nothing here.
 * New combinations are interned through the pipeline's {@link LabelSetRegistry}, which caps the
 * number of streams.
 */
final class LabelResolver {

    /**
     * Sent when an event ends up with no label at all (only pattern labels, all empty): Loki
     * rejects a stream without labels, and this is the value Loki 3 itself uses for streams that
     * name no service.
     */
    static final LabelSet NO_LABELS_FALLBACK =
            LabelSet.of(new String[]{"service_name"}, new String[]{"unknown_service"});

    /** Longest label value kept (Loki's limit is 2048 bytes; {@link LabelSet} cuts to bytes). */
    private static final int MAX_VALUE_CHARS = LabelSet.MAX_VALUE_BYTES;

    private final String[] names;
    private final String[] staticValues;
    private final FieldSpec[] dynamic;
    private final int staticCount;
    private final LabelSetRegistry registry;
    private final LabelSet constant;
    private final Cache cache;
    /**
     * When every pattern label prints only the level ({@code %level}, with any options or padding),
     * the label set is a function of the level: looked up by it, without formatting a key. Slots
     * by {@code intLevel / 100} (the standard levels each have their own); entries are immutable.
     */
    private final LevelEntry[] byLevel;

    /**
     * @param specs    the configured labels, in order
     * @param registry the pipeline's registry
     */
    LabelResolver(List<FieldSpec> specs, LabelSetRegistry registry) {
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        List<FieldSpec> d = new ArrayList<>();
        for (FieldSpec s : specs) {
            if (!s.isPattern()) {
                n.add(s.name());
                v.add(s.value());
            }
        }
        this.staticCount = n.size();
        for (FieldSpec s : specs) {
            if (s.isPattern()) {
                n.add(s.name());
                d.add(s);
            }
        }
        this.names = n.toArray(new String[0]);
        this.staticValues = v.toArray(new String[0]);
        this.dynamic = d.toArray(new FieldSpec[0]);
        this.registry = registry;
        this.constant = dynamic.length == 0 ? intern(withFallback(staticLabels(specs))) : null;
        this.cache = dynamic.length == 0 ? null : new Cache(registry.maxSets());
        this.byLevel = dynamic.length > 0 && onlyLevels(dynamic) ? new LevelEntry[8] : null;
    }

    private static boolean onlyLevels(FieldSpec[] specs) {
        for (FieldSpec s : specs) {
            if (!s.printsOnlyLevel()) {
                return false;
            }
        }
        return true;
    }

    /** The labels that never change, for the pipeline's overflow stream. */
    static LabelSet staticLabels(List<FieldSpec> specs) {
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        for (FieldSpec s : specs) {
            if (!s.isPattern()) {
                n.add(s.name());
                v.add(s.value());
            }
        }
        return LabelSet.of(n.toArray(new String[0]), v.toArray(new String[0]));
    }

    /** The label set for events past the stream cap: the static labels plus a marker. */
    static LabelSet overflowLabels(List<FieldSpec> specs) {
        LabelSet fixed = staticLabels(specs);
        LabelSet marker = LokiPipeline.DEFAULT_OVERFLOW_LABELS;
        if (fixed.get(marker.name(0)) != null) {
            return marker;
        }
        String[] n = new String[fixed.size() + 1];
        String[] v = new String[fixed.size() + 1];
        for (int i = 0; i < fixed.size(); i++) {
            n[i] = fixed.name(i);
            v[i] = fixed.value(i);
        }
        n[fixed.size()] = marker.name(0);
        v[fixed.size()] = marker.value(0);
        return LabelSet.of(n, v);
    }

    /** @param key a scratch builder (its content is replaced) */
    LabelSet resolve(LogEvent event, StringBuilder key) {
        if (constant != null) {
            return constant;
        }
        Level level = byLevel == null ? null : event.getLevel();
        if (level != null) {
            int slot = (level.intLevel() / 100) & (byLevel.length - 1);
            LevelEntry e = byLevel[slot];
            if (e != null && e.level == level) {
                return e.set;
            }
            LabelSet set = resolveByKey(event, key);
            if (set != registry.overflowSet()) {
                byLevel[slot] = new LevelEntry(level, set);
            }
            return set;
        }
        return resolveByKey(event, key);
    }

    private LabelSet resolveByKey(LogEvent event, StringBuilder key) {
        key.setLength(0);
        for (FieldSpec f : dynamic) {
            // each value is prefixed by its length, so that the key identifies the tuple of values
            int start = key.length();
            key.append('\0');
            f.format(event, key);
            int len = key.length() - start - 1;
            if (len > MAX_VALUE_CHARS) {
                key.setLength(start + 1 + MAX_VALUE_CHARS);
                len = MAX_VALUE_CHARS;
            }
            key.setCharAt(start, (char) len);
        }
        int hash = hash(key);
        LabelSet hit = cache.get(key, hash);
        if (hit != null) {
            return hit;
        }
        String k = key.toString();
        LabelSet set = intern(withFallback(build(k)));
        if (set != registry.overflowSet()) {
            cache.put(k, hash, set); // past the cap: not cached, so each such event is counted
        }
        return set;
    }

    private LabelSet build(String key) {
        String[] values = new String[names.length];
        System.arraycopy(staticValues, 0, values, 0, staticCount);
        int pos = 0;
        for (int i = staticCount; i < names.length; i++) {
            int len = key.charAt(pos);
            values[i] = key.substring(pos + 1, pos + 1 + len);
            pos += 1 + len;
        }
        return LabelSet.of(names, values);
    }

    private static LabelSet withFallback(LabelSet set) {
        return set.isEmpty() ? NO_LABELS_FALLBACK : set;
    }

    private LabelSet intern(LabelSet set) {
        return registry.intern(set);
    }

    private static int hash(CharSequence s) {
        int h = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }

    /**
     * A direct-mapped cache from value keys to interned label sets, shared by all threads. Entries
     * are immutable, so racy reads see either a whole entry or a miss; a collision only costs a
     * re-lookup in the registry.
     */
    private static final class Cache {
        private final Entry[] slots;
        private final int mask;

        Cache(int maxStreams) {
            int size = Integer.highestOneBit(Math.max(16, Math.min(8192, maxStreams * 2)) - 1) << 1;
            this.slots = new Entry[size];
            this.mask = size - 1;
        }

        LabelSet get(StringBuilder key, int hash) {
            Entry e = slots[hash & mask];
            return e != null && e.hash == hash && e.key.contentEquals(key) ? e.set : null;
        }

        void put(String key, int hash, LabelSet set) {
            slots[hash & mask] = new Entry(key, hash, set);
        }
    }

    private static final class LevelEntry {
        final Level level;
        final LabelSet set;

        LevelEntry(Level level, LabelSet set) {
            this.level = level;
            this.set = set;
        }
    }

    private static final class Entry {
        final String key;
        final int hash;
        final LabelSet set;

        Entry(String key, int hash, LabelSet set) {
            this.key = key;
            this.hash = hash;
            this.set = set;
        }
    }
}
