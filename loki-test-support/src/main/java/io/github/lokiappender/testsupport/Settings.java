package io.github.lokiappender.testsupport;

import java.time.Clock;

/** Resolved, immutable configuration of one {@link FakeLoki}; see {@link FakeLoki.Builder} for meanings. */
final class Settings {
    final LokiVersion version;
    final boolean requireTenant;
    final int maxLineBytes;
    final int maxLabelNamesPerSeries;
    final long rejectOldSamplesMaxAgeNanos;
    final long creationGracePeriodNanos;
    final long ingestionBurstBytes;
    final int maxStreams;
    final boolean allowStructuredMetadata;
    /** Exact Authorization header values that are accepted; both null means no auth. */
    final String basicAuthHeader;
    final String bearerAuthHeader;
    final Clock clock;

    Settings(LokiVersion version, boolean requireTenant, int maxLineBytes, int maxLabelNamesPerSeries,
             long rejectOldSamplesMaxAgeNanos, long creationGracePeriodNanos, long ingestionBurstBytes,
             int maxStreams, boolean allowStructuredMetadata, String basicAuthHeader, String bearerAuthHeader,
             Clock clock) {
        this.version = version;
        this.requireTenant = requireTenant;
        this.maxLineBytes = maxLineBytes;
        this.maxLabelNamesPerSeries = maxLabelNamesPerSeries;
        this.rejectOldSamplesMaxAgeNanos = rejectOldSamplesMaxAgeNanos;
        this.creationGracePeriodNanos = creationGracePeriodNanos;
        this.ingestionBurstBytes = ingestionBurstBytes;
        this.maxStreams = maxStreams;
        this.allowStructuredMetadata = allowStructuredMetadata;
        this.basicAuthHeader = basicAuthHeader;
        this.bearerAuthHeader = bearerAuthHeader;
        this.clock = clock;
    }

    long nowNanos() {
        return LokiTime.nowNanos(clock);
    }

    boolean authEnabled() {
        return basicAuthHeader != null || bearerAuthHeader != null;
    }
}
