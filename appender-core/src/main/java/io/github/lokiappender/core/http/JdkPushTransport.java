package io.github.lokiappender.core.http;

import io.github.lokiappender.core.encode.EncodedRequest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Pushes over the JDK's {@link HttpClient}. The client runs on its own small daemon executor
 * whose threads are marked as the appender's, so that anything the client logs can be recognised
 * and kept out of the appender.
 */
public final class JdkPushTransport implements PushTransport {

    /** Loki's push path, appended to the base URL. */
    public static final String PUSH_PATH = "/loki/api/v1/push";

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
        // send(), not sendAsync(): sendAsync hands every completion to CompletableFuture's default
        // pool, which on machines with 1-2 CPUs starts a new thread per request; send() also writes
        // the request on this thread instead of handing it to the executor. The request timeout
        // bounds the wait for the status line; the body (Loki's error text) is read on the side.
        long start = System.nanoTime();
        HttpResponse<ResponseText> r = client.send(rb.build(), ResponseText.HANDLER);
        String text = "";
        if (r.statusCode() / 100 != 2) {
            text = r.body().await(Math.max(1_000_000L, timeoutNanos - (System.nanoTime() - start)));
        }
        return new PushResponse(r.statusCode(), text, r.headers().firstValue("Retry-After").orElse(null));
    }

    /**
     * Collects the start of the response body as it arrives, without holding up the response: the
     * sender waits for it only when it needs it (an error answer), and only as long as it has time.
     * The whole body is still read, so that the connection can be reused.
     */
    static final class ResponseText implements HttpResponse.BodySubscriber<ResponseText> {
        static final HttpResponse.BodyHandler<ResponseText> HANDLER = info -> new ResponseText();
        private static final int MAX_BYTES = PushResponse.MAX_BODY_CHARS * 4;

        private final CompletableFuture<ResponseText> body = CompletableFuture.completedFuture(this);
        private final CountDownLatch done = new CountDownLatch(1);
        private byte[] bytes; // made when a body arrives (a 204 has none)
        private int length;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            synchronized (this) {
                for (ByteBuffer b : items) {
                    if (bytes == null) {
                        bytes = new byte[MAX_BYTES];
                    }
                    int n = Math.min(b.remaining(), MAX_BYTES - length);
                    b.get(bytes, length, n);
                    length += n;
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        @Override
        public CompletionStage<ResponseText> getBody() {
            return body;
        }

        /** The body as text (what arrived within {@code nanos}), trimmed and cut to a readable length. */
        String await(long nanos) throws InterruptedException {
            done.await(nanos, TimeUnit.NANOSECONDS);
            synchronized (this) {
                return PushResponse.readable(bytes, length);
            }
        }
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
