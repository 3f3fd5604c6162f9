package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.batch.Batch;

/**
 * Turns a batch into the body of a {@code POST /loki/api/v1/push}. Implementations are used by
 * one shipper thread only and may reuse their buffers between calls.
 */
public interface PushEncoder {

    /** Encodes {@code batch}; the result is valid until the next call. */
    EncodedRequest encode(Batch batch);

    /** Called when a request body may still be read by an abandoned request: stop reusing its array. */
    void detachBuffers();

    /** Frees native resources (a deflater); called once when the shipper stops. */
    default void close() {
    }
}
