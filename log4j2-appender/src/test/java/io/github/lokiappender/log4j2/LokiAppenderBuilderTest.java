package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.PushFormat;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static io.github.lokiappender.log4j2.Log4jTestSupport.loki;
import static io.github.lokiappender.log4j2.Log4jTestSupport.startXml;
import static io.github.lokiappender.log4j2.Log4jTestSupport.xml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every attribute and child element of {@code <Loki>}, good and bad, as Log4j2 reads them from a
 * configuration file: good values reach the core's config; bad ones keep the appender from being
 * created, with one StatusLogger error naming the attribute, and the application still starts.
 */
class LokiAppenderBuilderTest {

    /** Nothing listens there: these tests never ship. */
    private static final String URL = "http://127.0.0.1:9";

    @TempDir
    Path dir;
    private LoggerContext ctx;
    private StatusCapture status;

    @BeforeEach
    void capture() {
        status = StatusCapture.open(Level.WARN);
    }

    @AfterEach
    void stop() {
        Log4jTestSupport.stop(ctx);
        status.close();
    }

    @Test
    void everyAttributeReachesTheCoreConfig() throws Exception {
        ctx = startXml(dir, "all", xml(URL + "/loki/api/v1/push",
                "tenantId=\"team-a\" username=\"user\" password=\"secret\" format=\"protobuf\" compression=\"none\""
                        + " batchMaxBytes=\"2048\" batchMaxEvents=\"7\" flushIntervalMs=\"250\" bufferMaxBytes=\"4096\""
                        + " bufferMaxEvents=\"99\" overflowPolicy=\"block\" blockTimeoutMs=\"3\" maxRetries=\"2\""
                        + " retryMinBackoffMs=\"10\" retryMaxBackoffMs=\"20\" connectTimeoutMs=\"111\""
                        + " requestTimeoutMs=\"222\" shutdownTimeoutMs=\"333\" maxLineBytes=\"1000\" maxStreams=\"5\""
                        + " micrometer=\"false\" jmx=\"false\"",
                "<Label name=\"app\" value=\"shop\"/>"));

        LokiConfig c = loki(ctx).config();
        assertThat(c.http().baseUri().toString()).isEqualTo(URL);
        assertThat(c.http().tenantId()).isEqualTo("team-a");
        assertThat(c.http().authorization())
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("user:secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(c.format()).isEqualTo(PushFormat.PROTOBUF);
        assertThat(c.compression()).isEqualTo(Compression.NONE);
        assertThat(c.batchMaxBytes()).isEqualTo(2048);
        assertThat(c.batchMaxEvents()).isEqualTo(7);
        assertThat(c.flushIntervalMs()).isEqualTo(250);
        assertThat(c.bufferMaxBytes()).isEqualTo(4096);
        assertThat(c.bufferMaxEvents()).isEqualTo(99);
        assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
        assertThat(c.blockTimeoutMs()).isEqualTo(3);
        assertThat(c.maxRetries()).isEqualTo(2);
        assertThat(c.retryMinBackoffMs()).isEqualTo(10);
        assertThat(c.retryMaxBackoffMs()).isEqualTo(20);
        assertThat(c.http().connectTimeout()).isEqualTo(Duration.ofMillis(111));
        assertThat(c.http().requestTimeout()).isEqualTo(Duration.ofMillis(222));
        assertThat(c.shutdownTimeoutMs()).isEqualTo(333);
        assertThat(c.maxLineBytes()).isEqualTo(1000);
        assertThat(c.maxStreams()).isEqualTo(5);
        assertThat(c.micrometer()).isFalse();
        assertThat(c.jmx()).isFalse();
        assertThat(java.lang.management.ManagementFactory.getPlatformMBeanServer().queryNames(
                javax.management.ObjectName.getInstance("io.github.lokiappender:type=LokiAppender,name=LOKI*"), null))
                .isEmpty();
        assertThat(c.name()).isEqualTo("LOKI");
        assertThat(status.lokiMessages(Level.ERROR)).isEmpty();
        // secrets stay out of what Log4j2 prints about the appender
        assertThat(loki(ctx).toString()).doesNotContain("secret");
    }

    @Test
    void spoolAttributes() {
        Path spool = dir.resolve("spool");
        ctx = startXml(dir, "spool", xml(URL, "spoolDirectory=\"" + spool + "\" spoolMaxBytes=\"10485760\"",
                "<Label name=\"app\" value=\"shop\"/>"));

        LokiConfig c = loki(ctx).config();
        assertThat(c.spoolDirectory()).isEqualTo(spool);
        assertThat(c.spoolMaxBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(spool.resolve("loki-spool.lock")).exists(); // taken at start
        assertThat(status.lokiMessages(Level.ERROR)).isEmpty();
    }

    @Test
    void httpTransportAttribute() {
        ctx = startXml(dir, "transport", xml(URL, "httpTransport=\"jdk\"", "<Label name=\"app\" value=\"shop\"/>"));
        assertThat(loki(ctx).config().jdkHttpClient()).isTrue();
        assertThat(status.lokiMessages(Level.ERROR)).isEmpty();
    }

    @Test
    void bearerTokenGzipAndInsecureTls() {
        ctx = startXml(dir, "bearer", xml("https://loki.example:3100", "bearerToken=\"tok-1\" compression=\"gzip\" compressionLevel=\"9\" backlogCompressionLevel=\"3\""
                + " insecureSkipTlsVerify=\"TRUE\"", "<Label name=\"app\" value=\"shop\"/>"));

        LokiConfig c = loki(ctx).config();
        assertThat(c.http().authorization()).isEqualTo("Bearer tok-1");
        assertThat(c.format()).isEqualTo(PushFormat.JSON);
        assertThat(c.compression()).isEqualTo(Compression.GZIP);
        assertThat(c.compressionLevel()).isEqualTo(9);
        assertThat(c.backlogCompressionLevel()).isEqualTo(3);
        assertThat(c.http().insecureSkipTlsVerify()).isTrue();
    }

    @Test
    void caCertificatePathWithAPemFile() throws Exception {
        Path pem = writePemOfAJdkTrustedCa();
        ctx = startXml(dir, "ca", xml("https://loki.example", "caCertificatePath=\"" + pem + "\"",
                "<Label name=\"app\" value=\"shop\"/>"));

        assertThat(loki(ctx).config().http().caCertificatePath()).isEqualTo(pem.toString());
    }

    @Test
    void defaultsWhenOnlyUrlAndLabelsAreGiven() {
        ctx = startXml(dir, "defaults", "<Configuration><Appenders><Loki name=\"LOKI\" url=\"" + URL + "\">"
                + "<Label name=\"app\" value=\"shop\"/></Loki></Appenders><Loggers><Root level=\"info\">"
                + "<AppenderRef ref=\"LOKI\"/></Root></Loggers></Configuration>");

        LokiAppender appender = loki(ctx);
        LokiConfig c = appender.config();
        assertThat(c.format()).isEqualTo(PushFormat.JSON);
        assertThat(c.compression()).isEqualTo(Compression.NONE);
        assertThat(c.compressionLevel()).isEqualTo(1);
        assertThat(c.backlogCompressionLevel()).isEqualTo(0);
        assertThat(c.batchMaxBytes()).isEqualTo(1024 * 1024);
        assertThat(c.batchMaxEvents()).isEqualTo(10_000);
        assertThat(c.flushIntervalMs()).isEqualTo(1_000);
        assertThat(c.bufferMaxBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.DROP_NEWEST);
        assertThat(c.blockTimeoutMs()).isZero();
        assertThat(c.maxRetries()).isEqualTo(10);
        assertThat(c.retryMinBackoffMs()).isEqualTo(500);
        assertThat(c.retryMaxBackoffMs()).isEqualTo(30_000);
        assertThat(c.http().connectTimeout()).isEqualTo(Duration.ofMillis(5_000));
        assertThat(c.http().requestTimeout()).isEqualTo(Duration.ofMillis(15_000));
        assertThat(c.shutdownTimeoutMs()).isEqualTo(10_000);
        assertThat(c.http().caCertificatePath()).isNull();
        assertThat(c.http().insecureSkipTlsVerify()).isFalse();
        assertThat(c.micrometer()).isTrue();
        assertThat(c.jmx()).isTrue();
        assertThat(c.http().tenantId()).isNull();
        assertThat(c.http().authorization()).isNull();
        assertThat(c.spoolDirectory()).isNull();
        assertThat(c.spoolMaxBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(c.jdkHttpClient()).isFalse();
        assertThat(appender.getLayout()).isInstanceOf(PatternLayout.class);
        assertThat(((PatternLayout) appender.getLayout()).getConversionPattern()).isEqualTo(LokiAppender.DEFAULT_PATTERN);
    }

    static Stream<Arguments> badAttributes() {
        return Stream.of(
                arguments("url=\"\"", "'url' is required"),
                arguments("url=\"ftp://loki:21\"", "'url' must start with http:// or https://, was 'ftp://loki:21'"),
                arguments("url=\"http://user:pw@loki:3100\"", "'url' must not carry credentials"),
                arguments("format=\"xml\"", "'format' must be json or protobuf, was 'xml'"),
                arguments("compression=\"brotli\"", "'compression' must be none or gzip, was 'brotli'"),
                arguments("format=\"protobuf\" compression=\"gzip\"", "'compression' applies to json only"),
                arguments("compressionLevel=\"0\"", "'compressionLevel' must be between 1 (fastest) and 9 (smallest), was 0"),
                arguments("backlogCompressionLevel=\"10\"",
                        "'backlogCompressionLevel' must be between 0 (stored) and 9 (smallest), was 10"),
                arguments("compressionLevel=\"fast\"", "'compressionLevel' must be a whole number up to 2147483647, was 'fast'"),
                arguments("batchMaxBytes=\"1MB\"", "'batchMaxBytes' must be a whole number, was '1MB'"),
                arguments("batchMaxBytes=\"0\"", "'batchMaxBytes' must be between 1 and 6291456"),
                arguments("batchMaxBytes=\"7000000\"", "'batchMaxBytes' must be between 1 and 6291456"),
                arguments("batchMaxEvents=\"many\"", "'batchMaxEvents' must be a whole number up to 2147483647, was 'many'"),
                arguments("batchMaxEvents=\"0\"", "'batchMaxEvents' must be > 0, was 0"),
                arguments("flushIntervalMs=\"soon\"", "'flushIntervalMs' must be a whole number, was 'soon'"),
                arguments("flushIntervalMs=\"-1\"", "'flushIntervalMs' must be >= 0, was -1"),
                arguments("bufferMaxBytes=\"0\"", "'bufferMaxBytes' must be > 0, was 0"),
                arguments("bufferMaxEvents=\"-3\"", "'bufferMaxEvents' must be > 0, was -3"),
                arguments("bufferMaxEvents=\"9999999999\"", "'bufferMaxEvents' must be a whole number up to 2147483647"),
                arguments("overflowPolicy=\"WAIT\"", "'overflowPolicy' must be DROP_NEWEST, DROP_OLDEST or BLOCK, was 'WAIT'"),
                arguments("httpTransport=\"okhttp\"", "'httpTransport' must be builtin or jdk, was 'okhttp'"),
                arguments("blockTimeoutMs=\"-1\"", "'blockTimeoutMs' must be >= 0, was -1"),
                arguments("maxRetries=\"-1\"", "'maxRetries' must be >= 0, was -1"),
                arguments("maxRetries=\"3.5\"", "'maxRetries' must be a whole number up to 2147483647, was '3.5'"),
                arguments("retryMinBackoffMs=\"0\"", "'retryMinBackoffMs' must be > 0, was 0"),
                arguments("retryMaxBackoffMs=\"100\"", "'retryMaxBackoffMs' must be >= retryMinBackoffMs (500), was 100"),
                arguments("connectTimeoutMs=\"0\"", "'connectTimeoutMs' must be > 0, was 0"),
                arguments("requestTimeoutMs=\"x\"", "'requestTimeoutMs' must be a whole number, was 'x'"),
                arguments("requestTimeoutMs=\"0\"", "'requestTimeoutMs' must be > 0, was 0"),
                arguments("shutdownTimeoutMs=\"-5\"", "'shutdownTimeoutMs' must be >= 0, was -5"),
                arguments("caCertificatePath=\"/no/such/ca.pem\"", "'caCertificatePath' /no/such/ca.pem is not a readable file"),
                arguments("insecureSkipTlsVerify=\"yes\"", "'insecureSkipTlsVerify' must be true or false, was 'yes'"),
                arguments("maxLineBytes=\"10\"", "'maxLineBytes' must be 0 (no limit) or between 64 and 6291456, was 10"),
                arguments("maxStreams=\"0\"", "'maxStreams' must be > 0, was 0"),
                arguments("micrometer=\"yes\"", "'micrometer' must be true or false, was 'yes'"),
                arguments("jmx=\"on\"", "'jmx' must be true or false, was 'on'"),
                arguments("spoolMaxBytes=\"lots\"", "'spoolMaxBytes' must be a whole number, was 'lots'"),
                arguments("spoolMaxBytes=\"0\"", "'spoolMaxBytes' must be > 0, was 0"),
                arguments("spoolMaxBytes=\"1000\"", "'spoolMaxBytes' must be at least 2 x batchMaxBytes (2097152), was 1000"),
                arguments("tenantId=\"a|b\"", "'tenantId' names several tenants"),
                arguments("tenantId=\"team a\"", "'tenantId' may only contain letters, digits and !-_.*'() but has ' '"),
                arguments("username=\"u\"", "'username' and 'password' must be set together"),
                arguments("password=\"p\"", "'username' and 'password' must be set together"),
                arguments("username=\"u\" password=\"p\" bearerToken=\"t\"",
                        "set either 'username'/'password' or 'bearerToken', not both"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAttributes")
    void badAttributeIsReportedByNameAndTheApplicationStarts(String attributes, String expected) {
        String config = attributes.startsWith("url=")
                ? xml("http://replaced", attributes.replace("url=", "data-url="), "").replace("url=\"http://replaced\" ", "")
                : xml(URL, attributes, "<Label name=\"app\" value=\"shop\"/>");
        config = config.replace("data-url=", "url=");

        ctx = startXml(dir, "bad", config);

        assertNotCreatedBecause(expected);
    }

    @Test
    void aFileThatHoldsNoCertificateIsReported() throws Exception {
        Path junk = Files.write(dir.resolve("junk.pem"), "not a certificate".getBytes(StandardCharsets.US_ASCII));
        ctx = startXml(dir, "junk", xml(URL, "caCertificatePath=\"" + junk + "\"", "<Label name=\"app\" value=\"x\"/>"));

        assertNotCreatedBecause("'caCertificatePath'");
        assertThat(status.lokiMessages(Level.ERROR).get(0)).contains(junk.toString());
    }

    @Test
    void caCertificateAndInsecureTogetherAreRejected() throws Exception {
        Path pem = writePemOfAJdkTrustedCa();
        ctx = startXml(dir, "both", xml(URL, "caCertificatePath=\"" + pem + "\" insecureSkipTlsVerify=\"true\"",
                "<Label name=\"app\" value=\"x\"/>"));

        assertNotCreatedBecause("set either 'caCertificatePath' or 'insecureSkipTlsVerify', not both");
    }

    @Test
    void secretsAreNotShownInErrors() {
        ctx = startXml(dir, "secret", xml(URL, "username=\"u\" password=\"pa&#10;ss\"", "<Label name=\"app\" value=\"x\"/>"));

        assertNotCreatedBecause("'password' must not contain CR or LF");
        assertThat(String.join("\n", status.messages(Level.ERROR))).doesNotContain("pa\nss");
    }

    @Test
    void everyProblemIsReportedInOneError() {
        ctx = startXml(dir, "many", xml(URL, "format=\"xml\" maxRetries=\"lots\"",
                "<Label value=\"x\"/><StructuredMetadata name=\"a\"/>"));

        assertNotCreatedBecause("'format' must be json or protobuf, was 'xml'");
        String error = status.lokiMessages(Level.ERROR).get(0);
        assertThat(error).contains("'maxRetries' must be a whole number")
                .contains("a <Label> has no 'name'")
                .contains("<StructuredMetadata name=\"a\"> needs a 'value' (static) or a 'pattern' (per event)");
    }

    static Stream<Arguments> badChildElements() {
        return Stream.of(
                arguments("<Label value=\"shop\"/>", "a <Label> has no 'name'"),
                arguments("<Label name=\" \" value=\"shop\"/>", "a <Label> has no 'name'"),
                arguments("<Label name=\"app\"/>", "<Label name=\"app\"> needs a 'value' (static) or a 'pattern' (per event)"),
                arguments("<Label name=\"app\" value=\"shop\" pattern=\"%level\"/>",
                        "<Label name=\"app\"> has both 'value' and 'pattern'; give one"),
                arguments("<Label name=\"app\" value=\"a\"/><Label name=\"app\" pattern=\"%level\"/>", "'Label' names 'app' twice"),
                arguments("<Label name=\"my-app\" value=\"a\"/><Label name=\"my_app\" value=\"b\"/>", "'Label' names 'my_app' twice"),
                arguments("<StructuredMetadata pattern=\"%X{t}\"/>", "a <StructuredMetadata> has no 'name'"),
                arguments("<StructuredMetadata name=\"t\"/>",
                        "<StructuredMetadata name=\"t\"> needs a 'value' (static) or a 'pattern' (per event)"),
                arguments("<StructuredMetadata name=\"t\" value=\"1\" pattern=\"%X{t}\"/>",
                        "<StructuredMetadata name=\"t\"> has both 'value' and 'pattern'; give one"),
                arguments("<StructuredMetadata name=\"t\" value=\"1\"/><StructuredMetadata name=\"t\" value=\"2\"/>",
                        "'StructuredMetadata' names 't' twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChildElements")
    void badChildElementIsReportedAndTheApplicationStarts(String children, String expected) {
        ctx = startXml(dir, "child", xml(URL, "", children));

        assertNotCreatedBecause(expected);
    }

    @Test
    void invalidLabelNamesAreSanitizedWithAWarning() {
        ctx = startXml(dir, "sanitize", xml(URL, "",
                "<Label name=\"service-name\" value=\"shop\"/><Label name=\"__reserved\" pattern=\"%level\"/>"
                        + "<Label name=\"9lives\" value=\"cat\"/><StructuredMetadata name=\"trace-id\" pattern=\"%X{t}\"/>"));

        assertThat(loki(ctx)).isNotNull();
        assertThat(status.lokiMessages(Level.WARN)).containsExactly(
                "Loki appender 'LOKI': <Label name=\"service-name\"> is not a valid Loki label name; it is sent as 'service_name'",
                "Loki appender 'LOKI': <Label name=\"__reserved\"> is not a valid Loki label name; it is sent as '_reserved'",
                "Loki appender 'LOKI': <Label name=\"9lives\"> is not a valid Loki label name; it is sent as '_9lives'");
    }

    @Test
    void doubtfulLabelsAreWarnedAbout() {
        ctx = startXml(dir, "doubtful", xml(URL, "",
                "<Label name=\"empty\" value=\"\"/><Label name=\"nothing\" pattern=\"\"/>"
                        + "<Label name=\"region\" value=\"${env:LOKI_APPENDER_TEST_UNSET_VARIABLE}\"/>"));

        assertThat(loki(ctx)).isNotNull();
        assertThat(status.lokiMessages(Level.WARN)).containsExactly(
                "Loki appender 'LOKI': <Label name=\"empty\"> has an empty 'value' and is never sent",
                "Loki appender 'LOKI': <Label name=\"nothing\"> has an empty 'pattern' and is never sent",
                "Loki appender 'LOKI': <Label name=\"region\"> 'value' '${env:LOKI_APPENDER_TEST_UNSET_VARIABLE}' holds"
                        + " an unresolved lookup; give a default as in ${env:NAME:-default}");
    }

    @Test
    void moreLabelsThanLokiAcceptsIsWarnedAbout() {
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            labels.append("<Label name=\"l").append(i).append("\" value=\"v\"/>");
        }
        ctx = startXml(dir, "many-labels", xml(URL, "", labels.toString()));

        assertThat(loki(ctx)).isNotNull();
        assertThat(status.lokiMessages(Level.WARN)).containsExactly("Loki appender 'LOKI': 16 labels configured;"
                + " Loki rejects streams with more than 15 labels by default (limits_config.max_label_names_per_series)");
    }

    @Test
    void noLabelAtAllIsWarnedAbout() {
        ctx = startXml(dir, "no-labels", xml(URL, "", ""));

        assertThat(loki(ctx)).isNotNull();
        assertThat(status.lokiMessages(Level.WARN))
                .containsExactly("Loki appender 'LOKI' has no <Label>; events are sent with {service_name=\"unknown_service\"}");
    }

    @Test
    void unknownAttributesAreReportedByLog4j2() {
        ctx = startXml(dir, "unknown", xml(URL, "batchSize=\"5\"", "<Label name=\"app\" value=\"x\"/>"));

        assertThat(status.messages(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("batchSize"));
    }

    @Test
    void programmaticBuilder() {
        LokiAppender appender = LokiAppender.newBuilder()
                .setName("prog")
                .setUrl(URL)
                .setBatchMaxEvents(5)
                .setFlushIntervalMs(20)
                .setInsecureSkipTlsVerify(false)
                .setLabels(Label.of("app", "shop"), Label.ofPattern("level", "%level"))
                .setStructuredMetadata(StructuredMetadata.ofPattern("trace_id", "%X{trace_id}"))
                .build();

        assertThat(appender).isNotNull();
        assertThat(appender.getName()).isEqualTo("prog");
        assertThat(appender.config().batchMaxEvents()).isEqualTo(5);
        assertThat(appender.config().flushIntervalMs()).isEqualTo(20);
        assertThat(appender.isStarted()).isFalse();
        assertThat(appender.stats()).isNull();
    }

    @Test
    void programmaticBuilderWithoutNameOrUrl() {
        LokiAppender appender = LokiAppender.newBuilder().build();

        assertThat(appender).isNull();
        assertThat(status.lokiMessages(Level.ERROR)).containsExactly("Loki appender '' was not created: 'name' is required;"
                + " 'url' is required (Loki's base URL, e.g. http://localhost:3100)");
    }

    private void assertNotCreatedBecause(String expected) {
        assertThat(ctx.isStarted()).isTrue();
        assertThat(loki(ctx)).isNull();
        List<String> errors = status.lokiMessages(Level.ERROR);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("Loki appender 'LOKI' was not created: ").contains(expected);
        // the application goes on logging; the missing appender only costs Log4j2's own error
        ctx.getLogger("shop.orders").error("still logging");
    }

    private Path writePemOfAJdkTrustedCa() throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Paths.get(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
            ks.load(in, null);
        }
        Certificate cert = ks.getCertificate(Collections.list(ks.aliases()).get(0));
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.write(dir.resolve("ca.pem"), pem.getBytes(StandardCharsets.US_ASCII));
    }
}
