package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.encode.PushFormat;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.github.lokiappender.log4j2.Log4jTestSupport.loki;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin configured from {@code log4j2.json} and {@code log4j2.yaml} (Log4j2 reads both
 * through Jackson): attributes, labels and structured metadata arrive as from log4j2.xml.
 */
class JsonAndYamlConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private FakeLoki loki;
    private LoggerContext ctx;

    @BeforeEach
    void startLoki() {
        loki = FakeLoki.start();
    }

    @AfterEach
    void stopAll() {
        Log4jTestSupport.stop(ctx);
        ThreadContext.clearAll();
        loki.close();
    }

    @Test
    void jsonConfiguration() {
        String json = "{ \"Configuration\": {\n"
                + "  \"Appenders\": { \"Loki\": {\n"
                + "    \"name\": \"LOKI\", \"url\": \"" + loki.url() + "\", \"format\": \"protobuf\",\n"
                + "    \"flushIntervalMs\": \"20\", \"batchMaxEvents\": \"500\",\n"
                + "    \"PatternLayout\": { \"pattern\": \"%level %msg\" },\n"
                + "    \"Label\": [ { \"name\": \"app\", \"value\": \"shop\" }, { \"name\": \"level\", \"pattern\": \"%level\" } ],\n"
                + "    \"StructuredMetadata\": { \"name\": \"trace_id\", \"pattern\": \"%X{trace_id}\" }\n"
                + "  } },\n"
                + "  \"Loggers\": { \"Root\": { \"level\": \"info\", \"AppenderRef\": { \"ref\": \"LOKI\" } } }\n"
                + "} }\n";
        ctx = Log4jTestSupport.start("json", Log4jTestSupport.write(dir, "log4j2-test.json", json));

        assertDelivered("from json", PushFormat.PROTOBUF);
    }

    @Test
    void yamlConfiguration() {
        String yaml = String.join("\n",
                "Configuration:",
                "  Appenders:",
                "    Loki:",
                "      name: LOKI",
                "      url: " + loki.url(),
                "      format: protobuf",
                "      flushIntervalMs: 20",
                "      batchMaxEvents: 500",
                "      PatternLayout:",
                "        pattern: \"%level %msg\"",
                "      Label:",
                "        - name: app",
                "          value: shop",
                "        - name: level",
                "          pattern: \"%level\"",
                "      StructuredMetadata:",
                "        name: trace_id",
                "        pattern: \"%X{trace_id}\"",
                "  Loggers:",
                "    Root:",
                "      level: info",
                "      AppenderRef:",
                "        ref: LOKI",
                "");
        ctx = Log4jTestSupport.start("yaml", Log4jTestSupport.write(dir, "log4j2-test.yaml", yaml));

        assertDelivered("from yaml", PushFormat.PROTOBUF);
    }

    private void assertDelivered(String message, PushFormat format) {
        LokiConfig c = loki(ctx).config();
        assertThat(c.format()).isEqualTo(format);
        assertThat(c.flushIntervalMs()).isEqualTo(20);
        assertThat(c.batchMaxEvents()).isEqualTo(500);

        ThreadContext.put("trace_id", "t-9");
        ctx.getLogger("shop.orders").warn(message);
        loki.awaitEntries(1, WAIT);

        assertThat(loki.entries()).hasSize(1);
        Entry e = loki.entries().get(0);
        assertThat(e.line()).isEqualTo("WARN " + message);
        assertThat(e.labels()).isEqualTo(Map.of("app", "shop", "level", "WARN"));
        assertThat(e.structuredMetadata()).containsExactlyEntriesOf(Map.of("trace_id", "t-9"));
    }
}
