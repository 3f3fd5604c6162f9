package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.JSON;
import static io.github.lokiappender.testsupport.TestHttp.jsonPush;
import static io.github.lokiappender.testsupport.TestHttp.pushAsync;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static io.github.lokiappender.testsupport.TestHttp.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {
    private final FakeLoki loki = FakeLoki.start();

    @AfterEach
    void stop() {
        loki.close();
    }

    private static String body(String line) {
        return jsonPush("{\"app\":\"x\"}", System.currentTimeMillis() * 1_000_000L, line);
    }

    @Test
    void scriptedStatusesAreConsumedInOrderWithoutStoringThenNormalProcessingResumes() {
        loki.respondWith(429, 503, 503);

        HttpResponse<String> first = pushJson(loki, body("a"));
        HttpResponse<String> second = pushJson(loki, body("b"));
        HttpResponse<String> third = pushJson(loki, body("c"));
        assertThat(loki.entryCount()).isZero();
        HttpResponse<String> fourth = pushJson(loki, body("d"));

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.body()).isEqualTo("scripted 429");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.body()).isEqualTo("scripted 503");
        assertThat(fourth.statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("d");
        assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(429, 503, 503, 204);
        assertThat(loki.requests()).extracting(FakeLoki.Request::entryCount).containsExactly(1, 1, 1, 1);
        assertThat(loki.requests().get(1).decodedBodyText()).contains("\"b\"");
    }

    @Test
    void scriptedResponseCarriesHeadersAndBody() {
        loki.respondWith(FakeLoki.Response.status(429).header("Retry-After", "2").body("slow down"));
        HttpResponse<String> r = pushJson(loki, body("a"));
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(r.body()).isEqualTo("slow down");
        assertThat(loki.requests().get(0).responseBody()).isEqualTo("slow down");
        assertThat(pushJson(loki, body("b")).statusCode()).isEqualTo(204);
    }

    @Test
    void droppedConnectionGivesTheClientAnIOExceptionAndIsRecorded() {
        loki.dropConnections(1);
        assertThatThrownBy(() -> pushJson(loki, body("lost")))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(loki.requests()).singleElement().satisfies(r -> {
            assertThat(r.dropped()).isTrue();
            assertThat(r.status()).isZero();
            assertThat(r.entryCount()).isEqualTo(1);
        });
        assertThat(pushJson(loki, body("next")).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("next");
    }

    @Test
    void statusesAndDropsShareOneScript() {
        loki.respondWith(500);
        loki.dropConnections(1);
        loki.respondWith(502);
        assertThat(pushJson(loki, body("1")).statusCode()).isEqualTo(500);
        assertThatThrownBy(() -> pushJson(loki, body("2"))).hasCauseInstanceOf(IOException.class);
        assertThat(pushJson(loki, body("3")).statusCode()).isEqualTo(502);
        assertThat(pushJson(loki, body("4")).statusCode()).isEqualTo(204);
    }

    @Test
    void delayHoldsEveryPushBeforeAnswering() {
        loki.setDelay(Duration.ofMillis(300));
        long start = System.nanoTime();
        HttpResponse<String> r = pushJson(loki, body("slow"));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(elapsedMs).isBetween(300L, 3000L);

        loki.setDelay(Duration.ZERO);
        start = System.nanoTime();
        pushJson(loki, body("fast"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(300L);
    }

    @Test
    void hangBlocksPushesUntilReleased() throws Exception {
        loki.hang(true);
        CompletableFuture<HttpResponse<String>> pending = pushAsync(loki, JSON, utf8(body("held")));
        await().atMost(Duration.ofSeconds(5)).until(() -> loki.pendingPushes() == 1);
        assertThat(pending).isNotDone();
        assertThat(loki.entryCount()).isZero();
        assertThat(loki.requests()).isEmpty();

        loki.hang(false);
        assertThat(pending.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("held");
    }

    @Test
    void closeReleasesHungPushesQuicklyAndFreesThePort() throws Exception {
        FakeLoki hung = FakeLoki.start();
        hung.hang(true);
        CompletableFuture<HttpResponse<String>> pending = pushAsync(hung, JSON, utf8(body("never")));
        await().atMost(Duration.ofSeconds(5)).until(() -> hung.pendingPushes() == 1);

        long start = System.nanoTime();
        hung.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500L);

        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
        try (java.net.ServerSocket reuse = new java.net.ServerSocket()) {
            reuse.setReuseAddress(true);
            reuse.bind(new java.net.InetSocketAddress("127.0.0.1", hung.port()));
            assertThat(reuse.isBound()).isTrue();
        }
        hung.close(); // idempotent
    }

    @Test
    void closeDuringLongDelayDoesNotWaitForIt() throws Exception {
        FakeLoki slow = FakeLoki.start();
        slow.setDelay(Duration.ofMinutes(5));
        CompletableFuture<HttpResponse<String>> pending = pushAsync(slow, JSON, utf8(body("x")));
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.pendingPushes() == 1);
        long start = System.nanoTime();
        slow.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500L);
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void downAnswers503OnPushAndReady() {
        loki.setDown(true);
        HttpResponse<String> r = pushJson(loki, body("x"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("ingester not ready\n");
        assertThat(TestHttp.get(loki, "/ready", TestHttp.params()).statusCode()).isEqualTo(503);
        assertThat(loki.entryCount()).isZero();

        loki.setDown(false);
        assertThat(pushJson(loki, body("x")).statusCode()).isEqualTo(204);
        assertThat(TestHttp.get(loki, "/ready", TestHttp.params()).statusCode()).isEqualTo(200);
    }

    @Test
    void clearForgetsEntriesAndRequestsButResetAlsoForgetsTheScript() {
        pushJson(loki, body("x"));
        loki.respondWith(500);
        loki.clear();
        assertThat(loki.entries()).isEmpty();
        assertThat(loki.requests()).isEmpty();
        assertThat(pushJson(loki, body("y")).statusCode()).isEqualTo(500);

        loki.respondWith(500);
        loki.setDown(true);
        loki.reset();
        assertThat(pushJson(loki, body("z")).statusCode()).isEqualTo(204);
    }

    @Test
    void scriptedResponseRejectsImpossibleStatus() {
        assertThatThrownBy(() -> FakeLoki.Response.status(99)).isInstanceOf(IllegalArgumentException.class);
    }
}
