package io.github.lokiappender.benchmarks.jmh;

import io.github.lokiappender.benchmarks.load.LogLoad;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.batch.BatchAssembler;
import io.github.lokiappender.core.batch.EventList;
import io.github.lokiappender.core.buffer.EventBuffer;
import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.encode.PushEncoders;
import io.github.lokiappender.core.encode.PushFormat;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.stats.PipelineStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The shipper's work per event without the network, on one thread: lines into the buffer (what
 * a caller does after formatting), then drain, cut the batch, encode JSON and finish it (what the
 * shipper does). Not part of the comparison; run it when working on the buffer or the batching:
 * {@code java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" org.openjdk.jmh.Main ShipperPathBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ShipperPathBenchmark {

    static final int EVENTS = 10_000;

    EventBuffer buffer;
    BatchAssembler assembler;
    PushEncoder encoder;
    final Batch batch = new Batch();
    final EventList pending = new EventList();
    final StringBuilder[] lines = new StringBuilder[64];
    LabelSet info;
    LabelSet warn;
    long t = 1_732_400_000_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() {
        PipelineStats stats = new PipelineStats();
        buffer = new EventBuffer(64L << 20, 1_000_000, OverflowPolicy.DROP_NEWEST, 0, EVENTS, 1 << 20, stats);
        assembler = new BatchAssembler(EVENTS, 1 << 20, 6 << 20, 0, stats);
        encoder = PushEncoders.create(PushFormat.JSON, Compression.NONE);
        info = LabelSet.of(new String[]{"app", "level"}, new String[]{"bench", "INFO"});
        warn = LabelSet.of(new String[]{"app", "level"}, new String[]{"bench", "WARN"});
        for (int i = 0; i < lines.length; i++) {
            lines[i] = new StringBuilder(LogLoad.sampleLine(i));
        }
    }

    /** Offers a batch of lines. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int offerThenShip() {
        for (int i = 0; i < EVENTS; i++) {
            buffer.offer(t += 9_999L, lines[i & 63], (i & 15) == 0 ? warn : info, null);
        }
        // drained as the shipper does: a batch's worth at a time, until the buffer is empty
        int n = 0;
        while (buffer.drainTo(pending, EVENTS, 1 << 20) > 0) {
            while (!pending.isEmpty()) {
                assembler.fill(pending, batch);
                n += encoder.encode(batch).length();
                batch.clear();
            }
            buffer.releaseDrained();
        }
        return n;
    }

    /** The callers' part alone: offers a batch of lines, then drains and releases them without encoding. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int offerOnly() {
        for (int i = 0; i < EVENTS; i++) {
            buffer.offer(t += 9_999L, lines[i & 63], (i & 15) == 0 ? warn : info, null);
        }
        int n = 0;
        int d;
        while ((d = buffer.drainTo(pending, EVENTS, 1 << 20)) > 0) {
            n += d;
            pending.clear();
            buffer.releaseDrained();
        }
        return n;
    }
}
