package io.github.lokiappender.demo;

import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FakeLoki.Entry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's main logic against the in-process Loki stand-in. */
class LogbackDemoTest {

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    @Test
    void logsTheMixToLokiAndReportsWhatWasSent() {
        try (FakeLoki fake = FakeLoki.start()) {
            LogbackDemo.Result r = LogbackDemo.run(fake.url(), out);

            assertThat(r.exitCode).as(output()).isZero();
            assertThat(r.logged).isEqualTo(10);
            assertThat(fake.entries()).hasSize(10);
            assertThat(r.stats.delivered()).isEqualTo(10);
            assertThat(r.stats.droppedTotal()).isZero();

            String env = System.getenv("ENV") == null || System.getenv("ENV").isEmpty() ? "dev" : System.getenv("ENV");
            assertThat(fake.entries()).allSatisfy(e -> {
                assertThat(e.labels()).containsEntry("app", "logback-demo").containsEntry("env", env)
                        .containsKeys("host", "level").hasSize(4);
                assertThat(e.labels().get("host")).isNotBlank();
            });
            Map<String, Long> byLevel = fake.entries().stream()
                    .collect(Collectors.groupingBy(e -> e.labels().get("level"), Collectors.counting()));
            assertThat(byLevel).containsExactlyInAnyOrderEntriesOf(Map.of("DEBUG", 1L, "INFO", 7L, "WARN", 1L, "ERROR", 1L));

            Map<String, Entry> byLine = fake.entries().stream()
                    .collect(Collectors.toMap(e -> e.line().split("\n")[0], Function.identity()));
            assertThat(byLine.get("Bestellung 1002 bestätigt für Jürgen ✓").structuredMetadata())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("trace_id", "a3ce929d0e0e4736", "user", "jürgen", "order_id", "1002"));
            assertThat(byLine.get("checkout service started on port 8080").structuredMetadata()).isEmpty();
            Entry failed = byLine.get("order 1003 failed");
            assertThat(failed.labels()).containsEntry("level", "ERROR");
            assertThat(failed.structuredMetadata())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("trace_id", "0af7651916cd43dd", "user", "bob", "order_id", "1003"));
            assertThat(failed.line())
                    .startsWith("order 1003 failed\njava.lang.IllegalStateException: payment declined for order 1003\n\tat ")
                    .contains("\nCaused by: java.io.IOException: connection reset by payment-gateway.example:443\n")
                    .doesNotEndWith("\n");

            assertThat(output()).contains("Sent to Loki at " + fake.url() + ": 10 of 10 events in " + r.stats.batchesSent()
                    + (r.stats.batchesSent() == 1 ? " batch, " : " batches, "))
                    .contains(" on the wire, 0 lost.")
                    .contains("{app=\"logback-demo\"}");
        }
    }

    @Test
    void saysInOneLineHowToStartALokiWhenNoneIsReady() {
        try (FakeLoki fake = FakeLoki.start()) {
            fake.setDown(true);
            LogbackDemo.Result r = LogbackDemo.run(fake.url(), out);
            assertThat(r.exitCode).isEqualTo(LogbackDemo.NO_LOKI);
            assertThat(output()).isEqualTo("No Loki is ready at " + fake.url() + " (GET /ready answered 503: Ingester"
                    + " not ready: the stand-in is set down; a Loki that just started needs about 15 s): start one with"
                    + " `docker compose up -d` in the repository root (Loki on :3100, Grafana on :3000), or set LOKI_URL"
                    + " to yours." + System.lineSeparator());
            assertThat(fake.requests()).isEmpty();
        }
    }

    @Test
    void saysSoWhenNothingListens() {
        FakeLoki fake = FakeLoki.start();
        String url = fake.url();
        fake.close();
        LogbackDemo.Result r = LogbackDemo.run(url, out);
        assertThat(r.exitCode).isEqualTo(LogbackDemo.NO_LOKI);
        assertThat(output()).startsWith("No Loki is ready at " + url + " (ConnectException: Connection refused)")
                .contains("docker compose up -d").hasLineCount(1);
    }
}
