package io.github.lokiappender.core.http;

import io.github.lokiappender.core.encode.EncodedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class Http1PushTransportTest {

    private ScriptedHttpServer server;
    private Http1PushTransport transport;

    @AfterEach
    void tearDown() throws Exception {
        if (transport != null) {
            transport.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static EncodedRequest request(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new EncodedRequest(b, b.length, "application/json", null);
    }

    private Http1PushTransport transport(HttpSettings.Builder b) {
        transport = new Http1PushTransport(b.build(), "test");
        return transport;
    }

    private Http1PushTransport transportTo(ScriptedHttpServer s) {
        return transport(HttpSettings.builder().url("http://127.0.0.1:" + s.port()).requestTimeoutMs(5_000));
    }

    private static long seconds(int s) {
        return TimeUnit.SECONDS.toNanos(s);
    }

    private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n";

    @Test
    void writesTheHeadAndBodyExactly() throws Exception {
        server = ScriptedHttpServer.start(i -> NO_CONTENT);
        byte[] body = "{\"streams\":[{\"stream\":{\"app\":\"é\"},\"values\":[[\"1\",\"x\"]]}]}".getBytes(StandardCharsets.UTF_8);
        transport(HttpSettings.builder().url("http://127.0.0.1:" + server.port() + "/loki-a/")
                .tenantId("team-1").username("u").password("p").header("X-Extra", "yes"));

        PushResponse r = transport.push(new EncodedRequest(body, body.length, "application/json", "gzip"), seconds(5));

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(server.heads).containsExactly("POST /loki-a/loki/api/v1/push HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + server.port() + "\r\n"
                + "User-Agent: loki-appender-java\r\n"
                + "X-Scope-OrgID: team-1\r\n"
                + "Authorization: Basic dTpw\r\n"
                + "X-Extra: yes\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Encoding: gzip\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n");
        assertThat(server.bodies.get(0)).isEqualTo(body);
    }

    @Test
    void keepsOneConnectionAliveAcrossPushes() throws Exception {
        server = ScriptedHttpServer.start(i -> NO_CONTENT);
        transportTo(server);
        for (int i = 0; i < 5; i++) {
            assertThat(transport.push(request("{\"n\":" + i + "}"), seconds(5)).status()).isEqualTo(204);
        }
        assertThat(server.connections.get()).isEqualTo(1);
        assertThat(server.bodies).extracting(b -> new String(b, StandardCharsets.UTF_8))
                .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
    }

    /** A connection idle for longer than load balancers keep one is not reused (it may be closing). */
    @Test
    void aConnectionIdleForLongIsReplacedBeforeUse() throws Exception {
        server = ScriptedHttpServer.start(i -> NO_CONTENT);
        AtomicLong now = new AtomicLong();
        transport = new Http1PushTransport(HttpSettings.builder().url("http://127.0.0.1:" + server.port()).build(), "test", now::get);

        assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        now.addAndGet(Http1PushTransport.MAX_IDLE_NANOS); // idle exactly as long as allowed: reused
        assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        assertThat(server.connections.get()).isEqualTo(1);
        now.addAndGet(Http1PushTransport.MAX_IDLE_NANOS + 1); // longer: a new connection
        assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void readsStatusRetryAfterAndErrorTextWithContentLength() throws Exception {
        String text = "  too many requests for this tenant \n";
        server = ScriptedHttpServer.start(i -> "HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + text.length() + "\r\n\r\n" + text);
        transportTo(server);

        PushResponse r = transport.push(request("{}"), seconds(5));
        PushResponse again = transport.push(request("{}"), seconds(5));

        assertThat(r.status()).isEqualTo(429);
        assertThat(r.retryAfter()).isEqualTo("7");
        assertThat(r.body()).isEqualTo("too many requests for this tenant");
        assertThat(again.body()).isEqualTo("too many requests for this tenant");
        assertThat(server.connections.get()).isEqualTo(1); // the body was read to its end: the connection stays usable
    }

    @Test
    void readsAChunkedErrorBody() throws Exception {
        server = ScriptedHttpServer.start(i -> i == 0
                ? "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n6;ext=1\r\nentry \r\n10\r\nout of order 123\r\n0\r\nX-Trailer: t\r\n\r\n"
                : NO_CONTENT);
        transportTo(server);

        PushResponse r = transport.push(request("{}"), seconds(5));
        PushResponse next = transport.push(request("{}"), seconds(5));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("entry out of order 123");
        assertThat(next.status()).isEqualTo(204);
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void skipsInterimAnswers() throws Exception {
        server = ScriptedHttpServer.start(i -> "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
        transportTo(server);
        assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
    }

    @Test
    void connectionCloseInTheAnswerMeansANewConnectionNextTime() throws Exception {
        server = ScriptedHttpServer.start(i -> "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n" + ScriptedHttpServer.CLOSE);
        transportTo(server);
        for (int i = 0; i < 3; i++) {
            assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        }
        assertThat(server.connections.get()).isEqualTo(3);
        assertThat(server.bodies).hasSize(3);
    }

    @Test
    void anAnswerWithoutLengthEndsWithTheConnection() throws Exception {
        server = ScriptedHttpServer.start(i -> "HTTP/1.0 500 Internal Server Error\r\n\r\nstore is down" + ScriptedHttpServer.CLOSE);
        transportTo(server);
        PushResponse r = transport.push(request("{}"), seconds(5));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("store is down");
    }

    /**
     * A server that closes a kept-alive connection while it is idle (as Loki does after its idle
     * timeout): the next push goes out on a new connection, without an error and without loss.
     */
    @Test
    void aKeptAliveConnectionClosedByTheServerIsReplacedTransparently() throws Exception {
        server = ScriptedHttpServer.start(i -> NO_CONTENT + ScriptedHttpServer.CLOSE); // closes without saying so
        transportTo(server);
        assertThat(transport.push(request("{\"n\":1}"), seconds(5)).status()).isEqualTo(204);
        server.awaitClosedConnections(1);

        assertThat(transport.push(request("{\"n\":2}"), seconds(5)).status()).isEqualTo(204);

        assertThat(server.connections.get()).isEqualTo(2);
        assertThat(server.bodies).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("{\"n\":1}", "{\"n\":2}");
    }

    @Test
    void aFreshConnectionClosedWithoutAnAnswerIsAnError() throws Exception {
        server = ScriptedHttpServer.start(i -> ScriptedHttpServer.CLOSE);
        transportTo(server);
        assertThatThrownBy(() -> transport.push(request("{}"), seconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("closed the connection without an answer");
        assertThat(server.connections.get()).isEqualTo(1); // not retried: a fresh connection is no stale one
    }

    @Test
    void somethingElseThanHttpIsAnError() throws Exception {
        server = ScriptedHttpServer.start(i -> "SSH-2.0-OpenSSH_9.6\r\n" + ScriptedHttpServer.CLOSE);
        transportTo(server);
        assertThatThrownBy(() -> transport.push(request("{}"), seconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP/1.x answer: SSH-2.0");
    }

    /** An error answer whose body stalls: the status comes back within the time given, with the text so far. */
    @Test
    void anErrorBodyThatStallsIsCutAtTheDeadline() throws Exception {
        server = ScriptedHttpServer.start(i -> "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1000\r\n\r\nstore is down"
                + ScriptedHttpServer.STALL);
        transportTo(server);

        long t0 = System.nanoTime();
        PushResponse r = transport.push(request("{}"), TimeUnit.MILLISECONDS.toNanos(500));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("store is down");
        assertThat(tookMs).isBetween(400L, 4_000L);
    }

    @Test
    void noAnswerWithinTheTimeoutIsAnHttpTimeout() throws Exception {
        server = ScriptedHttpServer.start(i -> ScriptedHttpServer.STALL);
        transportTo(server);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> transport.push(request("{}"), TimeUnit.MILLISECONDS.toNanos(300)))
                .isInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 4_000L);
    }

    /** A peer that accepts and never reads: the write blocks once the socket buffers are full. */
    @Test
    void aWriteThatBlocksIsCutAtTheDeadline() throws Exception {
        try (ServerSocket deaf = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicReference<Socket> accepted = new AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.set(deaf.accept()); // and never read from it
                } catch (IOException ignored) {
                    // closed by the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            transport(HttpSettings.builder().url("http://127.0.0.1:" + deaf.getLocalPort()).requestTimeoutMs(5_000));
            byte[] big = new byte[64 << 20]; // far more than loopback socket buffers hold
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> transport.push(new EncodedRequest(big, big.length, "application/json", null),
                    TimeUnit.MILLISECONDS.toNanos(400)))
                    .isInstanceOf(HttpTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(350L, 4_000L);
            Socket s = accepted.get();
            if (s != null) {
                s.close();
            }
        }
    }

    /** A push on its own thread to a server that never answers. */
    private static final class StalledPush {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        Thread thread;
    }

    /** Starts a push to a server that never answers; returns once the server has the request. */
    private StalledPush startStalledPush() throws Exception {
        server = ScriptedHttpServer.start(i -> ScriptedHttpServer.STALL);
        transportTo(server);
        StalledPush p = new StalledPush();
        p.thread = new Thread(() -> {
            try {
                transport.push(request("{}"), seconds(20));
            } catch (Throwable t) {
                p.thrown.set(t);
            } finally {
                p.done.countDown();
            }
        });
        p.thread.start();
        server.awaitRequests(1);
        return p;
    }

    @Test
    void anInterruptEndsAPushThatWaits() throws Exception {
        StalledPush p = startStalledPush();
        p.thread.interrupt();
        assertThat(p.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.thrown.get()).isInstanceOf(InterruptedException.class);
    }

    /** Stopping the appender closes the transport from another thread: it must not wait for a push in flight. */
    @Test
    void closeEndsAPushInFlightAtOnce() throws Exception {
        StalledPush p = startStalledPush();

        long t0 = System.nanoTime();
        transport.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);
        assertThat(p.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.thrown.get()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> transport.push(request("{}"), seconds(1))).isInstanceOf(IOException.class)
                .hasMessage("the transport is closed");
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        transport(HttpSettings.builder().url("http://127.0.0.1:" + port));
        assertThatThrownBy(() -> transport.push(request("{}"), seconds(5))).isInstanceOf(java.net.ConnectException.class);
    }

    /** The only thread is the deadline watchdog, started once: nothing per request. */
    @Test
    void pushesStartNoThreadPerRequest() throws Exception {
        server = ScriptedHttpServer.start(i -> NO_CONTENT);
        transportTo(server);
        assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 0; i < 30; i++) {
            assertThat(transport.push(request("{}"), seconds(5)).status()).isEqualTo(204);
        }
        // the scripted server starts one thread per connection; there is one connection
        assertThat(ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - started).isZero();
    }

    @Test
    void aProxyForTheUrlLeavesItToTheJdkClient() {
        HttpSettings settings = HttpSettings.builder().url("http://loki.example:3100").build();
        ProxySelector saved = ProxySelector.getDefault();
        try {
            ProxySelector.setDefault(new ProxySelector() {
                @Override
                public List<Proxy> select(URI uri) {
                    return uri.getHost().equals("loki.example")
                            ? List.of(new Proxy(Proxy.Type.HTTP, java.net.InetSocketAddress.createUnresolved("proxy", 3128)))
                            : List.of(Proxy.NO_PROXY);
                }

                @Override
                public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
                }
            });
            assertThat(Http1PushTransport.canReach(settings)).isFalse();
            assertThat(Http1PushTransport.canReach(HttpSettings.builder().url("http://127.0.0.1:3100").build())).isTrue();
        } finally {
            ProxySelector.setDefault(saved);
        }
        assertThat(Http1PushTransport.canReach(HttpSettings.builder().url("http://127.0.0.1:3100").build())).isTrue();
    }

    /**
     * A minimal HTTP/1.1 server on 127.0.0.1 whose answers are scripted per request (by its index):
     * it records the head and body of every request and the connections it accepted. In an answer,
     * {@link #CLOSE} closes the connection after what precedes it, {@link #STALL} stops answering.
     */
    static final class ScriptedHttpServer implements AutoCloseable {
        static final String CLOSE = "<close>";
        static final String STALL = "<stall>";

        final ServerSocket socket;
        final IntFunction<String> answers;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final List<String> heads = new CopyOnWriteArrayList<>();
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();
        final List<Socket> open = new CopyOnWriteArrayList<>();
        final CountDownLatch stop = new CountDownLatch(1);

        private ScriptedHttpServer(IntFunction<String> answers) throws IOException {
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.answers = answers;
        }

        static ScriptedHttpServer start(IntFunction<String> answers) throws IOException {
            ScriptedHttpServer s = new ScriptedHttpServer(answers);
            Thread t = new Thread(s::acceptLoop, "scripted-http-accept");
            t.setDaemon(true);
            t.start();
            return s;
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket c = socket.accept();
                    connections.incrementAndGet();
                    open.add(c);
                    Thread t = new Thread(() -> serve(c), "scripted-http-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket c) {
            try (c) {
                c.setSoTimeout(20_000);
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    int length = 0;
                    for (String line : head.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    heads.add(head);
                    bodies.add(in.readNBytes(length));
                    String answer = answers.apply(requests.getAndIncrement());
                    int stall = answer.indexOf(STALL);
                    int close = answer.indexOf(CLOSE);
                    int end = stall >= 0 ? stall : close >= 0 ? close : answer.length();
                    out.write(answer.substring(0, end).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (stall >= 0) {
                        stop.await(20, TimeUnit.SECONDS);
                        return;
                    }
                    if (close >= 0) {
                        return;
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException ended) {
                // the client went away, or the test ended
            } finally {
                closed.incrementAndGet();
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                b.write(c);
                matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        void awaitClosedConnections(int n) {
            await().atMost(Duration.ofSeconds(10)).until(() -> closed.get() >= n);
        }

        void awaitRequests(int n) {
            await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() >= n);
        }

        @Override
        public void close() throws IOException {
            stop.countDown();
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
