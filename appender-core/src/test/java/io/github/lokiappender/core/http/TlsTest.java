package io.github.lokiappender.core.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.SelfSignedTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS trust: a CA file, insecure mode, and the default (JVM trust store) refusing a self-signed
 * server. The certificate is made with the JDK's keytool for each run ({@link SelfSignedTls}).
 */
class TlsTest {

    @TempDir
    static Path dir;
    static Path caPem;
    static HttpsServer server;
    static final AtomicInteger pushes = new AtomicInteger();

    @BeforeAll
    static void startHttpsServer() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir);
        caPem = tls.caPem();
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext("/loki/api/v1/push", ex -> {
            ex.getRequestBody().readAllBytes();
            pushes.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static StatsSnapshot pushOne(LokiConfig.Builder b, RecordingStatus status) {
        LokiPipeline p = LokiPipeline.start(b.url("https://127.0.0.1:" + server.getAddress().getPort())
                .flushIntervalMs(10).maxRetries(0).build(), status);
        p.offer(LokiEvent.of(1, "tls", p.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"t"}))));
        p.flush(Duration.ofSeconds(20));
        return p.close(Duration.ofSeconds(5));
    }

    @Test
    void trustsTheConfiguredCaCertificate() {
        int before = pushes.get();
        StatsSnapshot s = pushOne(LokiConfig.builder().caCertificatePath(caPem.toString()), new RecordingStatus());
        assertThat(s.delivered()).isEqualTo(1);
        assertThat(pushes.get()).isEqualTo(before + 1);
    }

    @Test
    void insecureModeAcceptsAnyCertificate() {
        StatsSnapshot s = pushOne(LokiConfig.builder().insecureSkipTlsVerify(true), new RecordingStatus());
        assertThat(s.delivered()).isEqualTo(1);
    }

    @Test
    void verificationIsOnByDefault() {
        int before = pushes.get();
        RecordingStatus status = new RecordingStatus();
        StatsSnapshot s = pushOne(LokiConfig.builder(), status);
        assertThat(s.delivered()).isZero();
        assertThat(s.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
        assertThat(pushes.get()).isEqualTo(before);
        assertThat(status.messages).anyMatch(m -> m.startsWith("ERROR giving up on a batch of 1 events after 1 attempts; last failure: SSLHandshakeException"));
    }

    @Test
    void aFileWithoutCertificatesIsAClearError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpClients.trusting(empty.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot load caCertificatePath " + empty);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LokiConfig.builder().url("https://l")
                        .caCertificatePath(empty.toString()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'caCertificatePath' cannot be loaded: " + empty);
    }
}
