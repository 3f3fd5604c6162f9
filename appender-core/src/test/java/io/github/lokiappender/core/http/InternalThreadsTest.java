package io.github.lokiappender.core.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InternalThreadsTest {

    @Test
    void threadsFromTheFactoryAreMarkedInternalAndDaemon() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(InternalThreads.factory("loki-x"));
        try {
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(
                    () -> InternalThreads.isInternal() + " " + Thread.currentThread().isDaemon() + " " + Thread.currentThread().getName(), pool);
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("true true loki-x-1");
        } finally {
            pool.shutdownNow();
        }
        assertThat(InternalThreads.isInternal()).isFalse();
    }

    @Test
    void internalLoggers() {
        assertThat(InternalThreads.isInternalLogger("jdk.internal.httpclient.debug")).isTrue();
        assertThat(InternalThreads.isInternalLogger("jdk.httpclient.HttpClient")).isTrue();
        assertThat(InternalThreads.isInternalLogger("java.net.http.HttpClient")).isTrue();
        assertThat(InternalThreads.isInternalLogger("io.github.lokiappender.core.LokiPipeline")).isTrue();
        assertThat(InternalThreads.isInternalLogger("com.shop.Checkout")).isFalse();
        assertThat(InternalThreads.isInternalLogger("io.github.lokiappender.demo.Demo")).isFalse();
        assertThat(InternalThreads.isInternalLogger(null)).isFalse();
        assertThat(InternalThreads.isInternalLogger("")).isFalse();
        assertThat(InternalThreads.isInternalLogger("jdk.internal.misc")).isFalse();
        assertThat(InternalThreads.isInternalLogger("java.net.URL")).isFalse();
        assertThat(InternalThreads.isInternalLogger("jdk.httpclient")).isTrue();
    }
}
