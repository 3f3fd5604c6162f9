package io.github.lokiappender.core.http;

import io.github.lokiappender.core.encode.EncodedRequest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pushes over the JDK's {@link HttpClient}. The client runs on its own small daemon executor
 * whose threads are marked as the appender's, so that anything the client logs can be recognised
 * and kept out of the appender.
 */
public final class JdkPushTransport implements PushTransport {

    /** Loki's push path, appended to the base URL. */
    public static final String PUSH_PATH = "/loki/api/v1/push";
    private static final int MAX_BODY_CHARS = 1024;

    private final HttpSettings settings;
    private final URI pushUri;
    private final ExecutorService executor;
    private final HttpClient client;

    public JdkPushTransport(HttpSettings settings, String threadName) {
        this.settings = settings;
        this.pushUri = settings.resolve(PUSH_PATH);
        this.executor = Executors.newFixedThreadPool(2, InternalThreads.factory(threadName + "-http"));
        this.client = HttpClients.create(settings, executor);
    }

    public URI pushUri() {
        return pushUri;
    }

    @Override
    public PushResponse push(EncodedRequest request, long timeoutNanos) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(pushUri)
                .timeout(Duration.ofNanos(Math.max(1_000_000L, Math.min(timeoutNanos, settings.requestTimeout().toNanos()))))
                .header("Content-Type", request.contentType())
                .POST(ByteArrayBody.of(request.body(), 0, request.length())); // no copy of the body
        if (request.contentEncoding() != null) {
            rb.header("Content-Encoding", request.contentEncoding());
        }
        if (settings.tenantId() != null) {
            rb.header("X-Scope-OrgID", settings.tenantId());
        }
        if (settings.authorization() != null) {
            rb.header("Authorization", settings.authorization());
        }
        for (Map.Entry<String, String> h : settings.headers().entrySet()) {
            rb.header(h.getKey(), h.getValue());
        }
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        try {
            // bounded wait of our own, on top of the request timeout, so a shutdown deadline holds
            HttpResponse<byte[]> r = f.get(timeoutNanos + 50_000_000L, TimeUnit.NANOSECONDS);
            return new PushResponse(r.statusCode(), readable(r.body()), r.headers().firstValue("Retry-After").orElse(null));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            throw new IOException(c == null ? "push failed" : c.toString(), c);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new java.net.http.HttpTimeoutException("no answer from Loki within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    private static String readable(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String s = new String(body, 0, Math.min(body.length, MAX_BODY_CHARS * 4), StandardCharsets.UTF_8).trim();
        return s.length() > MAX_BODY_CHARS ? s.substring(0, MAX_BODY_CHARS) + "..." : s;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        // Java 21+ can stop the client's selector thread at once; before that it ends when the client is collected
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
        } catch (ReflectiveOperationException | RuntimeException notAvailable) {
            // Java 11-20: nothing to do
        }
    }
}
