package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.stats.DropReason;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FaultyProxy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static io.github.lokiappender.core.reliability.FaultRig.T0;
import static io.github.lokiappender.core.reliability.FaultRig.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 8, "Security": credentials never show in toString, status output or exception messages;
 * CR/LF in anything that becomes a header is refused at configuration. TLS verification on by
 * default is proven against a real TLS server in {@code http.TlsTest#verificationIsOnByDefault}.
 */
class SecurityTest {

    private static final String PASSWORD = "pw-S3CRET-a1b2";
    private static final String TOKEN = "tok-S3CRET-c3d4";
    private static final String HEADER_SECRET = "key-S3CRET-e5f6";

    /** Everything a status channel would print: messages and the full cause chains. */
    private static final class CapturingStatus implements StatusReporter {
        final List<String> printed = new CopyOnWriteArrayList<>();

        @Override
        public void info(String message) {
            printed.add(message);
        }

        @Override
        public void warn(String message, Throwable cause) {
            record(message, cause);
        }

        @Override
        public void error(String message, Throwable cause) {
            record(message, cause);
        }

        private void record(String message, Throwable cause) {
            printed.add(message);
            for (Throwable t = cause; t != null; t = t.getCause()) {
                printed.add(t.toString());
            }
        }
    }

    private static List<String> secretForms(String user, String secret) {
        List<String> forms = new ArrayList<>();
        forms.add(secret);
        forms.add("S3CRET");
        if (user != null) {
            forms.add(Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return forms;
    }

    private static void assertFreeOf(String text, List<String> secrets) {
        for (String s : secrets) {
            assertThat(text).doesNotContain(s);
        }
    }

    @Test
    void toStringNeverShowsPasswordsTokensOrHeaderValues() {
        LokiConfig basic = LokiConfig.builder().url("http://127.0.0.1:3100").username("user").password(PASSWORD)
                .header("X-Api-Key", HEADER_SECRET).build();
        LokiConfig bearer = LokiConfig.builder().url("http://127.0.0.1:3100").bearerToken(TOKEN).build();
        for (String text : new String[]{basic.toString(), basic.http().toString(), bearer.toString(), bearer.http().toString()}) {
            assertFreeOf(text, secretForms("user", PASSWORD));
            assertFreeOf(text, secretForms(null, TOKEN));
            assertFreeOf(text, secretForms(null, HEADER_SECRET));
            assertThat(text).contains("authorization=<hidden>");
        }
        assertThat(basic.http().toString()).contains("headers=[X-Api-Key]");
    }

    @Test
    void aRejectedBasicAuthRunNeverPrintsThePassword() {
        runAgainstLokiRequiringAuth(FakeLoki.builder().basicAuth("user", "the-right-one"),
                b -> b.username("user").password(PASSWORD), secretForms("user", PASSWORD));
    }

    @Test
    void aRejectedBearerTokenRunNeverPrintsTheToken() {
        runAgainstLokiRequiringAuth(FakeLoki.builder().bearerToken("the-right-one"),
                b -> b.bearerToken(TOKEN), secretForms(null, TOKEN));
    }

    /** A 401, then connection failures through the proxy: nothing printed carries the secret. */
    private static void runAgainstLokiRequiringAuth(FakeLoki.Builder loki, Consumer<LokiConfig.Builder> auth,
                                                    List<String> secrets) {
        CapturingStatus status = new CapturingStatus();
        try (FaultRig rig = new FaultRig(loki.start())) {
            LokiConfig.Builder b = rig.config().maxRetries(2).header("X-Api-Key", HEADER_SECRET);
            auth.accept(b);
            LokiConfig config = b.build();
            LokiPipeline p = rig.track(LokiPipeline.start(config, status));
            p.offer(LokiEvent.of(T0, "denied", p.labelSets().intern(labels("app", "sec"))));
            assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(p.stats().dropped(DropReason.REJECTED)).isEqualTo(1);
            assertThat(rig.loki.requests()).extracting(FakeLoki.Request::status).containsExactly(401);

            rig.proxy.mode(FaultyProxy.Mode.REFUSE);
            p.offer(LokiEvent.of(T0 + 1, "refused", p.labelSets().intern(labels("app", "sec"))));
            assertThat(p.flush(Duration.ofSeconds(10))).isTrue();
            StatsSnapshot end = p.close(Duration.ofSeconds(2));
            assertThat(end.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);

            assertThat(status.printed).anyMatch(m -> m.contains("HTTP 401"))
                    .anyMatch(m -> m.contains("giving up on a batch of 1 events"))
                    .anyMatch(m -> m.contains("stopped"));
            for (String m : status.printed) {
                assertFreeOf(m, secrets);
                assertFreeOf(m, secretForms(null, HEADER_SECRET));
            }
            assertFreeOf(p.toString(), secrets);
        }
    }

    @Test
    void configurationErrorsNameTheOptionButNeverEchoASecret() {
        List<LokiConfig.Builder> bad = List.of(
                LokiConfig.builder().url("http://127.0.0.1:3100").password(PASSWORD),
                LokiConfig.builder().url("http://127.0.0.1:3100").username("u").password(PASSWORD).bearerToken(TOKEN),
                LokiConfig.builder().url("http://127.0.0.1:3100").username("u").password("pw\r\n" + PASSWORD),
                LokiConfig.builder().url("http://127.0.0.1:3100").bearerToken(TOKEN + "\nX-Evil: 1"),
                LokiConfig.builder().url("http://127.0.0.1:3100").header("X-Api-Key", HEADER_SECRET + "\r\nX-Evil: 1"),
                // credentials pasted into the URL, also in URLs that are wrong for other reasons
                LokiConfig.builder().url("http://user:" + PASSWORD + "@127.0.0.1:3100"),
                LokiConfig.builder().url("http://user:" + PASSWORD + " x@127.0.0.1:3100"),
                LokiConfig.builder().url("ftp://user:" + PASSWORD + "@127.0.0.1:3100"),
                LokiConfig.builder().url("http://user:" + PASSWORD + "@/loki"));
        for (LokiConfig.Builder b : bad) {
            assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).satisfies(e -> {
                assertFreeOf(e.getMessage(), secretForms("u", PASSWORD));
                assertFreeOf(e.getMessage(), secretForms(null, TOKEN));
                assertFreeOf(e.getMessage(), secretForms(null, HEADER_SECRET));
            });
        }
    }

    @Test
    void aBadUrlIsStillShownWithItsHostButWithoutItsCredentials() {
        assertThatThrownBy(() -> LokiConfig.builder().url("http://user:" + PASSWORD + " x@loki.example:3100").build())
                .hasMessageStartingWith("'url' is not a valid URL: 'http://***@loki.example:3100' (")
                .hasMessageNotContaining("user");
        assertThatThrownBy(() -> LokiConfig.builder().url("ftp://user:pa/ss@loki.example:3100/x?q").build())
                .hasMessage("'url' must start with http:// or https://, was 'ftp://***@loki.example:3100/x?q'");
        assertThatThrownBy(() -> LokiConfig.builder().url("http://loki.example:3100/a?b=@c").build())
                .hasMessage("'url' must not have a query or fragment: 'http://loki.example:3100/a?b=@c'");
    }

    @Test
    void crOrLfInAnythingThatBecomesAHeaderIsRefusedAtConfiguration() {
        String url = "http://127.0.0.1:3100";
        assertThatThrownBy(() -> LokiConfig.builder().url(url).tenantId("team\r\nX-Scope-OrgID: other").build())
                .hasMessageContaining("'tenantId' may only contain letters, digits and !-_.*'() but has '\\u000d'");
        assertThatThrownBy(() -> LokiConfig.builder().url(url).tenantId("team\nother").build())
                .hasMessageContaining("'tenantId' may only contain");
        assertThatThrownBy(() -> LokiConfig.builder().url(url).header("X-Custom", "a\r\nX-Evil: 1").build())
                .hasMessageContaining("header 'X-Custom' must have a value without CR or LF");
        assertThatThrownBy(() -> LokiConfig.builder().url(url).header("X-Custom\r\nX-Evil", "1").build())
                .hasMessageContaining("is not a valid HTTP header name");
        assertThatThrownBy(() -> LokiConfig.builder().url(url).username("u\nX-Evil: 1").password("p").build())
                .hasMessageContaining("'username' must not contain CR or LF");
        assertThatThrownBy(() -> LokiConfig.builder().url(url).bearerToken("t\rX").build())
                .hasMessageContaining("'bearerToken' must not contain CR or LF");
    }

    @Test
    void tlsVerificationIsOnByDefault() {
        // the handshake itself is refused for an untrusted certificate in http.TlsTest#verificationIsOnByDefault
        assertThat(LokiConfig.builder().url("https://loki.example.com").build().http().insecureSkipTlsVerify()).isFalse();
    }
}
