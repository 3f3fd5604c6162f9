package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.NOW;
import static io.github.lokiappender.testsupport.TestHttp.NOW_NS;
import static io.github.lokiappender.testsupport.TestHttp.PROTOBUF;
import static io.github.lokiappender.testsupport.TestHttp.get;
import static io.github.lokiappender.testsupport.TestHttp.jsonPush;
import static io.github.lokiappender.testsupport.TestHttp.params;
import static io.github.lokiappender.testsupport.TestHttp.push;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LokiVersionBehaviourTest {
    private static final String WITH_METADATA = "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"" + NOW_NS
            + "\",\"l\",{\"trace_id\":\"t\"}]]}]}";

    private static FakeLoki start(String version) {
        return FakeLoki.builder().lokiVersion(version).clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
    }

    @Test
    void structuredMetadataInJsonIsRejectedBefore29() {
        try (FakeLoki loki = start("2.8.4")) {
            HttpResponse<String> r = pushJson(loki, WITH_METADATA);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("array must contains 2 values\n");
            assertThat(loki.entryCount()).isZero();
            assertThat(loki.lokiVersion()).isEqualTo("2.8.4");
        }
        try (FakeLoki loki = start("2.9.0")) {
            assertThat(pushJson(loki, WITH_METADATA).statusCode()).isEqualTo(204);
            assertThat(loki.entries().get(0).structuredMetadata()).containsEntry("trace_id", "t");
        }
    }

    @Test
    void structuredMetadataInProtobufIsSilentlyDroppedBefore29() {
        byte[] proto = Proto.push(Proto.stream("{app=\"x\"}", Proto.entry(NOW.getEpochSecond(), 0, "l", "trace_id", "t")));
        try (FakeLoki loki = start("2.7.1")) {
            assertThat(push(loki, PROTOBUF, TestSnappy.literalOnly(proto)).statusCode()).isEqualTo(204);
            assertThat(loki.entries().get(0).structuredMetadata()).isEmpty();
        }
    }

    @Test
    void structuredMetadataCanBeDisallowedExplicitly() {
        try (FakeLoki loki = FakeLoki.builder().allowStructuredMetadata(false).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .start()) {
            HttpResponse<String> r = pushJson(loki, WITH_METADATA);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("stream '{app=\"x\"}' includes structured metadata, but this feature is "
                    + "disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki "
                    + "administrator to enable it.\n");
        }
    }

    @Test
    void emptyRequestIs204Before34And422From34() {
        try (FakeLoki loki = start("3.3.2")) {
            assertThat(pushJson(loki, "{\"streams\":[]}").statusCode()).isEqualTo(204);
        }
        try (FakeLoki loki = start("3.4.0")) {
            assertThat(pushJson(loki, "{\"streams\":[]}").statusCode()).isEqualTo(422);
        }
    }

    @Test
    void instantLogQueryWorksBefore32() {
        try (FakeLoki loki = start("3.1.0")) {
            pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS - 1_000_000_000L, "recent"));
            HttpResponse<String> r = get(loki, "/loki/api/v1/query", params("query", "{app=\"x\"}", "time",
                    Long.toString(NOW_NS)));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"resultType\":\"streams\"").contains("recent");
        }
        try (FakeLoki loki = start("3.2.0")) {
            assertThat(get(loki, "/loki/api/v1/query", params("query", "{app=\"x\"}")).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void loki2DefaultsHaveNoLineLimitAnd30LabelNames() {
        String twenty = IntStream.range(0, 20).mapToObj(i -> "\"l" + i + "\":\"v\"").collect(Collectors.joining(",", "{", "}"));
        try (FakeLoki loki = start("2.9.4")) {
            assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "y".repeat(300_000))).statusCode()).isEqualTo(204);
            assertThat(pushJson(loki, jsonPush(twenty, NOW_NS, "l")).statusCode()).isEqualTo(204);
        }
        try (FakeLoki loki = start("3.0.0")) {
            assertThat(pushJson(loki, jsonPush("{\"app\":\"x\"}", NOW_NS, "y".repeat(300_000))).statusCode()).isEqualTo(400);
            assertThat(pushJson(loki, jsonPush(twenty, NOW_NS, "l")).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void buildInfoReportsTheVersionAndBadVersionsAreRefused() {
        try (FakeLoki loki = start("v2.9.10")) {
            assertThat(get(loki, "/loki/api/v1/status/buildinfo", params()).body()).startsWith("{\"version\":\"v2.9.10\"");
        }
        assertThatThrownBy(() -> FakeLoki.builder().lokiVersion("latest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latest");
    }
}
