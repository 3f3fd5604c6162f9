package io.github.lokiappender.core.encode;

/** Creates the encoder for a format and compression. */
public final class PushEncoders {

    private PushEncoders() {
    }

    /** @throws IllegalArgumentException for a combination this build cannot encode */
    public static PushEncoder create(PushFormat format, Compression compression) {
        if (format == PushFormat.JSON && compression == Compression.NONE) {
            return new JsonPushEncoder();
        }
        throw new IllegalArgumentException("format " + format + " with compression " + compression + " is not supported yet");
    }
}
