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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS trust: a CA file, insecure mode, the default (JVM trust store) refusing a self-signed
 * server, and a certificate for another host name refused; through both push transports. The
 * certificates are made with the JDK's keytool for each run ({@link SelfSignedTls}).
 */
class TlsTest {

    @TempDir
    static Path dir;
    static Path caPem;
    static Path otherHostCaPem;
    static HttpsServer server;
    static HttpsServer otherHostServer;
    static final AtomicInteger pushes = new AtomicInteger();

    @BeforeAll
    static void startHttpsServers() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir);
        caPem = tls.caPem();
        server = httpsServer(tls);
        SelfSignedTls other = SelfSignedTls.create(dir, "dns:loki.example"); // not 127.0.0.1
        otherHostCaPem = other.caPem();
        otherHostServer = httpsServer(other);
    }

    private static HttpsServer httpsServer(SelfSignedTls tls) throws Exception {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        s.createContext("/loki/api/v1/push", ex -> {
            ex.getRequestBody().readAllBytes();
            pushes.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        s.start();
        return s;
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        otherHostServer.stop(0);
    }

    private static StatsSnapshot pushOne(LokiConfig.Builder b, String transport, RecordingStatus status) {
        return pushOne(b, transport, status, server);
    }

    private static StatsSnapshot pushOne(LokiConfig.Builder b, String transport, RecordingStatus status, HttpsServer to) {
        LokiPipeline p = LokiPipeline.start(b.url("https://127.0.0.1:" + to.getAddress().getPort()).httpTransport(transport)
                .flushIntervalMs(10).maxRetries(0).build(), status);
        p.offer(LokiEvent.of(1, "tls", p.labelSets().intern(LabelSet.of(new String[]{"app"}, new String[]{"t"}))));
        p.flush(Duration.ofSeconds(20));
        return p.close(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"builtin", "jdk"})
    void trustsTheConfiguredCaCertificate(String transport) {
        int before = pushes.get();
        StatsSnapshot s = pushOne(LokiConfig.builder().caCertificatePath(caPem.toString()), transport, new RecordingStatus());
        assertThat(s.delivered()).isEqualTo(1);
        assertThat(pushes.get()).isEqualTo(before + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"builtin", "jdk"})
    void insecureModeAcceptsAnyCertificate(String transport) {
        StatsSnapshot s = pushOne(LokiConfig.builder().insecureSkipTlsVerify(true), transport, new RecordingStatus());
        assertThat(s.delivered()).isEqualTo(1);
        StatsSnapshot otherHost = pushOne(LokiConfig.builder().insecureSkipTlsVerify(true), transport, new RecordingStatus(),
                otherHostServer);
        assertThat(otherHost.delivered()).isEqualTo(1); // the host name is not checked either
    }

    @ParameterizedTest
    @ValueSource(strings = {"builtin", "jdk"})
    void verificationIsOnByDefault(String transport) {
        int before = pushes.get();
        RecordingStatus status = new RecordingStatus();
        StatsSnapshot s = pushOne(LokiConfig.builder(), transport, status);
        assertThat(s.delivered()).isZero();
        assertThat(s.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
        assertThat(pushes.get()).isEqualTo(before);
        assertThat(status.messages).anyMatch(m -> m.startsWith("ERROR giving up on a batch of 1 events after 1 attempts; last failure: SSLHandshakeException"));
    }

    /** A trusted certificate for another host (loki.example) than the one connected to (127.0.0.1). */
    @ParameterizedTest
    @ValueSource(strings = {"builtin", "jdk"})
    void aTrustedCertificateForAnotherHostIsRefused(String transport) {
        int before = pushes.get();
        RecordingStatus status = new RecordingStatus();
        StatsSnapshot s = pushOne(LokiConfig.builder().caCertificatePath(otherHostCaPem.toString()), transport, status,
                otherHostServer);
        assertThat(s.delivered()).isZero();
        assertThat(s.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
        assertThat(pushes.get()).isEqualTo(before);
        assertThat(status.messages).anyMatch(m -> m.startsWith("ERROR giving up on a batch of 1 events after 1 attempts; last failure: SSLHandshakeException")
                && m.contains("127.0.0.1"));
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
