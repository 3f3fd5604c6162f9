package io.github.lokiappender.core.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.lokiappender.testsupport.FakeLoki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a JSON push with exact timestamps and posts it to a FakeLoki, asserting 204. */
final class Seed {

    /** 2024-01-01T00:00:00Z in epoch nanoseconds. */
    static final long T0 = 1_704_067_200_000_000_000L;

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final List<Map<String, String>> labels = new ArrayList<>();
    private final List<List<Object[]>> values = new ArrayList<>();

    static Seed push() {
        return new Seed();
    }

    /** A stream from "name=value" pairs, then entries as (nanos, line[, metadata map]). */
    Seed stream(String labelPairs, Object... tsLineMetadata) {
        Map<String, String> l = new LinkedHashMap<>();
        for (String pair : labelPairs.split(",")) {
            String[] nv = pair.trim().split("=", 2);
            l.put(nv[0], nv[1]);
        }
        List<Object[]> v = new ArrayList<>();
        int i = 0;
        while (i < tsLineMetadata.length) {
            long ts = (Long) tsLineMetadata[i++];
            String line = (String) tsLineMetadata[i++];
            Map<?, ?> md = i < tsLineMetadata.length && tsLineMetadata[i] instanceof Map ? (Map<?, ?>) tsLineMetadata[i++] : null;
            v.add(new Object[]{ts, line, md});
        }
        labels.add(l);
        values.add(v);
        return this;
    }

    void to(FakeLoki loki) {
        to(loki, null);
    }

    void to(FakeLoki loki, String tenant) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("streams");
            for (int s = 0; s < labels.size(); s++) {
                g.writeStartObject();
                g.writeObjectFieldStart("stream");
                for (Map.Entry<String, String> e : labels.get(s).entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("values");
                for (Object[] v : values.get(s)) {
                    g.writeStartArray();
                    g.writeString(Long.toString((Long) v[0]));
                    g.writeString((String) v[1]);
                    if (v[2] != null) {
                        g.writeStartObject();
                        for (Map.Entry<?, ?> e : ((Map<?, ?>) v[2]).entrySet()) {
                            g.writeStringField((String) e.getKey(), (String) e.getValue());
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(loki.url() + FakeLoki.PUSH_PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(out.toString()));
        if (tenant != null) {
            rb.header("X-Scope-OrgID", tenant);
        }
        String auth = AUTH.get();
        if (auth != null) {
            rb.header("Authorization", auth);
        }
        try {
            HttpResponse<String> r = CLIENT.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 204) {
                throw new AssertionError("seeding failed: " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Authorization header for seeding a FakeLoki that requires auth. */
    static final ThreadLocal<String> AUTH = new ThreadLocal<>();

    /** FakeLoki accepting entries from 2024 (no "too old" check). */
    static FakeLoki.Builder fakeLoki() {
        return FakeLoki.builder().rejectOldSamplesMaxAgeNanos(0);
    }
}
