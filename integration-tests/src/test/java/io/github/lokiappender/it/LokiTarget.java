package io.github.lokiappender.it;

import io.github.lokiappender.core.query.Direction;
import io.github.lokiappender.core.query.LogEntry;
import io.github.lokiappender.core.query.LokiQueryClient;
import io.github.lokiappender.testsupport.FakeLoki;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A Loki the scenarios push to and read back from: the in-process stand-in, or a real Loki
 * (from {@code LOKI_URL} or a Testcontainers container). Reads go through the project's own
 * query client with forward pagination.
 */
public final class LokiTarget implements AutoCloseable {

    private final String kind;
    private final String url;
    private final boolean structuredMetadata;
    private final boolean labelFilters;
    private final FakeLoki standIn;
    private final LokiQueryClient client;

    private LokiTarget(String kind, String url, boolean structuredMetadata, boolean labelFilters, FakeLoki standIn, String tenant) {
        this.kind = kind;
        this.url = url;
        this.structuredMetadata = structuredMetadata;
        this.labelFilters = labelFilters;
        this.standIn = standIn;
        LokiQueryClient.Builder b = LokiQueryClient.builder().url(url).requestTimeout(Duration.ofSeconds(30));
        if (tenant != null) {
            b.tenantId(tenant);
        }
        this.client = b.build();
    }

    /** A fresh in-process stand-in (Loki 3.4 rules). */
    public static LokiTarget standIn() {
        FakeLoki loki = FakeLoki.start();
        return new LokiTarget("stand-in", loki.url(), true, false, loki, null);
    }

    /** A real Loki at {@code url}. */
    public static LokiTarget real(String kind, String url, boolean structuredMetadata) {
        return new LokiTarget(kind, url, structuredMetadata, true, null, null);
    }

    /** The same Loki, read as another tenant. */
    public LokiTarget asTenant(String tenant) {
        return new LokiTarget(kind, url, structuredMetadata, labelFilters, null, tenant);
    }

    public String kind() {
        return kind;
    }

    public String url() {
        return url;
    }

    /** Whether this Loki stores structured metadata (2.9+ with it allowed, 3.x by default). */
    public boolean supportsStructuredMetadata() {
        return structuredMetadata;
    }

    /** Whether LogQL label filters ({@code | trace_id="x"}) can be used (not by the stand-in). */
    public boolean supportsLabelFilters() {
        return labelFilters;
    }

    public LokiQueryClient client() {
        return client;
    }

    /** All entries of {@code query} in the last hour, oldest first, paginated. */
    public List<LogEntry> entries(String query) {
        Instant end = Instant.now().plusSeconds(60);
        try (var s = client.entries(query, end.minus(Duration.ofHours(1)), end, Direction.FORWARD, 1000)) {
            return s.collect(Collectors.toList());
        }
    }

    /** Waits until {@code query} returns at least {@code n} entries, then returns all of them. */
    public List<LogEntry> awaitEntries(String query, int n) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> entries(query), l -> l.size() >= n);
    }

    @Override
    public void close() {
        client.close();
        if (standIn != null) {
            standIn.close();
        }
    }

    @Override
    public String toString() {
        return kind;
    }
}
