package io.github.lokiappender.testsupport;

/** A request failure that maps directly onto an HTTP status and a plain-text body. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;

    HttpError(int status, String message) {
        // No stack trace: these are expected outcomes, not bugs.
        super(message, null, false, false);
        this.status = status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }
}
