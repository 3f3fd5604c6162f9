package io.github.lokiappender.core.http;

/** What Loki answered to a push: status, body (cut to a readable size) and {@code Retry-After}. */
public final class PushResponse {

    private final int status;
    private final String body;
    private final String retryAfter;

    public PushResponse(int status, String body, String retryAfter) {
        this.status = status;
        this.body = body == null ? "" : body;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public String body() {
        return body;
    }

    /** The raw {@code Retry-After} header, or null. */
    public String retryAfter() {
        return retryAfter;
    }

    @Override
    public String toString() {
        return "HTTP " + status + (body.isEmpty() ? "" : ": " + body);
    }
}
