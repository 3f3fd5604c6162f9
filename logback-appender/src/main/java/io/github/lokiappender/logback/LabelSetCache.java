package io.github.lokiappender.logback;

import io.github.lokiappender.core.labels.LabelSet;

import java.util.Arrays;

/**
 * Maps the values of an appender's dynamic labels to the interned {@link LabelSet}, so that the
 * logging thread finds its stream without building a label set or a map: a hit costs one hash
 * over the values and an array comparison.
 *
 * <p>Open addressing with linear probing and no removal. Readers take no lock: slots are written
 * under the lock with nodes whose fields are final, so a reader sees either nothing (and takes the
 * slow path) or a complete node. The size is capped so unbounded label values cannot grow it.
 */
final class LabelSetCache {

    private static final class Node {
        final String[] key;
        final int hash;
        final LabelSet value;

        Node(String[] key, int hash, LabelSet value) {
            this.key = key;
            this.hash = hash;
            this.value = value;
        }
    }

    private final int maxSize;
    private volatile Node[] table = new Node[16];
    private int size;

    LabelSetCache(int maxSize) {
        this.maxSize = maxSize;
    }

    static int hash(String[] values) {
        int h = 1;
        for (String v : values) {
            h = 31 * h + v.hashCode();
        }
        return h ^ (h >>> 16);
    }

    /** Values looked up without an array by {@link #get(int, String, String, String)}. */
    static final int MAX_INLINE_VALUES = 3;

    /**
     * {@link #get(String[], int)} for the first {@code n} (1 to 3) of {@code v0, v1, v2}, without
     * making an array: the hash is folded the same way.
     */
    LabelSet get(int n, String v0, String v1, String v2) {
        int h = 31 + v0.hashCode();
        if (n > 1) {
            h = 31 * h + v1.hashCode();
        }
        if (n > 2) {
            h = 31 * h + v2.hashCode();
        }
        int hash = h ^ (h >>> 16);
        Node[] t = table;
        int mask = t.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Node node = t[i];
            if (node == null) {
                return null;
            }
            String[] k = node.key;
            if (node.hash == hash && k.length == n && k[0].equals(v0) && (n < 2 || k[1].equals(v1))
                    && (n < 3 || k[2].equals(v2))) {
                return node.value;
            }
        }
    }

    /** The cached label set for these values, or null. */
    LabelSet get(String[] values, int hash) {
        Node[] t = table;
        int mask = t.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Node n = t[i];
            if (n == null) {
                return null;
            }
            if (n.hash == hash && Arrays.equals(n.key, values)) {
                return n.value;
            }
        }
    }

    /** Remembers a mapping unless the cache is full; {@code values} must not be changed afterwards. */
    synchronized void put(String[] values, int hash, LabelSet set) {
        if (size >= maxSize || get(values, hash) != null) {
            return;
        }
        Node[] t = table;
        if ((size + 1) * 2 > t.length) {
            Node[] bigger = new Node[t.length * 2];
            for (Node n : t) {
                if (n != null) {
                    insert(bigger, n);
                }
            }
            insert(bigger, new Node(values, hash, set));
            table = bigger;
        } else {
            insert(t, new Node(values, hash, set));
        }
        size++;
    }

    private static void insert(Node[] t, Node n) {
        int mask = t.length - 1;
        int i = n.hash & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = n;
    }

    synchronized int size() {
        return size;
    }
}
