package io.github.lokiappender.core.query;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.testsupport.SelfSignedTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS trust of the query client: a CA file, insecure mode (with its warning), and the JVM default refusing. */
class QueryTlsTest {

    @TempDir
    static Path dir;
    static Path caPem;
    static HttpsServer server;
    static String url;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir);
        caPem = tls.caPem();
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext("/ready", ex -> {
            byte[] body = "ready\n".getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void trustsTheGivenCaFile() {
        try (LokiQueryClient c = LokiQueryClient.builder().url(url).caCertificatePath(caPem.toString()).build()) {
            assertThat(c.ready()).isTrue();
        }
    }

    @Test
    void insecureModeConnectsAndWarnsOnce() {
        RecordingStatus status = new RecordingStatus();
        try (LokiQueryClient c = LokiQueryClient.builder().url(url).insecureSkipTlsVerify(true).status(status).build()) {
            assertThat(c.ready()).isTrue();
            assertThat(c.ready()).isTrue();
        }
        assertThat(status.messages).hasSize(1);
        assertThat(status.messages.get(0)).startsWith("WARN insecureSkipTlsVerify is on");
    }

    @Test
    void theJvmTrustStoreRefusesASelfSignedServer() {
        try (LokiQueryClient c = LokiQueryClient.builder().url(url).build()) {
            assertThatThrownBy(c::buildInfo).isInstanceOfSatisfying(LokiQueryException.class, e -> {
                assertThat(e.isConnectionFailure()).isTrue();
                assertThat(e.attempts()).isEqualTo(1); // an untrusted certificate is not retried
                assertThat(e.getMessage()).startsWith("TLS failure talking to Loki at " + url
                        + " for GET /loki/api/v1/status/buildinfo: ")
                        .endsWith("(for a private CA set caCertificatePath)");
            });
        }
    }
}
