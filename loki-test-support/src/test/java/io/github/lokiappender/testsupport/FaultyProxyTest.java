package io.github.lokiappender.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultyProxyTest {
    private final FakeLoki loki = FakeLoki.start();
    private final FaultyProxy proxy = FaultyProxy.start(loki.url(), 4);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() {
        proxy.close();
        loki.close();
    }

    private HttpResponse<String> push(String line, Duration timeout) throws IOException, InterruptedException {
        String body = TestHttp.jsonPush("{\"app\":\"proxy\"}", System.currentTimeMillis() * 1_000_000L, line);
        HttpRequest r = HttpRequest.newBuilder(URI.create(proxy.url() + FakeLoki.PUSH_PATH)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2_000);
        s.setSoTimeout(2_000);
        return s;
    }

    @Test
    void passesPushesThroughUnchanged() throws Exception {
        assertThat(push("a", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        assertThat(push("b", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("a", "b");
        assertThat(proxy.url()).isEqualTo("http://127.0.0.1:" + proxy.port());
    }

    @Test
    void refuseClosesTheListenerAndResetsOpenConnectionsThenListensAgainOnTheSamePort() throws Exception {
        assertThat(push("before", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        Socket idle = connect();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() >= 1);

        proxy.mode(FaultyProxy.Mode.REFUSE);

        assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        assertThat(readEndOf(idle)).isIn("reset", "eof");
        assertThatThrownBy(() -> push("during", Duration.ofSeconds(5))).isInstanceOf(IOException.class);
        assertThat(proxy.openConnections()).isZero();

        proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(push("after", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("before", "after");
    }

    @Test
    void resetAcceptsAndResetsAtOnce() throws Exception {
        proxy.mode(FaultyProxy.Mode.RESET);
        assertThat(connectAndRead()).isEqualTo("reset");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.resetAtAccept() == 1);
        assertThatThrownBy(() -> push("x", Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(push("y", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("y");
    }

    @Test
    void hangReadsButNeverAnswersAndTheNextConnectionPassesAgain() throws Exception {
        assertThat(push("before", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        proxy.mode(FaultyProxy.Mode.HANG);
        // the kept-alive connection of the first push hangs as well as new ones
        assertThatThrownBy(() -> push("hung", Duration.ofMillis(300))).isInstanceOf(HttpTimeoutException.class);
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[64 * 1024]); // read and discarded: the write does not stall
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
        proxy.mode(FaultyProxy.Mode.PASS_THROUGH);
        assertThat(push("after", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("before", "after");
        // the stand-in counts a push as finished just after its answer went out: wait for that, not for the answer
        await().atMost(Duration.ofSeconds(5)).until(() -> loki.pendingPushes() == 0);
    }

    @Test
    void connectionsOverTheLimitAreResetAndCloseReleasesEverything() throws Exception {
        proxy.mode(FaultyProxy.Mode.HANG);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(connect());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 4);
            assertThat(connectAndRead()).isEqualTo("reset");
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.resetAtAccept() == 1);
            assertThat(proxy.acceptedConnections()).isEqualTo(5);

            proxy.close();
            for (Socket s : held) {
                assertThat(readEndOf(s)).isEqualTo("reset");
            }
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
            assertThat(proxy.openConnections()).isZero();
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                    t -> t.isAlive() && t.getName().startsWith("faulty-proxy-" + proxy.port() + "-accept"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** Connects and reads to the end; the reset may come so fast that connect itself sees it. */
    private String connectAndRead() throws IOException {
        Socket s;
        try {
            s = connect();
        } catch (ConnectException refused) {
            throw refused;
        } catch (SocketException e) {
            return "reset";
        }
        try (Socket c = s) {
            return readEndOf(c);
        }
    }

    /** How the peer ended the connection: "reset" (RST), "eof" (FIN); fails if it stays open. */
    private static String readEndOf(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return "eof";
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open");
        } catch (SocketException e) {
            return "reset";
        }
    }
}
