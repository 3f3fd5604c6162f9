package io.github.lokiappender.core.spool;

import io.github.lokiappender.core.encode.EncodedRequest;

/**
 * One push request as kept in the spool: the encoded body exactly as it goes on the wire, its
 * content type and encoding, and how many events it holds. Owns its body array.
 */
public final class SpoolRecord {

    private final byte[] body;
    private final String contentType;
    private final String contentEncoding;
    private final int events;
    private final boolean recovered;
    private final long nextOffset;

    SpoolRecord(byte[] body, String contentType, String contentEncoding, int events, boolean recovered,
                long nextOffset) {
        this.body = body;
        this.contentType = contentType;
        this.contentEncoding = contentEncoding;
        this.events = events;
        this.recovered = recovered;
        this.nextOffset = nextOffset;
    }

    /** The request to send again; its array is this record's own and never reused. */
    public EncodedRequest request() {
        return new EncodedRequest(body, body.length, contentType, contentEncoding);
    }

    public byte[] body() {
        return body;
    }

    public String contentType() {
        return contentType;
    }

    /** {@code gzip}, or null. */
    public String contentEncoding() {
        return contentEncoding;
    }

    public int events() {
        return events;
    }

    /** True when an earlier process wrote this record. */
    public boolean recovered() {
        return recovered;
    }

    long nextOffset() {
        return nextOffset;
    }
}
