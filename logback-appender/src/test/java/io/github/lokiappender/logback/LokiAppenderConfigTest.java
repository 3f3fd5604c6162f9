package io.github.lokiappender.logback;

import ch.qos.logback.classic.LoggerContext;
import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.PushFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.github.lokiappender.logback.TestLogback.config;
import static io.github.lokiappender.logback.TestLogback.configure;
import static io.github.lokiappender.logback.TestLogback.loki;
import static io.github.lokiappender.logback.TestLogback.lokiStatus;
import static io.github.lokiappender.logback.TestLogback.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Every option of the configuration contract, read from logback XML as nested elements, and the
 * misconfigurations that must leave the appender inactive with one status error naming the option.
 * No event is logged to a Loki here (nothing listens on the URLs), so nothing is sent.
 */
class LokiAppenderConfigTest {

    @TempDir
    static Path dir;
    static Path caPem;

    @BeforeAll
    static void makeCaCertificate() throws Exception {
        Path ks = dir.resolve("ca.p12");
        caPem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=test-ca", "-validity", "2",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", caPem.toString());
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void readsEveryOptionFromNestedElements() {
        LoggerContext ctx = configure(config("""
                <url>http://127.0.0.1:9/loki/api/v1/push</url>
                <tenantId>team-a</tenantId>
                <username>12345</username>
                <password>s3cret</password>
                <headers>X-Source=logback, X-Env=test</headers>
                <format>json</format>
                <compression>gzip</compression>
                <compressionLevel>6</compressionLevel>
                <backlogCompressionLevel>2</backlogCompressionLevel>
                <batchMaxBytes>2048</batchMaxBytes>
                <batchMaxEvents>50</batchMaxEvents>
                <flushIntervalMs>250</flushIntervalMs>
                <bufferMaxBytes>4096000</bufferMaxBytes>
                <bufferMaxEvents>777</bufferMaxEvents>
                <overflowPolicy>block</overflowPolicy>
                <blockTimeoutMs>20</blockTimeoutMs>
                <maxRetries>3</maxRetries>
                <retryMinBackoffMs>10</retryMinBackoffMs>
                <retryMaxBackoffMs>100</retryMaxBackoffMs>
                <connectTimeoutMs>1234</connectTimeoutMs>
                <requestTimeoutMs>4321</requestTimeoutMs>
                <shutdownTimeoutMs>2500</shutdownTimeoutMs>
                <caCertificatePath>%s</caCertificatePath>
                <maxLineBytes>1000</maxLineBytes>
                <maxStreams>7</maxStreams>
                <micrometer>false</micrometer>
                <jmx>false</jmx>
                <labels>app=shop, level=%%level</labels>
                <structuredMetadata>trace_id=%%mdc{trace_id}</structuredMetadata>
                """.formatted(caPem)));
        try {
            LokiAppender appender = loki(ctx);
            assertThat(appender.isStarted()).isTrue();
            LokiConfig c = appender.config();
            assertThat(c.name()).isEqualTo("LOKI");
            assertThat(c.http().baseUri()).hasToString("http://127.0.0.1:9");
            assertThat(c.http().tenantId()).isEqualTo("team-a");
            assertThat(c.http().authorization()).isEqualTo(
                    "Basic " + Base64.getEncoder().encodeToString("12345:s3cret".getBytes(StandardCharsets.UTF_8)));
            assertThat(c.http().headers()).containsExactly(Map.entry("X-Source", "logback"), Map.entry("X-Env", "test"));
            assertThat(c.format()).isEqualTo(PushFormat.JSON);
            assertThat(c.compression()).isEqualTo(Compression.GZIP);
            assertThat(c.compressionLevel()).isEqualTo(6);
            assertThat(c.backlogCompressionLevel()).isEqualTo(2);
            assertThat(c.batchMaxBytes()).isEqualTo(2048);
            assertThat(c.batchMaxEvents()).isEqualTo(50);
            assertThat(c.flushIntervalMs()).isEqualTo(250);
            assertThat(c.bufferMaxBytes()).isEqualTo(4_096_000);
            assertThat(c.bufferMaxEvents()).isEqualTo(777);
            assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
            assertThat(c.blockTimeoutMs()).isEqualTo(20);
            assertThat(c.maxRetries()).isEqualTo(3);
            assertThat(c.retryMinBackoffMs()).isEqualTo(10);
            assertThat(c.retryMaxBackoffMs()).isEqualTo(100);
            assertThat(c.http().connectTimeout().toMillis()).isEqualTo(1234);
            assertThat(c.http().requestTimeout().toMillis()).isEqualTo(4321);
            assertThat(c.shutdownTimeoutMs()).isEqualTo(2500);
            assertThat(c.http().caCertificatePath()).isEqualTo(caPem.toString());
            assertThat(c.http().insecureSkipTlsVerify()).isFalse();
            assertThat(c.maxLineBytes()).isEqualTo(1000);
            assertThat(c.maxStreams()).isEqualTo(7);
            assertThat(c.micrometer()).isFalse();
            assertThat(c.jmx()).isFalse();
            assertThat(appender.getLabels()).isEqualTo("app=shop, level=%level");
            assertThat(appender.getStructuredMetadata()).isEqualTo("trace_id=%mdc{trace_id}");
            assertThat(problems(ctx)).isEmpty();
            assertThat(lokiStatus(ctx)).singleElement().asString()
                    .startsWith("INFO Loki appender 'LOKI' started: pushing to http://127.0.0.1:9 as json");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void readsBearerTokenProtobufAndInsecureTls() {
        LoggerContext ctx = configure(config("""
                <url>https://loki.example.com:8443/prefix/</url>
                <bearerToken>tok-123</bearerToken>
                <format>protobuf</format>
                <insecureSkipTlsVerify>true</insecureSkipTlsVerify>
                <labels>app=shop</labels>
                """));
        try {
            LokiConfig c = loki(ctx).config();
            assertThat(c.http().baseUri()).hasToString("https://loki.example.com:8443/prefix");
            assertThat(c.http().authorization()).isEqualTo("Bearer tok-123");
            assertThat(c.format()).isEqualTo(PushFormat.PROTOBUF);
            assertThat(c.compression()).isEqualTo(Compression.NONE);
            assertThat(c.http().insecureSkipTlsVerify()).isTrue();
            assertThat(problems(ctx)).isEmpty();
        } finally {
            ctx.stop();
        }
    }

    @Test
    void unsetOptionsTakeTheDocumentedDefaults() {
        LoggerContext ctx = configure(config("<url>http://127.0.0.1:9</url><labels>app=shop</labels>"));
        try {
            LokiConfig c = loki(ctx).config();
            assertThat(c.http().tenantId()).isNull();
            assertThat(c.http().authorization()).isNull();
            assertThat(c.http().headers()).isEmpty();
            assertThat(c.format()).isEqualTo(PushFormat.JSON);
            assertThat(c.compression()).isEqualTo(Compression.NONE);
            assertThat(c.batchMaxBytes()).isEqualTo(1024 * 1024);
            assertThat(c.batchMaxEvents()).isEqualTo(10_000);
            assertThat(c.flushIntervalMs()).isEqualTo(1000);
            assertThat(c.bufferMaxBytes()).isEqualTo(32L * 1024 * 1024);
            assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.DROP_NEWEST);
            assertThat(c.blockTimeoutMs()).isZero();
            assertThat(c.maxRetries()).isEqualTo(10);
            assertThat(c.retryMinBackoffMs()).isEqualTo(500);
            assertThat(c.retryMaxBackoffMs()).isEqualTo(30_000);
            assertThat(c.http().connectTimeout().toMillis()).isEqualTo(5000);
            assertThat(c.http().requestTimeout().toMillis()).isEqualTo(15_000);
            assertThat(c.shutdownTimeoutMs()).isEqualTo(10_000);
            assertThat(c.http().caCertificatePath()).isNull();
            assertThat(c.http().insecureSkipTlsVerify()).isFalse();
            assertThat(c.maxLineBytes()).isEqualTo(256 * 1024);
            assertThat(c.maxStreams()).isEqualTo(1000);
            assertThat(c.micrometer()).isTrue();
            assertThat(c.jmx()).isTrue();
            assertThat(c.spoolDirectory()).isNull();
            assertThat(c.spoolMaxBytes()).isEqualTo(256L * 1024 * 1024);
            assertThat(c.jdkHttpClient()).isFalse();
        } finally {
            ctx.stop();
        }
    }

    @Test
    void spoolOptions() {
        Path spool = dir.resolve("spool");
        LoggerContext ctx = configure(config("<url>http://127.0.0.1:9</url><labels>app=shop</labels>"
                + "<spoolDirectory>" + spool + "</spoolDirectory><spoolMaxBytes>10485760</spoolMaxBytes>"));
        try {
            LokiConfig c = loki(ctx).config();
            assertThat(c.spoolDirectory()).isEqualTo(spool);
            assertThat(c.spoolMaxBytes()).isEqualTo(10L * 1024 * 1024);
            assertThat(spool.resolve("loki-spool.lock")).exists(); // taken at start
            assertThat(problems(ctx)).isEmpty();
        } finally {
            ctx.stop();
        }
    }

    @Test
    void aSecondAppenderOnTheSameSpoolDirectoryReportsItAndKeepsEventsInMemory() {
        Path spool = dir.resolve("shared-spool");
        LoggerContext first = configure(config("<url>http://127.0.0.1:9</url><labels>app=shop</labels>"
                + "<spoolDirectory>" + spool + "</spoolDirectory>"));
        LoggerContext second = configure(config("<url>http://127.0.0.1:9</url><labels>app=shop</labels>"
                + "<spoolDirectory>" + spool + "</spoolDirectory>"));
        try {
            assertThat(loki(second).isStarted()).isTrue();
            assertThat(problems(second)).containsExactly("WARN 'spoolDirectory' " + spool + " is in use by another"
                    + " appender in this JVM; Loki appender 'LOKI' keeps events in memory only until the directory is free");
            assertThat(problems(first)).isEmpty();
        } finally {
            second.stop();
            first.stop();
        }
    }

    @Test
    void httpTransportOption() {
        LoggerContext ctx = configure(config("<url>http://127.0.0.1:9</url><labels>app=shop</labels><httpTransport>jdk</httpTransport>"));
        try {
            assertThat(loki(ctx).config().jdkHttpClient()).isTrue();
            assertThat(problems(ctx)).isEmpty();
        } finally {
            ctx.stop();
        }
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><httpTransport>okhttp</httpTransport>",
                "'httpTransport' must be builtin or jdk, was 'okhttp'");
    }

