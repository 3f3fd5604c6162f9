package io.github.lokiappender.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Test-side HTTP helpers: posting hand-built push bodies and calling the query API. */
final class TestHttp {
    static final Instant NOW = Instant.parse("2024-11-24T00:00:00Z");
    static final long NOW_NS = NOW.getEpochSecond() * 1_000_000_000L;
    static final String JSON = "application/json";
    static final String PROTOBUF = "application/x-protobuf";

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private TestHttp() {
    }

    /** POSTs to the push path; headers are name/value pairs. */
    static HttpResponse<String> push(FakeLoki loki, String contentType, byte[] body, String... headers) {
        try {
            return CLIENT.send(pushRequest(loki, contentType, body, headers), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static CompletableFuture<HttpResponse<String>> pushAsync(FakeLoki loki, String contentType, byte[] body,
                                                             String... headers) {
        return CLIENT.sendAsync(pushRequest(loki, contentType, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest pushRequest(FakeLoki loki, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(loki.url() + FakeLoki.PUSH_PATH))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    static HttpResponse<String> pushJson(FakeLoki loki, String json, String... headers) {
        return push(loki, JSON, utf8(json), headers);
    }

    /** GET {@code path} with query parameters given as name/value pairs (URL-encoded here). */
    static HttpResponse<String> get(FakeLoki loki, String path, String[] params, String... headers) {
        StringBuilder uri = new StringBuilder(loki.url()).append(path);
        for (int i = 0; i < params.length; i += 2) {
            uri.append(i == 0 ? '?' : '&').append(enc(params[i])).append('=').append(enc(params[i + 1]));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(Duration.ofSeconds(5)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String[] params(String... nameValues) {
        return nameValues;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** raw = true: bare DEFLATE (what Go's compress/flate reads); false: zlib-wrapped. */
    static byte[] deflate(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            d.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A push body with one stream and entries given as (nanosecond timestamp, line) pairs. */
    static String jsonPush(String labelsJson, Object... tsLinePairs) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < tsLinePairs.length; i += 2) {
            if (i > 0) {
                values.append(',');
            }
            values.append("[\"").append(tsLinePairs[i]).append("\",\"").append(tsLinePairs[i + 1]).append("\"]");
        }
        return "{\"streams\":[{\"stream\":" + labelsJson + ",\"values\":[" + values + "]}]}";
    }
}
