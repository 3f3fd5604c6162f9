package io.github.lokiappender.benchmarks.jmh;

import io.github.lokiappender.benchmarks.load.LogLoad;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.encode.PushEncoders;
import io.github.lokiappender.core.encode.PushFormat;
import io.github.lokiappender.core.labels.LabelSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * This project's push encoders alone, per event, on a batch like the end-to-end runs send
 * (10,000 lines of about 110 ASCII characters in two streams). Not part of the comparison; run it
 * when working on the encoders:
 * {@code java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" org.openjdk.jmh.Main EncoderBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EncoderBenchmark {

    public static final int EVENTS = 10_000;

    /**
     * json+gzip is the default level 1; json+gzip-6 is zlib's default level, to show the trade-off;
     * json+gzip-backlog is what the gzip encoder sends while the buffer is backlogged (stored blocks).
     */
    @Param({"json", "json+gzip", "json+gzip-6", "json+gzip-backlog", "protobuf"})
    String format;

    PushEncoder encoder;
    boolean backlog;
    Batch batch;

    @Setup(Level.Trial)
    public void setUp() {
        switch (format) {
            case "protobuf":
                encoder = PushEncoders.create(PushFormat.PROTOBUF, Compression.NONE);
                break;
            case "json+gzip":
                encoder = PushEncoders.create(PushFormat.JSON, Compression.GZIP);
                break;
            case "json+gzip-backlog":
                encoder = PushEncoders.create(PushFormat.JSON, Compression.GZIP);
                backlog = true;
                break;
            case "json+gzip-6":
                encoder = PushEncoders.create(PushFormat.JSON, Compression.GZIP, 6);
                break;
            default:
                encoder = PushEncoders.create(PushFormat.JSON, Compression.NONE);
        }
        batch = sampleBatch();
        System.out.printf("%n%s: %.1f body bytes per event%n", format, (double) encode().length() / EVENTS);
    }

    /** {@link #EVENTS} lines like the end-to-end runs log, in two streams (every 16th a WARN). */
    public static Batch sampleBatch() {
        LabelSet info = LabelSet.of(new String[]{"app", "level"}, new String[]{"bench", "INFO"});
        LabelSet warn = LabelSet.of(new String[]{"app", "level"}, new String[]{"bench", "WARN"});
        Batch batch = new Batch();
        long t = 1_732_400_000_000_000_000L;
        for (int i = 0; i < EVENTS; i++) {
            LokiEvent e = LokiEvent.of(t + i * 9_999L, LogLoad.sampleLine(i), (i & 15) == 0 ? warn : info);
            batch.add(e, e.lineUtf8Length());
        }
        return batch;
    }

    private EncodedRequest encode() {
        return backlog ? encoder.encodeUnderBacklog(batch) : encoder.encode(batch);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int encodeBatch() {
        return encode().length();
    }
}
