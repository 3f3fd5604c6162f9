package io.github.lokiappender.core.query;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.lokiappender.core.http.RecordingStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

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
        Path ks = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "loki", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-alias", "loki", "-keystore", ks.toString(), "-storepass", "changeit", "-rfc",
                "-file", caPem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
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

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
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
