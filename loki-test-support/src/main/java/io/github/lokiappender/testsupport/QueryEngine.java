package io.github.lokiappender.testsupport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Loki's read API over the stored entries: query_range, query, labels, label values, series. */
final class QueryEngine {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_ENTRIES_LIMIT = 5000;
    static final String TENANT_LABEL = "__tenant_id__";
    private static final long DEFAULT_LOOKBACK_NANOS = LokiTime.HOUR;
    private static final String EMPTY_COMPATIBLE = "parse error : queries require at least one regexp or equality "
            + "matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this "
            + "requirement, but app=~\".+\" will";

    private static final JsonFactory JSON = new JsonFactory();

    private final Settings settings;
    private final EntryStore store;

    QueryEngine(Settings settings, EntryStore store) {
        this.settings = settings;
        this.store = store;
    }

    /** One stored entry with the labels it is reported under (tenant label added for multi-tenant queries). */
    private static final class Hit {
        final SortedMap<String, String> labels;
        final String key;
        final FakeLoki.Entry entry;
        final int order;

        Hit(SortedMap<String, String> labels, String key, FakeLoki.Entry entry, int order) {
            this.labels = labels;
            this.key = key;
            this.entry = entry;
            this.order = order;
        }
    }

    private static final class Sample {
        final SortedMap<String, String> metric;
        long count;

        Sample(SortedMap<String, String> metric) {
            this.metric = metric;
        }
    }

    // ---- query_range ------------------------------------------------------------------------

    FakeLoki.Response queryRange(Params params, List<String> tenants) {
        long end = LokiTime.parseQueryTime("end", params.get("end"), settings.nowNanos());
        long start = LokiTime.parseQueryTime("start", params.get("start"), end - lookback(params));
        if (end < start) {
            throw HttpError.badRequest("end timestamp must not be before or equal to start time");
        }
        int limit = limit(params);
        boolean forward = forward(params);
        Object query = parseQuery(params.get("query"));
        if (query instanceof MetricQuery) {
            throw HttpError.badRequest(LogQlParser.UNSUPPORTED + "metric queries on query_range (use /query)");
        }
        return streamsResponse(select((LabelSelector) query, tenants, start, end, forward, limit), forward);
    }

    // ---- instant query ----------------------------------------------------------------------

    FakeLoki.Response instantQuery(Params params, List<String> tenants) {
        long time = LokiTime.parseQueryTime("time", params.get("time"), settings.nowNanos());
        int limit = limit(params);
        boolean forward = forward(params);
        Object query = parseQuery(params.get("query"));
        if (query instanceof LabelSelector) {
            if (settings.version.atLeast(3, 2)) {
                throw HttpError.badRequest("log queries are not supported as an instant query type, please change "
                        + "your query to a range query type");
            }
            // Older Loki answered with streams; the stand-in looks back one hour, `time` inclusive.
            return streamsResponse(select((LabelSelector) query, tenants, time - DEFAULT_LOOKBACK_NANOS, time + 1,
                    forward, limit), forward);
        }
        return vectorResponse((MetricQuery) query, tenants, time);
    }

