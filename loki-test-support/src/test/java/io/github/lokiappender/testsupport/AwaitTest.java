package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.JSON;
import static io.github.lokiappender.testsupport.TestHttp.jsonPush;
import static io.github.lokiappender.testsupport.TestHttp.pushAsync;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static io.github.lokiappender.testsupport.TestHttp.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AwaitTest {

    private static String body(String line) {
        return jsonPush("{\"app\":\"x\"}", System.currentTimeMillis() * 1_000_000L, line);
    }

    @Test
    void awaitEntriesReturnsAsSoonAsEnoughAreStored() throws Exception {
        try (FakeLoki loki = FakeLoki.start()) {
            loki.setDelay(Duration.ofMillis(100));
            CompletableFuture<?> a = pushAsync(loki, JSON, utf8(body("one")));
            CompletableFuture<?> b = pushAsync(loki, JSON, utf8(body("two")));
            List<FakeLoki.Entry> entries = loki.awaitEntries(2, Duration.ofSeconds(5));
            assertThat(entries).extracting(FakeLoki.Entry::line).containsExactlyInAnyOrder("one", "two");
            a.get(5, TimeUnit.SECONDS);
            b.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void awaitEntriesTimesOutWithAClearMessage() {
        try (FakeLoki loki = FakeLoki.start()) {
            pushJson(loki, body("only one"));
            loki.respondWith(503);
            pushJson(loki, body("refused"));
            long start = System.nanoTime();
            assertThatThrownBy(() -> loki.awaitEntries(2, Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("expected at least 2 entries in FakeLoki within 200 ms but saw 1; last: Entry[fake {app=\"x\"} ")
                    .hasMessageContaining("push requests so far: 2, statuses [204, 503], last failure: 503 scripted 503");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(200L, 2000L);
        }
    }

    @Test
    void awaitEntriesFailsFastOnceClosed() {
        FakeLoki loki = FakeLoki.start();
        loki.close();
        long start = System.nanoTime();
        assertThatThrownBy(() -> loki.awaitEntries(1, Duration.ofSeconds(30)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("(FakeLoki was closed)");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000L);
    }

    @Test
    void awaitRequestsCountsAnsweredAndDroppedPushes() {
        try (FakeLoki loki = FakeLoki.start()) {
            loki.dropConnections(1);
            // Both bodies are invalid, so the outcome does not depend on which push takes the scripted drop.
            pushAsync(loki, JSON, utf8("not json 1"));
            pushAsync(loki, JSON, utf8("not json 2"));
            List<FakeLoki.Request> requests = loki.awaitRequests(2, Duration.ofSeconds(5));
            assertThat(requests).extracting(FakeLoki.Request::status).containsExactlyInAnyOrder(0, 400);
            assertThatThrownBy(() -> loki.awaitRequests(3, Duration.ofMillis(50)))
                    .hasMessageStartingWith("expected at least 3 push requests within 50 ms but saw 2");
        }
    }

    @Test
    void urlPointsAtLoopbackOnAnEphemeralPort() {
        try (FakeLoki a = FakeLoki.start(); FakeLoki b = FakeLoki.start()) {
            assertThat(a.url()).matches("http://127\\.0\\.0\\.1:\\d+").isNotEqualTo(b.url());
            assertThat(a.url()).endsWith(":" + a.port());
            assertThat(a.toString()).isEqualTo("FakeLoki[" + a.url() + ", Loki 3.4.0]");
        }
    }
}
