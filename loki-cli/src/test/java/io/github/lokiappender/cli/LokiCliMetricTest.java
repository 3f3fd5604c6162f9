package io.github.lokiappender.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A metric query given to {@code query} prints its series. The stand-in answers metric queries only
 * at an instant, so a small server answers {@code query_range} with a matrix here.
 */
class LokiCliMetricTest {

    private static final String MATRIX = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"level\":\"error\"},\"values\":[[1704067200,\"2\"],[1704067260.5,\"5\"]]},"
            + "{\"metric\":{\"level\":\"info\"},\"values\":[[1704067200,\"7\"]]}]}}";

    private HttpServer server;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/loki/api/v1/query_range", ex -> {
            queries.add(URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
            byte[] body = MATRIX.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void aMetricQueryWithoutStepPrintsTheMatrixLokiChose() {
        LokiCliTest.Result r = LokiCliTest.run(Map.of("LOKI_URL", url()),
                "query", "sum by (level) (count_over_time({app=\"shop\"}[1m]))");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).isEqualTo(""
                + "2024-01-01T00:00:00.000000000Z {level=\"error\"} 2\n"
                + "2024-01-01T00:01:00.500000000Z {level=\"error\"} 5\n"
                + "2024-01-01T00:00:00.000000000Z {level=\"info\"} 7\n");
        // the first request (a page of log lines) found a matrix; the second asks again and lets Loki choose the step
        assertThat(queries).hasSize(2);
        assertThat(queries.get(1)).doesNotContain("step=");
    }

    @Test
    void aStepIsSentAsSeconds() {
        LokiCliTest.Result r = LokiCliTest.run(Map.of(), "--url", url(), "query",
                "sum by (level) (count_over_time({app=\"shop\"}[1m]))", "--step", "1m", "--output", "jsonl");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out.lines()).hasSize(3).first().isEqualTo("{\"timestamp\":\"2024-01-01T00:00:00.000000000Z\","
                + "\"timestamp_ns\":\"1704067200000000000\",\"metric\":{\"level\":\"error\"},\"value\":\"2\"}");
        assertThat(queries).singleElement().satisfies(q -> assertThat(q).contains("&step=60"));
    }
}
