package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.batch.Batch;

import java.util.zip.Deflater;

/**
 * Loki's JSON push body compressed with gzip ({@code Content-Encoding: gzip}). The JSON is
 * streamed from the generator straight into the deflater, so no uncompressed copy of the batch
 * is kept; the deflater, CRC and output array are reused from one batch to the next.
 */
public final class GzipJsonPushEncoder implements PushEncoder {

    public static final String CONTENT_ENCODING = "gzip";
    /**
     * Level 1, the fastest: on log lines it deflates about 2.4x faster than zlib's default level 6
     * for about 10% more bytes (benchmarks' {@code EncoderBenchmark}).
     */
    public static final int DEFAULT_LEVEL = 1;
    /**
     * Level 0 while the buffer is backlogged: the body is stored (valid gzip, not compressed), which
     * costs about as little as plain JSON; level 1 deflates at about 1 million log lines a second
     * per core, slower than one thread can log.
     */
    public static final int DEFAULT_BACKLOG_LEVEL = 0;

    private final JsonPushEncoder json = new JsonPushEncoder();
    private final GzipOutput gzip;
    private final int level;
    private final int backlogLevel;

    /** At {@link #DEFAULT_LEVEL}, {@link #DEFAULT_BACKLOG_LEVEL} under backlog. */
    public GzipJsonPushEncoder() {
        this(DEFAULT_LEVEL);
    }

    /** @param level 1 (fastest) to 9 (smallest), or {@link Deflater#DEFAULT_COMPRESSION}; {@link #DEFAULT_BACKLOG_LEVEL} under backlog */
    public GzipJsonPushEncoder(int level) {
        this(level, DEFAULT_BACKLOG_LEVEL);
    }

    /**
     * @param level        1 (fastest) to 9 (smallest), or {@link Deflater#DEFAULT_COMPRESSION}
     * @param backlogLevel 0 (stored) to 9, the level while the buffer is backlogged
     */
    public GzipJsonPushEncoder(int level, int backlogLevel) {
        if (level != Deflater.DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
            throw new IllegalArgumentException("gzip level must be 1..9, was " + level);
        }
        if (backlogLevel < 0 || backlogLevel > 9) {
            throw new IllegalArgumentException("gzip backlog level must be 0..9, was " + backlogLevel);
        }
        gzip = new GzipOutput(level);
        this.level = level;
        this.backlogLevel = backlogLevel;
    }

    @Override
    public EncodedRequest encode(Batch batch) {
        return encode(batch, level);
    }

    @Override
    public EncodedRequest encodeUnderBacklog(Batch batch) {
        return encode(batch, backlogLevel);
    }

    @Override
    public boolean changesUnderBacklog() {
        return backlogLevel != level;
    }

    private EncodedRequest encode(Batch batch, int memberLevel) {
        gzip.start(memberLevel);
        json.writeJson(batch, gzip);
        ByteSink body = gzip.finish();
        return new EncodedRequest(body.array(), body.size(), JsonPushEncoder.CONTENT_TYPE, CONTENT_ENCODING);
    }

    @Override
    public void detachBuffers() {
        gzip.detach();
    }

    @Override
    public void close() {
        gzip.end();
    }
}