    private FakeLoki.Response vectorResponse(MetricQuery q, List<String> tenants, long time) {
        // Range vectors are left-open: (time - range, time].
        List<Hit> hits = select(q.selector, tenants, time - q.rangeNanos + 1, time + 1, true, Integer.MAX_VALUE);
        TreeMap<String, Sample> series = new TreeMap<>();
        for (Hit h : hits) {
            SortedMap<String, String> metric = h.labels;
            if (q.sum) {
                TreeMap<String, String> grouped = new TreeMap<>();
                for (String name : q.by) {
                    String v = h.labels.get(name);
                    if (v != null) {
                        grouped.put(name, v);
                    }
                }
                metric = grouped;
            }
            SortedMap<String, String> m = metric;
            series.computeIfAbsent(Labels.render(m), k -> new Sample(m)).count++;
        }
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeObjectFieldStart("data");
            g.writeStringField("resultType", "vector");
            g.writeArrayFieldStart("result");
            for (Sample sample : series.values()) {
                g.writeStartObject();
                writeStringMap(g, "metric", sample.metric);
                g.writeArrayFieldStart("value");
                g.writeNumber(LokiTime.seconds(time));
                g.writeString(Long.toString(sample.count));
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("stats");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    // ---- labels, label values, series ---------------------------------------------------------

    FakeLoki.Response labelNames(Params params, List<String> tenants) {
        TreeSet<String> names = new TreeSet<>();
        for (Hit h : metadataHits(params, tenants, params.get("query"))) {
            names.addAll(h.labels.keySet());
        }
        return stringList(names);
    }

    FakeLoki.Response labelValues(String name, Params params, List<String> tenants) {
        TreeSet<String> values = new TreeSet<>();
        for (Hit h : metadataHits(params, tenants, params.get("query"))) {
            String v = h.labels.get(name);
            if (v != null) {
                values.add(v);
            }
        }
        return stringList(values);
    }

    FakeLoki.Response series(Params params, List<String> tenants) {
        List<String> matches = new ArrayList<>(params.all("match[]"));
        matches.addAll(params.all("match"));
        // Like Loki: no match[] at all, or just "{}", means every series.
        if (matches.size() == 1 && matches.get(0).trim().equals("{}")) {
            matches.clear();
        }
        TreeMap<String, SortedMap<String, String>> found = new TreeMap<>();
        if (matches.isEmpty()) {
            for (Hit h : metadataHits(params, tenants, null)) {
                found.put(h.key, h.labels);
            }
        }
        for (String m : matches) {
            for (Hit h : metadataHits(params, tenants, m)) {
                found.put(h.key, h.labels);
            }
        }
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeArrayFieldStart("data");
            for (SortedMap<String, String> labels : found.values()) {
                g.writeStartObject();
                for (Map.Entry<String, String> e : labels.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** One hit per stream that has an entry in [start, end) and matches the optional selector. */
    private List<Hit> metadataHits(Params params, List<String> tenants, String selectorText) {
        long end = LokiTime.parseQueryTime("end", params.get("end"), settings.nowNanos());
        long start = LokiTime.parseQueryTime("start", params.get("start"), end - lookback(params));
        LabelSelector selector;
        if (selectorText == null || selectorText.trim().isEmpty()) {
            selector = new LabelSelector(new ArrayList<>(), new ArrayList<>());
        } else {
            try {
                selector = LogQlParser.parseSelector(selectorText);
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest(e.getMessage());
            }
        }
        List<Hit> perStream = new ArrayList<>();
        for (EntryStore.StreamView s : store.snapshot(tenants)) {
            SortedMap<String, String> labels = reportedLabels(s, tenants);
            if (!selector.matchesLabels(labels)) {
                continue;
            }
            for (FakeLoki.Entry e : s.entries) {
                if (e.timestampNanos() >= start && e.timestampNanos() < end) {
                    perStream.add(new Hit(labels, Labels.render(labels), e, 0));
                    break;
                }
            }
        }
        return perStream;
    }

    private static FakeLoki.Response stringList(TreeSet<String> values) {
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            if (!values.isEmpty()) { // Loki omits "data" when there is nothing
                g.writeArrayFieldStart("data");
                for (String v : values) {
                    g.writeString(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    FakeLoki.Response buildInfo() {
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("version", settings.version.text);
            g.writeStringField("revision", "fake-loki");
            g.writeStringField("branch", "HEAD");
            g.writeStringField("buildUser", "loki-test-support");
            g.writeStringField("buildDate", "");
            g.writeStringField("goVersion", "");
            g.writeEndObject();
        });
    }

    // ---- shared ------------------------------------------------------------------------------

    private Object parseQuery(String text) {
        if (text == null || text.trim().isEmpty()) {
            throw HttpError.badRequest("parse error : syntax error: unexpected $end");
        }
        Object q;
        try {
            q = LogQlParser.parseQuery(text);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        LabelSelector selector = q instanceof MetricQuery ? ((MetricQuery) q).selector : (LabelSelector) q;
        if (!selector.hasNonEmptyCompatibleMatcher()) {
            throw HttpError.badRequest(EMPTY_COMPATIBLE);
        }
        return q;
    }

    /**
     * Entries in [start, end) matching the selector, ordered by timestamp in the query direction and
     * cut at {@code limit} across all streams. Ties keep a stable order: stream, then arrival.
     */
    private List<Hit> select(LabelSelector selector, List<String> tenants, long start, long end, boolean forward,
                             int limit) {
        List<Hit> hits = new ArrayList<>();
        int order = 0;
        for (EntryStore.StreamView s : store.snapshot(tenants)) {
            SortedMap<String, String> labels = reportedLabels(s, tenants);
            if (!selector.matchesLabels(labels)) {
                continue;
            }
            String key = Labels.render(labels);
            for (FakeLoki.Entry e : s.entries) {
                if (e.timestampNanos() >= start && e.timestampNanos() < end && selector.matchesLine(e.line())) {
                    hits.add(new Hit(labels, key, e, order++));
                }
            }
        }
        Comparator<Hit> ascending = Comparator.comparingLong((Hit h) -> h.entry.timestampNanos())
                .thenComparing(h -> h.key)
                .thenComparingInt(h -> h.order);
        hits.sort(forward ? ascending : ascending.reversed());
        return hits.size() > limit ? new ArrayList<>(hits.subList(0, limit)) : hits;
    }

    private static SortedMap<String, String> reportedLabels(EntryStore.StreamView s, List<String> tenants) {
        if (tenants.size() < 2) {
            return s.labels;
        }
        TreeMap<String, String> withTenant = new TreeMap<>(s.labels);
        withTenant.put(TENANT_LABEL, s.tenant);
        return withTenant;
    }

    private FakeLoki.Response streamsResponse(List<Hit> hits, boolean forward) {
        // Group by stream, streams sorted by their label string; values stay in direction order.
        TreeMap<String, List<Hit>> byStream = new TreeMap<>();
        for (Hit h : hits) {
            byStream.computeIfAbsent(h.key, k -> new ArrayList<>()).add(h);
        }
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeObjectFieldStart("data");
            g.writeStringField("resultType", "streams");
            g.writeArrayFieldStart("result");
            for (List<Hit> stream : byStream.values()) {
                g.writeStartObject();
                writeStringMap(g, "stream", stream.get(0).labels);
                g.writeArrayFieldStart("values");
                for (Hit h : stream) {
                    g.writeStartArray();
                    g.writeString(Long.toString(h.entry.timestampNanos()));
                    g.writeString(h.entry.line());
                    if (!h.entry.structuredMetadata().isEmpty()) {
                        g.writeStartObject();
                        for (Map.Entry<String, String> e : h.entry.structuredMetadata().entrySet()) {
                            g.writeStringField(e.getKey(), e.getValue());
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("stats");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static int limit(Params params) {
        String text = params.get("limit");
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid parameter \"limit\": strconv.ParseInt: parsing \"" + text
                    + "\": invalid syntax");
        }
        if (limit <= 0) {
            throw HttpError.badRequest("limit must be a positive value");
        }
        if (limit > MAX_ENTRIES_LIMIT) {
            throw HttpError.badRequest("max entries limit per query exceeded, limit > max_entries_limit ("
                    + limit + " > " + MAX_ENTRIES_LIMIT + ")");
        }
        return limit;
    }

    private static boolean forward(Params params) {
        String d = params.get("direction");
        if (d == null || d.isEmpty() || d.equalsIgnoreCase("backward")) {
            return false;
        }
        if (d.equalsIgnoreCase("forward")) {
            return true;
        }
        throw HttpError.badRequest("invalid direction '" + d + "'");
    }

    private static long lookback(Params params) {
        String since = params.get("since");
        if (since == null || since.isEmpty()) {
            return DEFAULT_LOOKBACK_NANOS;
        }
        try {
            return LokiTime.parseDuration(since);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid parameter \"since\": " + e.getMessage());
        }
    }

    private static void writeStringMap(JsonGenerator g, String field, Map<String, String> map) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : map.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static FakeLoki.Response json(JsonWriter writer) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FakeLoki.Response.json(out.toString());
    }
}
