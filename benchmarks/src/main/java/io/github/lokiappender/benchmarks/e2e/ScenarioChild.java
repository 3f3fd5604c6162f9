package io.github.lokiappender.benchmarks.e2e;

import io.github.lokiappender.benchmarks.load.Frameworks;
import io.github.lokiappender.benchmarks.load.LogLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One end-to-end run in a JVM of its own, with one logging framework and one appender on the class
 * path (configured by system properties). Talks to the runner over stdin/stdout, one line per step:
 *
 * <pre>
 * child: @@BENCH WARMED n=...           runner waits until the sink has those, resets it, then: GO
 * child: (idle baseline, then the measured logging)
 * child: @@BENCH LOGGED n=... t0=... ... runner waits until delivered or stalled, then: STOP
 * child: (a second idle baseline, then stops the framework, which flushes)
 * child: @@BENCH STOPPED cpu=... ...
 * </pre>
 *
 * Arguments: {@code mode=burst|paced events=N rate=R seconds=S threads=T warmupEvents=W warmupRate=R idleMs=M slices=N}.
 */
public final class ScenarioChild {

    private static final String PREFIX = "@@BENCH ";

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        String mode = a.getOrDefault("mode", "paced");
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        long warmupEvents = Long.parseLong(a.getOrDefault("warmupEvents", "200000"));
        long warmupRate = Long.parseLong(a.getOrDefault("warmupRate", "100000"));
        long idleMs = Long.parseLong(a.getOrDefault("idleMs", "2000"));
        int slices = Integer.parseInt(a.getOrDefault("slices", "100")); // the runner's default (Settings)
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

        Logger logger = LoggerFactory.getLogger(LogLoad.LOGGER_NAME);
        String framework = Frameworks.name();

        // warm-up at a moderate pace, so that the appender's buffer is empty when measuring starts
        run(logger, threads, warmupEvents, warmupRate, slices);
        // then a pause long enough for the last batch to go, and half a second more logging: the
        // measured window also starts after a pause (the idle baseline), and code paths taken only
        // then (an empty buffer, an idle shipper woken) would otherwise be compiled inside it
        Thread.sleep(idleMs + 500);
        long again = Math.max(1, warmupRate / 2);
        run(logger, threads, again, warmupRate, slices);
        say("WARMED n=" + (warmupEvents + again) + " framework=" + framework);
        expect(in, "GO");

        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // idle baseline: what the JVM and the appender's threads spend without logging
        System.gc();
        long idleCpu0 = os.getProcessCpuTime();
        long idleWall0 = System.nanoTime();
        Thread.sleep(idleMs);
        long idleCpu = os.getProcessCpuTime() - idleCpu0;
        long idleWall = System.nanoTime() - idleWall0;

