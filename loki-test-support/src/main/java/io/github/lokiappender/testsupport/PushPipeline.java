package io.github.lokiappender.testsupport;

import java.util.ArrayList;
import java.util.List;

/** Distributor then ingester: decides the status of a decoded push and stores what Loki would store. */
final class PushPipeline {
    /** Loki's default ingestion rate, only quoted in the rate-limit message (the burst is what is enforced). */
    static final long INGESTION_RATE_BYTES_PER_SECOND = 4L * 1024 * 1024;

    private final Settings settings;
    private final PushValidator validator;
    private final EntryStore store;

    PushPipeline(Settings settings, EntryStore store) {
        this.settings = settings;
        this.validator = new PushValidator(settings);
        this.store = store;
    }

    FakeLoki.Response process(String tenant, List<PushDecoder.DecodedStream> streams) {
        if (streams.isEmpty()) {
            return settings.version.atLeast(3, 4)
                    ? FakeLoki.Response.text(422, "error at least one valid stream is required for ingestion")
                    : FakeLoki.Response.noContent();
        }
        PushValidator.Result validated = validator.validate(streams, settings.nowNanos());

        // A request above the burst can never pass the token bucket, whatever the timing.
        if (settings.ingestionBurstBytes > 0 && validated.validBytes > settings.ingestionBurstBytes) {
            return FakeLoki.Response.text(429, "Ingestion rate limit exceeded for user " + tenant + " (limit: "
                    + INGESTION_RATE_BYTES_PER_SECOND + " bytes/sec) while attempting to ingest '"
                    + validated.validLines + "' lines totaling '" + validated.validBytes
                    + "' bytes, reduce log volume or contact your Loki administrator to see if the limit can be "
                    + "increased");
        }

        EntryStore.IngestResult ingested = validated.streams.isEmpty()
                ? new EntryStore.IngestResult()
                : store.ingest(tenant, validated.streams, settings.maxStreams);

        List<String> errors = new ArrayList<>(validated.errors);
        errors.addAll(ingested.errors);
        if (errors.isEmpty()) {
            return FakeLoki.Response.noContent();
        }
        // Partial failure: what was valid is stored, the status reports the rest. The stream limit is a 429.
        return FakeLoki.Response.text(ingested.streamLimitHit ? 429 : 400, String.join("\n", errors));
    }
}
