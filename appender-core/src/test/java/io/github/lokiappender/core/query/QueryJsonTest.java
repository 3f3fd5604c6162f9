package io.github.lokiappender.core.query;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryJsonTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void streamsWithFlatMetadataKeepNanoseconds() throws IOException {
        QueryResult r = QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":["
                + "{\"stream\":{\"env\":\"prod\",\"app\":\"shop\"},\"values\":[[\"1704067200123456789\",\"second\",{\"trace_id\":\"t1\"}],"
                + "[\"1704067200000000001\",\"first\"]]}],\"stats\":{\"summary\":{\"bytesProcessedPerSecond\":1}}}}"));
        assertThat(r.type()).isEqualTo(QueryResult.Type.STREAMS);
        assertThat(r.streams()).hasSize(1);
        LogStream s = r.streams().get(0);
        assertThat(s.labels()).containsExactly(Map.entry("app", "shop"), Map.entry("env", "prod"));
        assertThat(s.entries()).hasSize(2);
        LogEntry e = s.entries().get(0);
        assertThat(e.timestampNanos()).isEqualTo(1704067200123456789L);
        assertThat(e.timestamp()).hasToString("2024-01-01T00:00:00.123456789Z");
        assertThat(e.line()).isEqualTo("second");
        assertThat(e.structuredMetadata()).containsExactly(Map.entry("trace_id", "t1"));
        assertThat(e.parsedLabels()).isEmpty();
        assertThat(e.labels()).isSameAs(s.labels());
        assertThat(s.entries().get(1).structuredMetadata()).isEmpty();
        assertThat(r.entryCount()).isEqualTo(2);
        assertThat(r.series()).isEmpty();
        assertThat(r.encodingFlags()).isEmpty();
    }

    @Test
    void categorizedLabelsAreSplitIntoMetadataAndParsed() throws IOException {
        // Loki 3 with X-Loki-Response-Encoding-Flags: categorize-labels; fields in an unusual order on purpose
        QueryResult r = QueryJson.parseQuery(b("{\"data\":{\"encodingFlags\":[\"categorize-labels\"],\"result\":["
                + "{\"values\":[[\"1704067200000000000\",\"{\\\"level\\\":\\\"error\\\"}\",{\"structuredMetadata\":"
                + "{\"trace_id\":\"abc\",\"detected_level\":\"error\"},\"parsed\":{\"level\":\"error\"}}],"
                + "[\"1704067200000000001\",\"x\",{}]],\"stream\":{\"app\":\"shop\"}}],\"resultType\":\"streams\"},"
                + "\"status\":\"success\"}"));
        assertThat(r.encodingFlags()).containsExactly("categorize-labels");
        LogEntry e = r.streams().get(0).entries().get(0);
        assertThat(e.labels()).containsExactly(Map.entry("app", "shop"));
        assertThat(e.structuredMetadata()).containsExactly(Map.entry("detected_level", "error"), Map.entry("trace_id", "abc"));
        assertThat(e.parsedLabels()).containsExactly(Map.entry("level", "error"));
        LogEntry plain = r.streams().get(0).entries().get(1);
        assertThat(plain.structuredMetadata()).isEmpty();
        assertThat(plain.parsedLabels()).isEmpty();
    }

    @Test
    void matrixSamplesConvertSecondsExactly() throws IOException {
        QueryResult r = QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"level\":\"error\"},\"values\":[[1704067200,\"3\"],[1704067260.123,\"4.5\"]]},"
                + "{\"metric\":{},\"values\":[[1704067200.000000001,\"+Inf\"]]}]}}"));
        assertThat(r.type()).isEqualTo(QueryResult.Type.MATRIX);
        assertThat(r.series()).hasSize(2);
        MetricSeries first = r.series().get(0);
        assertThat(first.metric()).containsExactly(Map.entry("level", "error"));
        assertThat(first.samples()).extracting(Sample::timestampNanos)
                .containsExactly(1704067200000000000L, 1704067260123000000L);
        assertThat(first.samples()).extracting(Sample::value).containsExactly("3", "4.5");
        assertThat(first.samples().get(1).doubleValue()).isEqualTo(4.5);
        assertThat(r.series().get(1).metric()).isEmpty();
        assertThat(r.series().get(1).sample().timestampNanos()).isEqualTo(1704067200000000001L);
        assertThat(r.series().get(1).sample().doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(r.streams()).isEmpty();
        assertThatThrownBy(r::scalar).isInstanceOf(IllegalStateException.class).hasMessage("the result is a matrix, not a scalar");
    }

    @Test
    void vectorAndScalar() throws IOException {
        QueryResult v = QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"app\":\"shop\"},\"value\":[1704067200.5,\"7\"]}]}}"));
        assertThat(v.type()).isEqualTo(QueryResult.Type.VECTOR);
        assertThat(v.series()).singleElement().satisfies(s -> {
            assertThat(s.metric()).containsExactly(Map.entry("app", "shop"));
            assertThat(s.samples()).containsExactly(new Sample(1704067200500000000L, "7"));
        });
        QueryResult s = QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1704067200,\"NaN\"]}}"));
        assertThat(s.type()).isEqualTo(QueryResult.Type.SCALAR);
        assertThat(s.scalar().timestampNanos()).isEqualTo(1704067200000000000L);
        assertThat(s.scalar().doubleValue()).isNaN();
        assertThat(s.series()).isEmpty();
        QueryResult empty = QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));
        assertThat(empty.series()).isEmpty();
    }

    @Test
    void stringListsSeriesAndBuildInfo() throws IOException {
        assertThat(QueryJson.parseStringList(b("{\"status\":\"success\",\"data\":[\"app\",\"env\"]}"))).containsExactly("app", "env");
        assertThat(QueryJson.parseStringList(b("{\"status\":\"success\"}"))).isEmpty(); // Loki omits empty data
        List<Map<String, String>> series = QueryJson.parseSeries(b("{\"status\":\"success\",\"data\":[{\"b\":\"2\",\"a\":\"1\"},{\"a\":\"3\"}]}"));
        assertThat(series).hasSize(2);
        assertThat(series.get(0)).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        BuildInfo info = QueryJson.parseBuildInfo(b("{\"version\":\"2.9.4\",\"revision\":\"abc\",\"branch\":\"HEAD\","
                + "\"buildUser\":\"root@x\",\"buildDate\":\"2024-01-01T00:00:00Z\",\"goVersion\":\"go1.21\"}"));
        assertThat(info.version()).isEqualTo("2.9.4");
        assertThat(info.revision()).isEqualTo("abc");
        assertThat(info.goVersion()).isEqualTo("go1.21");
        assertThat(info.isAtLeast(2, 9)).isTrue();
        assertThat(info.isAtLeast(2, 9, 5)).isFalse();
        assertThat(info.isAtLeast(3, 0)).isFalse();
        assertThat(info.isAtLeast(1, 12)).isTrue();
    }

    @Test
    void errorStatusAndMalformedAnswersAreReported() {
        assertThatThrownBy(() -> QueryJson.parseQuery(b("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}")))
                .isInstanceOf(IOException.class).hasMessage("Loki reported status 'error': parse error");
        assertThatThrownBy(() -> QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"streams\","
                + "\"result\":[{\"stream\":{},\"values\":[[\"12x\",\"line\"]]}]}}")))
                .isInstanceOf(IOException.class).hasMessage("entry timestamp '12x' is not epoch nanoseconds");
        assertThatThrownBy(() -> QueryJson.parseQuery(b("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[]}}")))
                .isInstanceOf(IOException.class).hasMessage("'data.result' does not have the shape of a scalar result");
        assertThatThrownBy(() -> QueryJson.parseQuery(b("<html>bad gateway</html>"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> QueryJson.parseStringList(b("[1,2]"))).isInstanceOf(IOException.class)
                .hasMessageStartingWith("expected the answer (START_OBJECT)");
    }

    @Test
    void timesOnTheWire() {
        assertThat(LokiTimes.wire(1704067200123456789L)).isEqualTo("1704067200123456789");
        // 10 digits or fewer would be read as seconds by Loki: those go as RFC3339
        assertThat(LokiTimes.wire(1_000_000_001L)).isEqualTo("1970-01-01T00:00:01.000000001Z");
        assertThat(LokiTimes.wire(0)).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(LokiTimes.wire(-1)).isEqualTo("1969-12-31T23:59:59.999999999Z");
        assertThat(LokiTimes.seconds(java.time.Duration.ofSeconds(15))).isEqualTo("15");
        assertThat(LokiTimes.seconds(java.time.Duration.ofMillis(250))).isEqualTo("0.25");
        assertThat(LokiTimes.seconds(java.time.Duration.ofMinutes(2).plusNanos(1))).isEqualTo("120.000000001");
        assertThat(LokiTimes.toInstant(-1)).hasToString("1969-12-31T23:59:59.999999999Z");
        assertThatThrownBy(() -> LokiTimes.toNanos(java.time.Instant.parse("2300-01-01T00:00:00Z"), "end"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'end' 2300-01-01T00:00:00Z is outside");
    }
}
