package io.github.lokiappender.benchmarks.jmh;

import io.github.lokiappender.benchmarks.load.Frameworks;
import io.github.lokiappender.benchmarks.load.LogLoad;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cost of one logging call on the caller's thread: SLF4J to the framework to the appender's
 * hand-off, with the appender shipping to the benchmark sink in the background. Which framework and
 * appender is decided by the class path and the system properties of the fork (see the runner), so
 * the same code measures every appender.
 *
 * <p>Callers log as fast as they can, so an appender whose shipper falls behind starts dropping;
 * the runner reports how many calls the sink received.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CallerCostBenchmark {

    private static final AtomicInteger THREADS = new AtomicInteger();

    Logger logger;
    final LongAdder calls = new LongAdder();
    /** Measured iterations only: allocation on the calling threads themselves, and their calls. */
    final LongAdder measuredCallerBytes = new LongAdder();
    final LongAdder measuredCalls = new LongAdder();

    @Setup(Level.Trial)
    public void setUp() {
        logger = LoggerFactory.getLogger(LogLoad.LOGGER_NAME);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        long stopMs = Frameworks.stop();
        String file = System.getProperty("bench.callsFile");
        if (file != null) {
            Files.writeString(Path.of(file), "calls=" + calls.sum() + "\nstopMs=" + stopMs
                    + "\nmeasuredCalls=" + measuredCalls.sum() + "\nmeasuredCallerBytes=" + measuredCallerBytes.sum()
                    + "\n", StandardCharsets.UTF_8);
        }
    }

    /**
     * Per calling thread: its argument generator and call count, and what the thread itself
     * allocates in measured iterations ({@code gc.alloc.rate.norm} counts every thread of the JVM,
     * the appender's background threads included).
     */
    @State(Scope.Thread)
    public static class Caller {
        private static final com.sun.management.ThreadMXBean THREAD_MX =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        LogLoad load;
        long calls;
        private boolean measuring;
        private long allocAtStart;
        private long callsAtStart;

        @Setup(Level.Iteration)
        public void beginIteration(IterationParams params) {
            measuring = params.getType() == IterationType.MEASUREMENT;
            callsAtStart = calls;
            allocAtStart = THREAD_MX.getThreadAllocatedBytes(Thread.currentThread().getId());
        }

        @TearDown(Level.Iteration)
        public void endIteration(CallerCostBenchmark b) {
            long alloc = THREAD_MX.getThreadAllocatedBytes(Thread.currentThread().getId()) - allocAtStart;
            if (measuring) {
                b.measuredCallerBytes.add(alloc);
                b.measuredCalls.add(calls - callsAtStart);
            }
        }

        @Setup(Level.Trial)
        public void setUp(CallerCostBenchmark b) {
            load = new LogLoad(b.logger, 0x5DEECE66DL * THREADS.incrementAndGet());
        }

        @TearDown(Level.Trial)
        public void tearDown(CallerCostBenchmark b) {
            b.calls.add(calls);
        }
    }

    @Benchmark
    public void log(Caller c) {
        c.load.logOne();
        c.calls++;
    }
}
