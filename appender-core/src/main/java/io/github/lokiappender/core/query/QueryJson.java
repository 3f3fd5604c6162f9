package io.github.lokiappender.core.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads Loki's query answers with Jackson's streaming parser. The shape of each element decides
 * what it is (a stream, a series, a scalar), so the order of fields in the answer does not matter.
 * Problems are reported as {@link IOException}s naming what was wrong.
 */
final class QueryJson {

    static final String CATEGORIZE_LABELS = "categorize-labels";
    private static final JsonFactory JSON = new JsonFactory();

    private QueryJson() {
    }

    /** Reads the value of {@code data}; the parser stands on its first token. */
    private interface DataReader<T> {
        T read(JsonParser p) throws IOException;
    }

    /**
     * Loki's answer envelope, {@code {"status":"success","data":...}} (or {@code "error"}): reads
     * {@code data} when it starts with {@code dataStart}, skips everything else.
     *
     * @return what {@code reader} read, or {@code absent} when there is no {@code data}
     */
    private static <T> T parseEnvelope(byte[] body, JsonToken dataStart, DataReader<T> reader, T absent) throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "the answer");
            String status = null;
            String error = null;
            T data = absent;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("status") && t == JsonToken.VALUE_STRING) {
                    status = p.getText();
                } else if (name.equals("error") && t == JsonToken.VALUE_STRING) {
                    error = p.getText();
                } else if (name.equals("data") && t == dataStart) {
                    data = reader.read(p);
                } else {
                    p.skipChildren();
                }
            }
            checkStatus(status, error);
            return data;
        }
    }

    /** The answer of {@code query_range} or {@code query}. */
    static QueryResult parseQuery(byte[] body) throws IOException {
        QueryResult result = parseEnvelope(body, JsonToken.START_OBJECT, QueryJson::parseData, null);
        if (result == null) {
            throw new IOException("the answer has no 'data'");
        }
        return result;
    }

    private static QueryResult parseData(JsonParser p) throws IOException {
        String resultType = null;
        List<String> flags = Collections.emptyList();
        Parsed parsed = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals("resultType") && t == JsonToken.VALUE_STRING) {
                resultType = p.getText();
            } else if (name.equals("result") && t == JsonToken.START_ARRAY) {
                parsed = parseResult(p);
            } else if (name.equals("encodingFlags") && t == JsonToken.START_ARRAY) {
                flags = readStrings(p);
            } else {
                p.skipChildren();
            }
        }
        if (resultType == null) {
            throw new IOException("the answer has no 'data.resultType'");
        }
        QueryResult.Type type;
        try {
            type = QueryResult.Type.valueOf(resultType.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IOException("unknown resultType '" + resultType + "'");
        }
        if (parsed == null) {
            parsed = new Parsed();
        }
        boolean shapeOk;
        switch (type) {
            case STREAMS:
                shapeOk = parsed.series.isEmpty() && parsed.scalar == null;
                break;
            case MATRIX:
            case VECTOR:
                shapeOk = parsed.streams.isEmpty() && parsed.scalar == null;
                break;
            default:
                shapeOk = parsed.scalar != null;
                break;
        }
        if (!shapeOk) {
            throw new IOException("'data.result' does not have the shape of a " + resultType + " result");
        }
        return new QueryResult(type, Collections.unmodifiableList(parsed.streams),
                Collections.unmodifiableList(parsed.series), parsed.scalar, flags);
    }

    /** What a {@code result} array held. */
    private static final class Parsed {
        final List<LogStream> streams = new ArrayList<>();
        final List<MetricSeries> series = new ArrayList<>();
        Sample scalar;

        boolean isEmpty() {
            return streams.isEmpty() && series.isEmpty() && scalar == null;
        }
    }

    /** At START_ARRAY of {@code result}: {@code [ts, "value"]} for a scalar, else an array of objects. */
    private static Parsed parseResult(JsonParser p) throws IOException {
        Parsed out = new Parsed();
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_STRING) {
            out.scalar = readSampleRest(p, t);
            return out;
        }
        for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            expect(p, t, JsonToken.START_OBJECT, "an element of 'result'");
            parseResultObject(p, out);
        }
        return out;
    }

    /** One {@code {"stream":{...},"values":[...]}} or {@code {"metric":{...},"values"|"value":...}}. */
    private static void parseResultObject(JsonParser p, Parsed out) throws IOException {
        Map<String, String> labels = null;
        boolean isStream = false;
        List<RawEntry> entries = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if ((name.equals("stream") || name.equals("metric")) && t == JsonToken.START_OBJECT) {
                isStream = name.equals("stream");
                labels = readStringMap(p);
            } else if (name.equals("values") && t == JsonToken.START_ARRAY) {
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                    expect(p, v, JsonToken.START_ARRAY, "an element of 'values'");
                    JsonToken first = p.nextToken();
                    if (first == JsonToken.VALUE_STRING) {
                        entries.add(readEntryRest(p));
                    } else {
                        samples.add(readSampleRest(p, first));
                    }
                }
            } else if (name.equals("value") && t == JsonToken.START_ARRAY) {
                samples.add(readSampleRest(p, p.nextToken()));
            } else {
                p.skipChildren();
            }
        }
        if (labels == null) {
            labels = Collections.emptyMap();
        }
        if (isStream || !entries.isEmpty()) {
            if (!samples.isEmpty()) {
                throw new IOException("a stream holds samples");
            }
            List<LogEntry> built = new ArrayList<>(entries.size());
            for (RawEntry e : entries) {
                built.add(new LogEntry(labels, e.nanos, e.line, e.metadata, e.parsed));
            }
            out.streams.add(new LogStream(labels, Collections.unmodifiableList(built)));
        } else {
            out.series.add(new MetricSeries(labels, Collections.unmodifiableList(samples)));
        }
    }

    private static final class RawEntry {
        long nanos;
        String line;
        Map<String, String> metadata = Collections.emptyMap();
        Map<String, String> parsed = Collections.emptyMap();
    }

    /**
     * After the timestamp string of {@code ["<ns>", "<line>", {...}?]}. The optional object is either
     * categorized ({@code {"structuredMetadata":{...},"parsed":{...}}}, Loki 3 with
     * {@code categorize-labels}) or flat metadata ({@code {"trace_id":"..."}}).
     */
    private static RawEntry readEntryRest(JsonParser p) throws IOException {
        RawEntry e = new RawEntry();
        String ts = p.getText();
        try {
            e.nanos = Long.parseLong(ts);
        } catch (NumberFormatException nfe) {
            throw new IOException("entry timestamp '" + ts + "' is not epoch nanoseconds");
        }
        expect(p, p.nextToken(), JsonToken.VALUE_STRING, "an entry's line");
        e.line = p.getText();
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, String> flat = new TreeMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.START_OBJECT) {
                    Map<String, String> category = readStringMap(p);
                    if (name.equals("structuredMetadata")) {
                        e.metadata = category;
                    } else if (name.equals("parsed")) {
                        e.parsed = category;
                    }
                } else if (v == JsonToken.VALUE_STRING) {
                    flat.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            if (!flat.isEmpty()) {
                e.metadata = Collections.unmodifiableMap(flat);
            }
            t = p.nextToken();
        }
        expect(p, t, JsonToken.END_ARRAY, "the end of an entry");
        return e;
    }

    /** After the first token of {@code [<seconds>, "<value>"]}. */
    private static Sample readSampleRest(JsonParser p, JsonToken first) throws IOException {
        long nanos;
        if (first == JsonToken.VALUE_NUMBER_INT || first == JsonToken.VALUE_NUMBER_FLOAT) {
            nanos = LokiTimes.secondsToNanos(p.getDecimalValue());
        } else if (first == JsonToken.VALUE_STRING) {
            try {
                nanos = LokiTimes.secondsToNanos(new java.math.BigDecimal(p.getText()));
            } catch (NumberFormatException e) {
                throw new IOException("sample time '" + p.getText() + "' is not a number of seconds");
            }
        } else {
            throw new IOException("expected a sample time at " + p.currentLocation() + ", found " + first);
        }
        JsonToken v = p.nextToken();
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new IOException("expected a sample value at " + p.currentLocation() + ", found " + v);
        }
        String value = p.getText();
        expect(p, p.nextToken(), JsonToken.END_ARRAY, "the end of a sample");
        return new Sample(nanos, value);
    }

    /** {@code {"status":"success","data":["a","b"]}}; Loki leaves out {@code data} when the list is empty. */
    static List<String> parseStringList(byte[] body) throws IOException {
        return parseEnvelope(body, JsonToken.START_ARRAY, QueryJson::readStrings, Collections.emptyList());
    }

    /** {@code {"status":"success","data":[{"app":"shop"},...]}}. */
    static List<Map<String, String>> parseSeries(byte[] body) throws IOException {
        return parseEnvelope(body, JsonToken.START_ARRAY, p -> {
            List<Map<String, String>> data = new ArrayList<>();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                expect(p, e, JsonToken.START_OBJECT, "a series");
                data.add(readStringMap(p));
            }
            return Collections.unmodifiableList(data);
        }, Collections.emptyList());
    }

    /** A flat object of strings (Loki) or one wrapped in {@code data} (some gateways). */
    static BuildInfo parseBuildInfo(byte[] body) throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "the answer");
            Map<String, String> fields = new TreeMap<>();
            readBuildInfoFields(p, fields);
            return new BuildInfo(fields.getOrDefault("version", ""), fields.getOrDefault("revision", ""),
                    fields.getOrDefault("branch", ""), fields.getOrDefault("buildUser", ""),
                    fields.getOrDefault("buildDate", ""), fields.getOrDefault("goVersion", ""));
        }
    }

    private static void readBuildInfoFields(JsonParser p, Map<String, String> fields) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                fields.put(name, p.getText());
            } else if (name.equals("data") && t == JsonToken.START_OBJECT) {
                readBuildInfoFields(p, fields);
            } else {
                p.skipChildren();
            }
        }
    }

    private static void checkStatus(String status, String error) throws IOException {
        if (status != null && !status.equals("success")) {
            throw new IOException("Loki reported status '" + status + "'" + (error != null ? ": " + error : ""));
        }
    }

    private static List<String> readStrings(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw new IOException("the answer ends early");
            }
            if (t.isScalarValue()) {
                out.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** At START_OBJECT: an object of string values, sorted by name. */
    private static Map<String, String> readStringMap(JsonParser p) throws IOException {
        Map<String, String> out = new TreeMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v != null && v.isScalarValue()) {
                out.put(name, p.getText());
            } else {
                p.skipChildren();
            }
        }
        expect(p, t, JsonToken.END_OBJECT, "the end of an object");
        return out.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(out);
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken expected, String what) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + what + " (" + expected + ") at " + p.currentLocation().offsetDescription()
                    + " but found " + (actual == null ? "the end" : actual));
        }
    }
}
