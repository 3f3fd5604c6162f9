package io.github.lokiappender.core.http;

/** What Loki answered to a push: status, body (cut to a readable size) and {@code Retry-After}. */
public final class PushResponse {

    /** Loki's error text is cut to this many characters. */
    static final int MAX_BODY_CHARS = 1024;

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

    /** {@code length} bytes of an answer's body as text, trimmed and cut to a readable length. */
    static String readable(byte[] body, int length) {
        if (length == 0) {
            return "";
        }
        String s = new String(body, 0, length, java.nio.charset.StandardCharsets.UTF_8).trim();
        return s.length() > MAX_BODY_CHARS ? s.substring(0, MAX_BODY_CHARS) + "..." : s;
    }

    @Override
    public String toString() {
        return "HTTP " + status + (body.isEmpty() ? "" : ": " + body);
    }
}
