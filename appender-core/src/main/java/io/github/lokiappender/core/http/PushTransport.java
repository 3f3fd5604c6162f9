package io.github.lokiappender.core.http;

import io.github.lokiappender.core.encode.EncodedRequest;

import java.io.IOException;

/** Sends one push request once. Retrying is the caller's job ({@link PushSender}). */
public interface PushTransport extends AutoCloseable {

    /**
     * Sends {@code request} and waits at most {@code timeoutNanos} for the answer.
     *
     * @throws IOException on connection failures and timeouts (retryable)
     */
    PushResponse push(EncodedRequest request, long timeoutNanos) throws IOException, InterruptedException;

    @Override
    void close();
}
