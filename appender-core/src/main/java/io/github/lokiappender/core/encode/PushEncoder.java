package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.batch.Batch;

/**
 * Turns a batch into the body of a {@code POST /loki/api/v1/push}. Implementations are used by
 * one shipper thread only and may reuse their buffers between calls.
 */
public interface PushEncoder {

    /** Encodes {@code batch}; the result is valid until the next call. */
    EncodedRequest encode(Batch batch);

    /**
     * Encodes {@code batch} while the buffer is backlogged (more than four batches, or half of
     * the buffer, waiting): an encoder that
     * can spend less CPU per event for more bytes does so here, so that the shipper catches up
     * instead of the buffer overflowing. The default is {@link #encode(Batch)}.
     */
    default EncodedRequest encodeUnderBacklog(Batch batch) {
        return encode(batch);
    }

    /** True if {@link #encodeUnderBacklog(Batch)} encodes differently from {@link #encode(Batch)} (the shipper counts such batches). */
    default boolean changesUnderBacklog() {
        return false;
    }

    /** Called when a request body may still be read by an abandoned request: stop reusing its array. */
    void detachBuffers();

    /** Frees native resources (a deflater); called once when the shipper stops. */
    default void close() {
    }
}