    @Test
    void badSpoolOptionsNameTheirOptions() {
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><spoolMaxBytes>0</spoolMaxBytes>",
                "'spoolMaxBytes' must be > 0, was 0");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><spoolMaxBytes>1000</spoolMaxBytes>",
                "'spoolMaxBytes' must be at least 2 x batchMaxBytes (2097152), was 1000");
    }

    @Test
    void missingUrlIsOneErrorAndTheApplicationKeepsLogging() {
        assertInactiveWithOneError("<labels>app=shop</labels>",
                "ERROR Loki appender 'LOKI' is not started: 'url' is required (Loki's base URL, e.g. http://localhost:3100)");
    }

    @Test
    void malformedUrlNamesTheOption() {
        assertInactiveWithOneError("<url>localhost:3100</url>",
                "ERROR Loki appender 'LOKI' is not started: 'url' must start with http:// or https://, was 'localhost:3100'");
        assertInactiveWithOneError("<url>http://</url>", "'url'");
    }

    @Test
    void unknownFormatNamesTheOption() {
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><format>xml</format>",
                "ERROR Loki appender 'LOKI' is not started: 'format' must be json or protobuf, was 'xml'");
    }

    @Test
    void unknownCompressionAndPolicyNameTheirOptions() {
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><compression>zstd</compression>",
                "'compression' must be none or gzip, was 'zstd'");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><compression>gzip</compression><compressionLevel>10</compressionLevel>",
                "'compressionLevel' must be between 1 (fastest) and 9 (smallest), was 10");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><compression>gzip</compression>"
                        + "<backlogCompressionLevel>-1</backlogCompressionLevel>",
                "'backlogCompressionLevel' must be between 0 (stored) and 9 (smallest), was -1");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><overflowPolicy>WAIT</overflowPolicy>",
                "'overflowPolicy' must be DROP_NEWEST, DROP_OLDEST or BLOCK, was 'WAIT'");
    }

    @Test
    void negativeSizesAreAllNamedInOneError() {
        String error = assertInactiveWithOneError("""
                <url>http://127.0.0.1:9</url>
                <batchMaxBytes>-1</batchMaxBytes>
                <bufferMaxBytes>-5</bufferMaxBytes>
                <batchMaxEvents>0</batchMaxEvents>
                <flushIntervalMs>-1</flushIntervalMs>
                <shutdownTimeoutMs>-10</shutdownTimeoutMs>
                """, "'batchMaxBytes' must be between 1 and 6291456");
        assertThat(error).contains("'bufferMaxBytes' must be > 0, was -5", "'batchMaxEvents' must be > 0, was 0",
                "'flushIntervalMs' must be >= 0, was -1", "'shutdownTimeoutMs' must be >= 0, was -10");
    }

    @Test
    void badTimeoutsRetriesAndLimitsNameTheirOptions() {
        String error = assertInactiveWithOneError("""
                <url>http://127.0.0.1:9</url>
                <connectTimeoutMs>0</connectTimeoutMs>
                <requestTimeoutMs>-1</requestTimeoutMs>
                <maxRetries>-1</maxRetries>
                <retryMinBackoffMs>100</retryMinBackoffMs>
                <retryMaxBackoffMs>50</retryMaxBackoffMs>
                <blockTimeoutMs>-1</blockTimeoutMs>
                <bufferMaxEvents>0</bufferMaxEvents>
                <maxLineBytes>10</maxLineBytes>
                <maxStreams>0</maxStreams>
                """, "'connectTimeoutMs' must be > 0, was 0");
        assertThat(error).contains("'requestTimeoutMs'", "'maxRetries'", "'retryMaxBackoffMs'", "'blockTimeoutMs'",
                "'bufferMaxEvents'", "'maxLineBytes'", "'maxStreams'");
    }

    @Test
    void badCredentialsTlsAndTenantNameTheirOptions() {
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><username>u</username>",
                "'username' and 'password' must be set together");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><caCertificatePath>" + dir.resolve("missing.pem")
                + "</caCertificatePath>", "'caCertificatePath' " + dir.resolve("missing.pem") + " is not a readable file");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><tenantId>a|b</tenantId>", "'tenantId' names several tenants");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><headers>Bad Name=x</headers>",
                "header name 'Bad Name' is not a valid HTTP header name");
    }

    @Test
    void badLabelListsNameTheirOption() {
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><labels>app=shop, oops</labels>",
                "'labels' entry 'oops' is not name=value");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><labels>app=a, app=b</labels>", "'labels' names 'app' twice");
        assertInactiveWithOneError("<url>http://127.0.0.1:9</url><structuredMetadata>=x</structuredMetadata>",
                "'structuredMetadata' has an entry without a name");
    }

    @Test
    void everyProblemOfOneAppenderIsInTheSameError() {
        String error = assertInactiveWithOneError("<format>xml</format><labels>oops</labels>", "'url' is required");
        assertThat(error).contains("'format' must be json or protobuf", "'labels' entry 'oops' is not name=value");
    }

    @Test
    void invalidLabelNamesAreSanitizedWithOneWarning() {
        LoggerContext ctx = configure(config(
                "<url>http://127.0.0.1:9</url><labels>app=shop, my-app=%logger, 1st=x, __reserved=y, ok=z</labels>"));
        try {
            assertThat(loki(ctx).isStarted()).isTrue();
            assertThat(problems(ctx)).containsExactly("WARN Loki appender 'LOKI': label names Loki would reject were "
                    + "changed: 'my-app' -> 'my_app', '1st' -> '_1st', '__reserved' -> '_reserved'");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void tooManyLabelsAndNoLabelsAreReported() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            many.append(i == 0 ? "" : ", ").append("l").append(i).append("=v");
        }
        LoggerContext ctx = configure(config("<url>http://127.0.0.1:9</url><labels>" + many + "</labels>"));
        try {
            assertThat(loki(ctx).isStarted()).isTrue();
            assertThat(problems(ctx)).containsExactly("WARN Loki appender 'LOKI': 16 labels configured; Loki accepts at"
                    + " most 15 per stream by default and rejects streams with more");
        } finally {
            ctx.stop();
        }
        ctx = configure(config("<url>http://127.0.0.1:9</url>"));
        try {
            assertThat(loki(ctx).isStarted()).isTrue();
            assertThat(problems(ctx)).isEmpty();
            assertThat(lokiStatus(ctx)).contains("INFO Loki appender 'LOKI': no 'labels' configured; events are sent"
                    + " with the label service_name=<context name> (unknown_service when the context is not named)");
        } finally {
            ctx.stop();
        }
    }

    @Test
    void staticLabelsAreEvaluatedOnceAndSubstitutedByJoran() {
        LoggerContext ctx = configure(config("""
                <url>http://127.0.0.1:9</url>
                <labels>app=shop, host=${HOSTNAME}, env=${LOKI_APPENDER_TEST_UNSET:-dev}</labels>
                """));
        try {
            LabelResolver r = loki(ctx).labelResolver();
            assertThat(r.isFixed()).isTrue();
            assertThat(r.dynamicCount()).isZero();
        } finally {
            ctx.stop();
        }
    }

    @Test
    void startAndStopCanBeRepeated() {
        LoggerContext ctx = configure(config("<url>http://127.0.0.1:9</url><labels>app=shop</labels>"));
        try {
            LokiAppender a = loki(ctx);
            a.stop();
            assertThat(a.isStarted()).isFalse();
            assertThat(a.getStats().offered()).isZero();
            a.start();
            assertThat(a.isStarted()).isTrue();
            a.start(); // a second start is a no-op
            assertThat(lokiStatus(ctx)).filteredOn(m -> m.contains("started")).hasSize(2);
        } finally {
            ctx.stop();
        }
    }

    /** Asserts the LOKI appender did not start, reported exactly one error containing {@code expected}, and logging goes on. */
    private static String assertInactiveWithOneError(String elements, String expected) {
        LoggerContext ctx = configure(config(elements));
        try {
            LokiAppender appender = loki(ctx);
            assertThat(appender.isStarted()).isFalse();
            List<String> errors = lokiStatus(ctx).stream().filter(m -> m.startsWith("ERROR")).toList();
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0)).startsWith("ERROR Loki appender 'LOKI' is not started: ").contains(expected);
            assertThat(lokiStatus(ctx)).hasSize(1);
            Logger log = ctx.getLogger("app.orders");
            assertThatCode(() -> log.info("still running")).doesNotThrowAnyException();
            assertThat(TestLogback.list(ctx).list).hasSize(1);
            assertThat(appender.getStats()).isNull();
            return errors.get(0);
        } finally {
            ctx.stop();
        }
    }
}
