package io.github.lokiappender.core.encode;

import io.airlift.compress.snappy.SnappyCompressor;
import io.github.lokiappender.benchmarks.jmh.EncoderBenchmark;
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
 * The library's Snappy compressor against aircompressor's (which the library used before) on the
 * protobuf body of {@link io.github.lokiappender.benchmarks.jmh.EncoderBenchmark}'s batch, per
 * event. In this package because the compressor is package-private. Not part of the comparison:
 * {@code java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" org.openjdk.jmh.Main SnappyBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SnappyBenchmark {

    static final int EVENTS = EncoderBenchmark.EVENTS;

    @Param({"ours", "aircompressor"})
    String compressor;

    byte[] body;
    SnappyBlockCompressor ours;
    SnappyCompressor air;
    byte[] airOut;

    @Setup(Level.Trial)
    public void setUp() {
        body = new ProtobufPushEncoder().serialize(EncoderBenchmark.sampleBatch()).toByteArray();
        ours = new SnappyBlockCompressor();
        air = new SnappyCompressor();
        airOut = new byte[air.maxCompressedLength(body.length)];
        System.out.printf("%n%s: %d bytes of protobuf, %d compressed%n", compressor, body.length, compress());
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int compress() {
        return "ours".equals(compressor)
                ? ours.compress(body, 0, body.length).size()
                : air.compress(body, 0, body.length, airOut, 0, airOut.length);
    }
}