        long events;
        long rate;
        if (mode.equals("burst")) {
            events = Long.parseLong(a.getOrDefault("events", "2000000"));
            rate = 0;
        } else {
            rate = Long.parseLong(a.getOrDefault("rate", "100000"));
            events = rate * Long.parseLong(a.getOrDefault("seconds", "8"));
        }
        resetOldGenPeak();
        Map<Long, Long> threadCpu0 = threadCpu();
        Map<String, Long> tasks0 = OsThreads.snapshot();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        long t0 = epochNanos();
        Result r = run(logger, threads, events, rate, slices);
        long t1 = epochNanos();
        // a StringBuilder, not '+': this line is still inside the CPU measurement (until STOP), and the
        // first run of a '+' site makes the JVM generate and compile a class for it (0.05-0.2 s of
        // CPU, most of it C2 compiling the JDK's bytecode generator), which landed in the window
        say(new StringBuilder(160).append("LOGGED n=").append(events).append(" t0=").append(t0)
                .append(" t1=").append(t1).append(" callerCpu=").append(r.cpuNanos)
                .append(" callerAlloc=").append(r.allocatedBytes).append(" callerNanos=").append(r.callNanos)
                .toString());
        expect(in, "STOP");
        long cpu = os.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        long oldGenPeak = oldGenPeak();
        String split = cpuSplit(threadCpu0, threadCpu(), cpu, r.cpuNanos)
                + " osThreads=" + OsThreads.delta(tasks0, OsThreads.snapshot());
        // a second idle baseline, now that compilation has settled; the runner takes the lower rate
        long idle2Cpu0 = os.getProcessCpuTime();
        long idle2Wall0 = System.nanoTime();
        Thread.sleep(idleMs);
        long idle2Cpu = os.getProcessCpuTime() - idle2Cpu0;
        long idle2Wall = System.nanoTime() - idle2Wall0;
        long stopMs = Frameworks.stop();
        say("STOPPED cpu=" + cpu + " wall=" + wall + " idleCpu=" + idleCpu + " idleWall=" + idleWall
                + " idle2Cpu=" + idle2Cpu + " idle2Wall=" + idle2Wall
                + " stopMs=" + stopMs + " gcCount=" + gcCount() + " gcMs=" + gcMillis() + " oldGenPeak=" + oldGenPeak + " " + split);
        System.exit(0);
    }

    /** Totals over the calling threads. */
    static final class Result {
        long cpuNanos;
        long allocatedBytes;
        long callNanos;
    }

    /**
     * The logging threads: started once and used for the warm-up and the measured run, as an
     * application's threads live on. A fresh thread in the measured run would make the JIT throw
     * away and recompile the hot logging path inside the window (its first call finds empty
     * thread-locals, a branch the compiled code never took), for every appender alike.
     */
    private static ExecutorService callers;

    /**
     * Logs {@code events} events spread over {@code threads} threads, at {@code rate} events per
     * second in total (0: as fast as possible), in slices of {@code 1/slicesPerSecond} s.
     */
    static Result run(Logger logger, int threads, long events, long rate, int slicesPerSecond)
            throws InterruptedException {
        if (callers == null) {
            AtomicInteger n = new AtomicInteger();
            callers = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "bench-caller-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        Result total = new Result();
        // every task waits for all the others, so that each runs on a thread of its own
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> tasks = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            long share = events / threads + (i < events % threads ? 1 : 0);
            long perThreadRate = rate / threads;
            Result res = new Result();
            results.add(res);
            LogLoad load = new LogLoad(logger, 0x5DEECE66DL * (i + 1));
            tasks.add(callers.submit(() -> {
                try {
                    start.await();
                } catch (InterruptedException | BrokenBarrierException e) {
                    return;
                }
                callerLoop(load, share, perThreadRate, slicesPerSecond, res);
            }));
        }
        for (Future<?> t : tasks) {
            try {
                t.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a logging thread failed", e.getCause());
            }
        }
        for (Result r : results) {
            total.cpuNanos += r.cpuNanos;
            total.allocatedBytes += r.allocatedBytes;
            total.callNanos += r.callNanos;
        }
        return total;
    }

    private static void callerLoop(LogLoad load, long events, long rate, int slicesPerSecond, Result out) {
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long cpu0 = tmx.getCurrentThreadCpuTime();
        long alloc0 = tmx.getThreadAllocatedBytes(id);
        long callNanos = 0;
        if (rate <= 0) {
            long t0 = System.nanoTime();
            for (long i = 0; i < events; i++) {
                load.logOne();
            }
            callNanos = System.nanoTime() - t0;
        } else {
            // paced: each slice logs its share at once, then waits for the next slice
            long sliceNanos = 1_000_000_000L / slicesPerSecond;
            long perSlice = Math.max(1, rate / slicesPerSecond);
            long next = System.nanoTime();
            long done = 0;
            while (done < events) {
                long n = Math.min(perSlice, events - done);
                long c0 = System.nanoTime();
                logSlice(load, n);
                callNanos += System.nanoTime() - c0;
                done += n;
                next += sliceNanos;
                long wait;
                while ((wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
        out.cpuNanos = tmx.getCurrentThreadCpuTime() - cpu0;
        out.allocatedBytes = tmx.getThreadAllocatedBytes(id) - alloc0;
        out.callNanos = callNanos;
    }

    /**
     * One slice of a paced run. A method of its own, called 100 times a second: the JIT compiles it
     * during the warm-up. With the loop inside {@link #callerLoop}, which runs once per phase, the
     * optimizing compiler compiled the whole of {@code callerLoop} again early in the measured
     * window (about 10 ms of compiler CPU per run, JFR), counted against every appender.
     */
    private static void logSlice(LogLoad load, long n) {
        for (long i = 0; i < n; i++) {
            load.logOne();
        }
    }

    /** CPU time of every live Java thread, by thread id. */
    private static Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> m = new java.util.HashMap<>();
        for (long id : tmx.getAllThreadIds()) {
            long t = tmx.getThreadCpuTime(id);
            if (t >= 0) {
                m.put(id, t);
            }
        }
        return m;
    }

    /**
     * Splits the process CPU of the measured window: the logging threads (as they measured
     * themselves), the appender's own threads (every other Java thread except main), and the rest
     * (GC, JIT: not Java threads). Threads that ended during the window land in the rest.
     */
    private static String cpuSplit(Map<Long, Long> before, Map<Long, Long> after, long processCpu, long callers) {
        java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        long appender = 0;
        long main = 0;
        StringBuilder detail = new StringBuilder();
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            java.lang.management.ThreadInfo info = tmx.getThreadInfo(e.getKey());
            String name = info == null ? "?" : info.getThreadName();
            if (name.startsWith("bench-caller-")) {
                continue; // measured by the callers themselves, over their tasks only
            } else if (name.equals("main")) {
                main += used;
            } else {
                appender += used;
                if (used >= 10_000_000L) {
                    detail.append(name.replace(' ', '_')).append(':').append(used / 1_000_000).append("ms,");
                }
            }
        }
        long rest = Math.max(0, processCpu - callers - appender - main);
        return "cpuCallers=" + callers + " cpuAppender=" + appender + " cpuMain=" + main + " cpuRest=" + rest
                + " appenderThreads=" + (detail.length() == 0 ? "-" : detail.substring(0, detail.length() - 1));
    }

    /** The old generation holds what an appender buffers for long: its peak shows the memory a burst took. */
    private static void resetOldGenPeak() {
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (isOldGen(pool)) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long oldGenPeak() {
        long peak = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (isOldGen(pool)) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static boolean isOldGen(java.lang.management.MemoryPoolMXBean pool) {
        String n = pool.getName();
        return pool.getType() == java.lang.management.MemoryType.HEAP
                && (n.contains("Old") || n.contains("Tenured"));
    }

    private static long gcCount() {
        long n = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void say(String line) {
        System.out.println(PREFIX + line);
        System.out.flush();
    }

    private static void expect(BufferedReader in, String word) throws IOException {
        String line = in.readLine();
        if (line == null || !line.trim().equals(word)) {
            System.err.println("benchmark child: expected " + word + ", got " + line + "; exiting");
            System.exit(2);
        }
    }

    public static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + s);
            }
            m.put(s.substring(0, eq), s.substring(eq + 1));
        }
        return m;
    }
}
