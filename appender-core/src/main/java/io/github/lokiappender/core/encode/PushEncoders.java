package io.github.lokiappender.core.encode;

/** Creates the encoder for a format and compression. */
public final class PushEncoders {

    private PushEncoders() {
    }

    /**
     * JSON, plain or gzip; protobuf, always Snappy-compressed.
     *
     * @throws IllegalArgumentException for a combination Loki does not accept (protobuf with gzip)
     */
    public static PushEncoder create(PushFormat format, Compression compression) {
        return create(format, compression, GzipJsonPushEncoder.DEFAULT_LEVEL);
    }

    /** As {@link #create(PushFormat, Compression)}, with the gzip level (1..9) used for gzip JSON. */
    public static PushEncoder create(PushFormat format, Compression compression, int gzipLevel) {
        return create(format, compression, gzipLevel, GzipJsonPushEncoder.DEFAULT_BACKLOG_LEVEL);
    }

    /**
     * As {@link #create(PushFormat, Compression, int)}, with the gzip level (0..9) used while the
     * buffer is backlogged.
     */
    public static PushEncoder create(PushFormat format, Compression compression, int gzipLevel, int gzipBacklogLevel) {
        Compression c = compression == null ? Compression.NONE : compression;
        if (format == PushFormat.JSON) {
            return c == Compression.GZIP ? new GzipJsonPushEncoder(gzipLevel, gzipBacklogLevel) : new JsonPushEncoder();
        }
        if (format == PushFormat.PROTOBUF && c == Compression.NONE) {
            return new ProtobufPushEncoder();
        }
        throw new IllegalArgumentException("format " + format + " with compression " + c
                + " is not supported: compression applies to json only; protobuf is always Snappy-compressed");
    }
}
