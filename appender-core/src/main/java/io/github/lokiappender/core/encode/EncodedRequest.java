package io.github.lokiappender.core.encode;

import java.util.Arrays;

/**
 * A push request body ready to send. It may share its array with the encoder that made it, so it
 * is valid only until that encoder encodes the next batch.
 */
public final class EncodedRequest {

    private final byte[] body;
    private final int length;
    private final String contentType;
    private final String contentEncoding;

    public EncodedRequest(byte[] body, int length, String contentType, String contentEncoding) {
        this.body = body;
        this.length = length;
        this.contentType = contentType;
        this.contentEncoding = contentEncoding;
    }

    public byte[] body() {
        return body;
    }

    public int length() {
        return length;
    }

    public String contentType() {
        return contentType;
    }

    /** {@code gzip}, or null when the body is not content-encoded. */
    public String contentEncoding() {
        return contentEncoding;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(body, length);
    }
}
