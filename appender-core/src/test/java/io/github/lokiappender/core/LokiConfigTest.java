package io.github.lokiappender.core;

import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.PushFormat;
import io.github.lokiappender.core.http.Http1PushTransport;
import io.github.lokiappender.core.http.HttpSettings;
import io.github.lokiappender.core.http.JdkPushTransport;
import io.github.lokiappender.core.http.PushTransport;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LokiConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        LokiConfig c = LokiConfig.builder().url("http://localhost:3100").build();
        assertThat(c.http().baseUri().toString()).isEqualTo("http://localhost:3100");
        assertThat(c.http().resolve("/loki/api/v1/push").toString()).isEqualTo("http://localhost:3100/loki/api/v1/push");
        assertThat(c.format()).isEqualTo(PushFormat.JSON);
        assertThat(c.compression()).isEqualTo(Compression.NONE);
        assertThat(c.compressionLevel()).isEqualTo(1);
        assertThat(c.backlogCompressionLevel()).isEqualTo(0);
        assertThat(c.batchMaxBytes()).isEqualTo(1024 * 1024);
        assertThat(c.batchMaxEvents()).isEqualTo(10_000);
        assertThat(c.flushIntervalMs()).isEqualTo(1_000);
        assertThat(c.bufferMaxBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(c.bufferMaxEvents()).isEqualTo(1_000_000);
        assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.DROP_NEWEST);
        assertThat(c.blockTimeoutMs()).isZero();
        assertThat(c.maxRetries()).isEqualTo(10);
        assertThat(c.retryMinBackoffMs()).isEqualTo(500);
        assertThat(c.retryMaxBackoffMs()).isEqualTo(30_000);
        assertThat(c.http().connectTimeout().toMillis()).isEqualTo(5_000);
        assertThat(c.http().requestTimeout().toMillis()).isEqualTo(15_000);
        assertThat(c.shutdownTimeoutMs()).isEqualTo(10_000);
        assertThat(c.http().caCertificatePath()).isNull();
        assertThat(c.http().insecureSkipTlsVerify()).isFalse();
        assertThat(c.maxLineBytes()).isEqualTo(256 * 1024);
        assertThat(c.maxStreams()).isEqualTo(1000);
        assertThat(c.http().tenantId()).isNull();
        assertThat(c.http().authorization()).isNull();
    }

    @Test
    void urlForms() {
        assertThat(url("http://loki:3100/")).isEqualTo("http://loki:3100");
        assertThat(url("https://logs.example.com/loki/api/v1/push")).isEqualTo("https://logs.example.com");
        assertThat(url("HTTPS://gw.example.com/tenant-a/")).isEqualTo("https://gw.example.com/tenant-a");
        assertThat(url("  http://[::1]:3100 ")).isEqualTo("http://[::1]:3100");
    }

    private static String url(String u) {
        return LokiConfig.builder().url(u).build().http().baseUri().toString();
    }

    @Test
    void badUrlsNameTheOption() {
        assertProblem(b -> b.url(null), "'url' is required (Loki's base URL, e.g. http://localhost:3100)");
        assertProblem(b -> b.url("  "), "'url' is required");
        assertProblem(b -> b.url("localhost:3100"), "'url' must start with http:// or https://, was 'localhost:3100'");
        assertProblem(b -> b.url("ftp://x"), "'url' must start with http:// or https://");
        assertProblem(b -> b.url("http://"), "'url' is not a valid URL");
        assertProblem(b -> b.url("http://a b"), "'url' is not a valid URL");
        assertProblem(b -> b.url("http://user:pw@loki:3100"), "'url' must not carry credentials");
        assertProblem(b -> b.url("http://loki:3100/?x=1"), "'url' must not have a query or fragment");
    }

    @Test
    void everyBadOptionIsNamedAndAllAreReportedTogether() {
        assertThatThrownBy(() -> LokiConfig.builder().url("http://l").format("xml").compression("zstd")
                .overflowPolicy("wait").batchMaxBytes(7_000_000).batchMaxEvents(0).flushIntervalMs(-1)
                .bufferMaxBytes(-5).bufferMaxEvents(0).blockTimeoutMs(-1).maxRetries(-1).retryMinBackoffMs(0)
                .retryMaxBackoffMs(-2).shutdownTimeoutMs(-1).maxLineBytes(10).maxStreams(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(String.join("; ",
                        "'format' must be json or protobuf, was 'xml'",
                        "'compression' must be none or gzip, was 'zstd'",
                        "'overflowPolicy' must be DROP_NEWEST, DROP_OLDEST or BLOCK, was 'wait'",
                        "'batchMaxBytes' must be between 1 and 6291456 (Loki's default ingestion burst), was 7000000",
                        "'batchMaxEvents' must be > 0, was 0",
                        "'flushIntervalMs' must be >= 0, was -1",
                        "'bufferMaxBytes' must be > 0, was -5",
                        "'bufferMaxEvents' must be > 0, was 0",
                        "'blockTimeoutMs' must be >= 0, was -1",
                        "'maxRetries' must be >= 0, was -1",
                        "'retryMinBackoffMs' must be > 0, was 0",
                        "'retryMaxBackoffMs' must be >= retryMinBackoffMs (0), was -2",
                        "'shutdownTimeoutMs' must be >= 0, was -1",
                        "'maxLineBytes' must be 0 (no limit) or between 64 and 6291456, was 10",
                        "'maxStreams' must be > 0, was 0"));
    }

    @Test
    void spoolIsOffByDefaultAndItsOptionsAreValidated() {
        LokiConfig off = LokiConfig.builder().url("http://l").build();
        assertThat(off.spoolDirectory()).isNull();
        assertThat(off.spoolMaxBytes()).isEqualTo(268_435_456L);
        assertThat(LokiConfig.builder().url("http://l").spoolDirectory("  ").build().spoolDirectory()).isNull();

        LokiConfig on = LokiConfig.builder().url("http://l").spoolDirectory("var/spool/../loki").spoolMaxBytes(4_194_304)
                .batchMaxBytes(2_097_152).build();
        assertThat(on.spoolDirectory()).isEqualTo(java.nio.file.Paths.get("var/loki").toAbsolutePath());
        assertThat(on.spoolMaxBytes()).isEqualTo(4_194_304);
        assertThat(on.toString()).contains("spoolDirectory=" + on.spoolDirectory() + ", spoolMaxBytes=4194304");

        assertThatThrownBy(() -> LokiConfig.builder().url("http://l").spoolDirectory("s").spoolMaxBytes(0).build())
                .hasMessage("'spoolMaxBytes' must be > 0, was 0");
        assertThatThrownBy(() -> LokiConfig.builder().url("http://l").spoolDirectory("s").spoolMaxBytes(4_194_303)
                .batchMaxBytes(2_097_152).build())
                .hasMessage("'spoolMaxBytes' must be at least 2 x batchMaxBytes (4194304), was 4194303");
        assertThatThrownBy(() -> LokiConfig.builder().url("http://l").spoolDirectory("bad\u0000name").build())
                .hasMessageStartingWith("'spoolDirectory' is not a valid path: 'bad\u0000name'");
    }

    @Test
    void enumOptionsAreCaseInsensitive() {
        LokiConfig c = LokiConfig.builder().url("http://l").format("PROTOBUF").overflowPolicy("drop-oldest").build();
        assertThat(c.format()).isEqualTo(PushFormat.PROTOBUF);
        assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.DROP_OLDEST);
        assertProblem(b -> b.url("http://l").format("protobuf").compression("gzip"), "'compression' applies to json only");
    }

    @Test
    void compressionLevelIsOneToNine() {
        assertThat(LokiConfig.builder().url("http://l").compression("gzip").compressionLevel(9).build().compressionLevel())
                .isEqualTo(9);
        assertProblem(b -> b.url("http://l").compressionLevel(0),
                "'compressionLevel' must be between 1 (fastest) and 9 (smallest), was 0");
        assertProblem(b -> b.url("http://l").compressionLevel(10),
                "'compressionLevel' must be between 1 (fastest) and 9 (smallest), was 10");
    }

    @Test
    void backlogCompressionLevelIsZeroToNine() {
        assertThat(LokiConfig.builder().url("http://l").compression("gzip").backlogCompressionLevel(9).build()
                .backlogCompressionLevel()).isEqualTo(9);
        assertProblem(b -> b.url("http://l").backlogCompressionLevel(-1),
                "'backlogCompressionLevel' must be between 0 (stored) and 9 (smallest), was -1");
        assertProblem(b -> b.url("http://l").backlogCompressionLevel(10),
                "'backlogCompressionLevel' must be between 0 (stored) and 9 (smallest), was 10");
    }

    @Test
    void httpTransportIsBuiltinOrJdk() {
        assertThat(LokiConfig.builder().url("http://l").build().jdkHttpClient()).isFalse();
        assertThat(LokiConfig.builder().url("http://l").httpTransport(" JDK ").build().jdkHttpClient()).isTrue();
        assertThat(LokiConfig.builder().url("http://l").httpTransport("builtin").build().jdkHttpClient()).isFalse();
        assertProblem(b -> b.url("http://l").httpTransport("netty"), "'httpTransport' must be builtin or jdk, was 'netty'");
    }

    /** The pipeline's transport: the builtin one by default, the JDK's when asked for. */
    @Test
    void theTransportFollowsHttpTransport() {
        PushTransport builtin = LokiPipeline.transportFor(LokiConfig.builder().url("http://127.0.0.1:3100").build(), "t");
        PushTransport jdk = LokiPipeline.transportFor(LokiConfig.builder().url("http://127.0.0.1:3100").httpTransport("jdk").build(), "t");
        try {
            assertThat(builtin).isInstanceOf(Http1PushTransport.class);
            assertThat(jdk).isInstanceOf(JdkPushTransport.class);
        } finally {
            builtin.close();
            jdk.close();
        }
    }

    @Test
    void authAndTenant() {
        HttpSettings basic = HttpSettings.builder().url("https://logs.grafana.net").username("12345").password("glc_tok").build();
        assertThat(basic.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("12345:glc_tok".getBytes()));
        assertThat(basic.toString()).doesNotContain("glc_tok").doesNotContain("12345").contains("authorization=<hidden>");
        HttpSettings bearer = HttpSettings.builder().url("http://l").bearerToken("s3cret").tenantId("team-a").build();
        assertThat(bearer.authorization()).isEqualTo("Bearer s3cret");
        assertThat(bearer.tenantId()).isEqualTo("team-a");
        assertThat(bearer.toString()).doesNotContain("s3cret");

        assertProblem(b -> b.url("http://l").http().username("u"), "'username' and 'password' must be set together");
        assertProblem(b -> b.url("http://l").http().username("u").password("p").bearerToken("t"), "set either 'username'/'password' or 'bearerToken', not both");
        assertProblem(b -> b.url("http://l").http().tenantId("a|b"), "'tenantId' names several tenants");
        assertProblem(b -> b.url("http://l").http().tenantId("x".repeat(151)), "'tenantId' is longer than 150 bytes");
        assertProblem(b -> b.url("http://l").http().tenantId("bad\r\nX-Evil: 1"), "'tenantId' may only contain letters, digits and !-_.*'() but has '\\u000d'");
        assertProblem(b -> b.url("http://l").http().bearerToken("a\nb"), "'bearerToken' must not contain CR or LF");
        assertProblem(b -> b.url("http://l").http().header("X-Ok", "a\r\nb"), "header 'X-Ok' must have a value without CR or LF");
        assertProblem(b -> b.url("http://l").http().header("Bad Name", "v"), "header name 'Bad Name' is not a valid HTTP header name");
        assertProblem(b -> b.url("http://l").http().header("content-length", "5"),
                "header 'content-length' is set by the appender itself and cannot be configured");
        assertProblem(b -> b.url("http://l").http().header("Host", "loki"), "header 'Host' is set by the appender itself");
        assertProblem(b -> b.url("http://l").tenantId("a").http().header("x-scope-orgid", "b"),
                "set either 'tenantId' or a header 'X-Scope-OrgID', not both");
        assertProblem(b -> b.url("http://l").http().bearerToken("t").header("Authorization", "Token x"),
                "set either 'username'/'password' or 'bearerToken' or a header 'Authorization', not both");
        LokiConfig.Builder ok = LokiConfig.builder().url("http://l");
        ok.http().header("Authorization", "Token x").header("X-Scope-OrgID", "t"); // alone, they are the user's to set
        assertThat(ok.build().http().headers()).containsEntry("Authorization", "Token x").containsEntry("X-Scope-OrgID", "t");
        assertProblem(b -> b.url("http://l").http().connectTimeoutMs(0), "'connectTimeoutMs' must be > 0, was 0");
        assertProblem(b -> b.url("http://l").http().requestTimeoutMs(-1), "'requestTimeoutMs' must be > 0, was -1");
        assertProblem(b -> b.url("http://l").http().caCertificatePath("/no/such/ca.pem"), "'caCertificatePath' /no/such/ca.pem is not a readable file");
    }

    @Test
    void secretsNeverAppearInErrorsOrToString() {
        assertThatThrownBy(() -> LokiConfig.builder().url("http://l").username("user1").password("hunter2")
                .bearerToken("tok3n").build())
                .hasMessageNotContaining("hunter2").hasMessageNotContaining("tok3n");
        LokiConfig c = LokiConfig.builder().url("http://l").username("user1").password("hunter2").build();
        assertThat(c.toString()).doesNotContain("hunter2");
    }

    private static void assertProblem(java.util.function.Consumer<LokiConfig.Builder> setup, String message) {
        LokiConfig.Builder b = LokiConfig.builder();
        setup.accept(b);
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
