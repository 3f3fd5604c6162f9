package io.github.lokiappender.core.http;

import com.sun.net.httpserver.HttpServer;
import io.github.lokiappender.core.encode.EncodedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdkPushTransportTest {

    private HttpServer server;
    private ServerSocket raw;
    private JdkPushTransport transport;

    @AfterEach
    void tearDown() throws Exception {
        if (transport != null) {
            transport.close();
        }
        if (server != null) {
            server.stop(0);
        }
        if (raw != null) {
            raw.close();
        }
    }

    private static EncodedRequest request(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new EncodedRequest(b, b.length, "application/json", null);
    }

    private JdkPushTransport transportTo(int port, long requestTimeoutMs) {
        return new JdkPushTransport(HttpSettings.builder().url("http://127.0.0.1:" + port)
                .requestTimeoutMs(requestTimeoutMs).build(), "test");
    }

    @Test
    void pushesTheBodyAndReadsStatusErrorTextAndRetryAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> bodies = new CopyOnWriteArrayList<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/loki/api/v1/push", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (calls.incrementAndGet() == 1) {
                ex.sendResponseHeaders(204, -1);
            } else {
                byte[] out = "  too many requests for this tenant \n".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Retry-After", "7");
                ex.sendResponseHeaders(429, out.length);
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
        transport = transportTo(server.getAddress().getPort(), 5_000);

        PushResponse ok = transport.push(request("{\"streams\":[]}"), TimeUnit.SECONDS.toNanos(5));
        PushResponse limited = transport.push(request("{\"streams\":[1]}"), TimeUnit.SECONDS.toNanos(5));

        assertThat(bodies).containsExactly("{\"streams\":[]}", "{\"streams\":[1]}");
        assertThat(ok.status()).isEqualTo(204);
        assertThat(ok.body()).isEmpty();
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("too many requests for this tenant");
        assertThat(limited.retryAfter()).isEqualTo("7");
    }

    /**
     * The JDK's sendAsync hands each completion to CompletableFuture's default pool, which on a
     * machine with one or two CPUs is a new thread per task: one thread per push. Pushing must not
     * start threads (beyond the client's own, started by the first push).
     */
    @Test
    void pushesStartNoThreadPerRequest() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(null); // the server's dispatcher thread handles every exchange
        server.createContext("/loki/api/v1/push", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        transport = transportTo(server.getAddress().getPort(), 5_000);
        for (int i = 0; i < 3; i++) { // the client's selector and executor threads start here
            assertThat(transport.push(request("{}"), TimeUnit.SECONDS.toNanos(5)).status()).isEqualTo(204);
        }

        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 0; i < 30; i++) {
            assertThat(transport.push(request("{}"), TimeUnit.SECONDS.toNanos(5)).status()).isEqualTo(204);
        }
        long startedDuring = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - started;

        // a thread per request would be 30; the executor may replace a thread at most now and then
        assertThat(startedDuring).isLessThanOrEqualTo(2);
    }

    /** An error answer whose body stalls: the status comes back within the time given, with the text so far. */
    @Test
    void anErrorBodyThatStallsDoesNotHoldUpTheSender() throws Exception {
        raw = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (Socket s = raw.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                StringBuilder head = new StringBuilder();
                // read the request head and the 2-byte body
                while (!head.toString().contains("\r\n\r\n{}")) {
                    int n = in.read(buf);
                    if (n < 0) {
                        return;
                    }
                    head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1000\r\n\r\nstore is down")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                release.await(10, TimeUnit.SECONDS); // the rest of the body never comes
            } catch (Exception ignored) {
                // the test has ended
            }
        }, "stalling-server");
        t.setDaemon(true);
        t.start();
        transport = transportTo(raw.getLocalPort(), 5_000);

        try {
            long t0 = System.nanoTime();
            PushResponse r = transport.push(request("{}"), TimeUnit.MILLISECONDS.toNanos(800));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body()).isEqualTo("store is down");
            assertThat(tookMs).isLessThan(5_000); // bounded by the 800 ms given, not by the server
        } finally {
            release.countDown();
        }
    }

    @Test
    void noAnswerWithinTheTimeoutIsAnIOException() throws Exception {
        raw = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // accepts (backlog), never answers
        transport = transportTo(raw.getLocalPort(), 5_000);

        assertThatThrownBy(() -> transport.push(request("{}"), TimeUnit.MILLISECONDS.toNanos(300)))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
    }
}
