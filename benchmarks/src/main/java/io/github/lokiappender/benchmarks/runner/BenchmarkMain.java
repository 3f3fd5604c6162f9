package io.github.lokiappender.benchmarks.runner;

import io.github.lokiappender.benchmarks.e2e.ScenarioChild;
import io.github.lokiappender.benchmarks.jmh.JmhChild;
import io.github.lokiappender.benchmarks.sink.BenchSink;
import io.github.lokiappender.benchmarks.sink.SinkStats;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs the whole comparison: a sink in this JVM, every appender in JVMs of its own (JMH caller cost,
 * a burst, a paced run per format), then prints a report with the ratios of this project to each
 * peer. See {@link Settings#USAGE} for options.
 */
public final class BenchmarkMain {

    private final Settings s;
    private final Classpaths classpaths;
    private final BenchSink sink;
    private final Path logDir;
    private final List<Results.Jmh> jmh = new ArrayList<>();
    private final List<Results.EndToEnd> e2e = new ArrayList<>();

    private BenchmarkMain(Settings s, Classpaths classpaths, BenchSink sink, Path logDir) {
        this.s = s;
        this.classpaths = classpaths;
        this.sink = sink;
        this.logDir = logDir;
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        Classpaths cp = Classpaths.locate();
        if (!cp.unassigned().isEmpty()) {
            System.err.println("note: jars used by no run: " + cp.unassigned());
        }
        Machine machine = Machine.describe();
        long started = System.nanoTime();
        System.err.println("Loki appender benchmarks on " + machine.oneLine());
        Path logDir = Path.of(System.getProperty("java.io.tmpdir"), "loki-appender-bench-" + ProcessHandle.current().pid());
        System.err.println("child output: " + logDir);
        BenchmarkMain m;
        try (BenchSink sink = BenchSink.start(s.sinkThreads)) {
            m = new BenchmarkMain(s, cp, sink, logDir);
            m.runAll();
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String report = new Report(s, machine, m.jmh, m.e2e, minutes, String.join(" ", args)).markdown();
        System.out.println(report);
        if (s.out != null) {
            Files.writeString(Path.of(s.out), report, StandardCharsets.UTF_8);
            System.err.println("report written to " + s.out);
        }
    }

    private void runAll() throws Exception {
        if (s.phases.contains("jmh")) {
            for (Variant v : s.variants) {
                for (int t : s.jmhThreads) {
                    jmh.add(runJmh(v, t));
                }
            }
        }
        if (s.phases.contains("burst")) {
            for (Variant v : s.variants) {
                if (!v.ships()) {
                    continue;
                }
                for (Variant.Format f : s.allFormatsInBurst ? v.formats : List.of(v.defaultFormat())) {
                    e2e.add(runEndToEnd(v, f, true, false));
                }
            }
            if (s.blockBurstMs > 0) {
                for (Variant v : s.variants) {
                    if (v.ours) {
                        e2e.add(runEndToEnd(v, Variant.Format.JSON, true, true));
                        e2e.add(runEndToEnd(v, Variant.Format.PROTOBUF, true, true));
                    }
                }
            }
        }
        if (s.phases.contains("paced")) {
            // rounds interleave the appenders, so that a slow spell of the machine hits each of them alike
            for (int round = 1; round <= s.pacedRounds; round++) {
                for (Variant v : s.variants) {
                    for (Variant.Format f : v.formats) {
                        if (s.pacedFormats != null && f != Variant.Format.NONE && !s.pacedFormats.contains(f.id)) {
                            continue;
                        }
                        e2e.add(runEndToEnd(v, f, false, false, round));
                    }
                }
            }
        }
    }

    private Results.Jmh runJmh(Variant v, int threads) throws Exception {
        Variant.Format f = v.defaultFormat();
        String name = "jmh-" + v.id + "-t" + threads;
        progress(name);
        sink.reset();
        Path callsFile = Files.createDirectories(logDir).resolve(name + ".calls");
        List<String> args = new ArrayList<>();
        args.add("threads=" + threads);
        args.add("warmupIterations=" + s.jmhWarmupIterations);
        args.add("warmupMs=" + s.jmhWarmupMs);
        args.add("iterations=" + s.jmhIterations);
        args.add("iterationMs=" + s.jmhIterationMs);
        args.addAll(s.childJvm());
        args.addAll(s.appenderProperties(v, f, sink.baseUrl(), sink.port()));
        args.add("-Dbench.callsFile=" + callsFile);
        Map<String, String> r;
        try (ChildProcess c = ChildProcess.start(name, List.of("-Xmx256m"), classpaths.forVariant(v),
                JmhChild.class.getName(), args, logDir)) {
            r = c.await("JMH", 600_000);
            c.waitFor(120_000);
        }
        Properties calls = new Properties();
        try (var in = Files.newBufferedReader(callsFile)) {
            calls.load(in);
        }
        long n = Long.parseLong(calls.getProperty("calls", "0"));
        if (v.ships()) {
            awaitDelivery(n, 1_000, 10_000);
        }
        SinkStats st = sink.snapshot();
        checkErrors(name, st);
        Results.Jmh res = new Results.Jmh(v, f, threads, Double.parseDouble(r.get("score")),
                Double.parseDouble(r.get("error")), Double.parseDouble(r.get("alloc")), n, st.entries,
                Double.parseDouble(calls.getProperty("measuredCallerBytes", "NaN"))
                        / Double.parseDouble(calls.getProperty("measuredCalls", "NaN")));
        System.err.printf("  %.1f ns/op, %.0f B/op (calling threads: %.0f B/op), sink received %d of %d calls%n",
                res.nsPerOp, res.bytesPerOp, res.callerBytesPerOp, st.entries, n);
        return res;
    }

    private Results.EndToEnd runEndToEnd(Variant v, Variant.Format f, boolean burst, boolean block) throws Exception {
        return runEndToEnd(v, f, burst, block, 1);
    }

    private Results.EndToEnd runEndToEnd(Variant v, Variant.Format f, boolean burst, boolean block, int round)
            throws Exception {
        String name = (burst ? "burst-" : "paced-") + v.id + "-" + f.id + (block ? "-block" : "")
                + (round > 1 ? "-r" + round : "");
        progress(name);
        sink.reset();
        List<String> jvm = new ArrayList<>(s.childJvm());
        jvm.addAll(s.appenderProperties(v, f, sink.baseUrl(), sink.port()));
        if (block) {
            jvm.add("-Dbench.overflow=BLOCK");
            jvm.add("-Dbench.blockMs=" + s.blockBurstMs);
        }
        if (s.jfr) {
            jvm.add("-XX:StartFlightRecording:settings=profile,jdk.ExecutionSample#period=1ms,jdk.Compilation#threshold=0ms,filename=" + logDir.resolve(name + ".jfr"));
        }
        int threads = burst ? s.burstThreads : 1;
        List<String> args = new ArrayList<>(List.of("mode=" + (burst ? "burst" : "paced"),
                "events=" + s.burstEvents, "rate=" + s.pacedRate, "seconds=" + s.pacedSeconds,
                "threads=" + threads, "warmupEvents=" + (burst ? s.warmupEvents : s.pacedWarmupEvents),
                "warmupRate=" + s.warmupRate,
                "idleMs=" + s.idleMs, "slices=" + s.pacedSlicesPerSecond));
        try (ChildProcess c = ChildProcess.start(name, jvm, classpaths.forVariant(v), ScenarioChild.class.getName(),
                args, logDir)) {
            Map<String, String> warmed = c.await("WARMED", 120_000);
            long expectWarm = v.ships() ? Long.parseLong(warmed.get("n")) : 0;
            awaitDelivery(expectWarm, 3_000, 60_000);
            checkErrors(name + " (warm-up)", sink.snapshot());
            c.note("sink sample (warm-up): " + sink.sample());
            sink.reset();
            c.send("GO");
            Map<String, String> logged = c.await("LOGGED", 600_000);
            awaitDelivery(v.ships() ? Long.parseLong(logged.get("n")) : 0, 3_000, 180_000);
            SinkStats atDrain = sink.snapshot();
            c.send("STOP");
            Map<String, String> stopped = c.await("STOPPED", 120_000);
            c.waitFor(60_000);
            if (v.ships()) {
                awaitQuiet(500, 10_000);
            }
            SinkStats last = sink.snapshot();
            checkErrors(name, last);
            Results.EndToEnd r = new Results.EndToEnd(v, f, burst, block, threads, s.flushMs, logged, atDrain, stopped, last,
                    round);
            if (burst) {
                System.err.printf("  logged %.0f/s, delivered %.0f/s, %d of %d delivered (%d dropped)%n",
                        r.loggedPerSecond(), r.deliveredPerSecond(), r.delivered(), r.logged, r.dropped());
            } else {
                System.err.printf("  %.2f CPU s/M events, p50 %.1f ms, p99 %.1f ms, %.1f B/event, %d dropped%n",
                        r.cpuSecondsPerMillion(), r.p50Millis(), r.p99Millis(), r.wireBytesPerEvent(), r.dropped());
            }
            return r;
        }
    }

    /** Polls the sink until it has {@code expected} entries, or nothing arrived for {@code stallMs}, or the cap. */
    private void awaitDelivery(long expected, long stallMs, long capMs) throws InterruptedException {
        long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        while (true) {
            long n = sink.entries();
            long now = System.nanoTime();
            if (n >= expected) {
                return;
            }
            if (n != last) {
                last = n;
                lastChange = now;
            } else if (now - lastChange > stallMs * 1_000_000L) {
                return;
            }
            if (now - start > capMs * 1_000_000L) {
                return;
            }
            Thread.sleep(10);
        }
    }

    /** Waits until the sink has received nothing for {@code quietMs} (after a child exited). */
    private void awaitQuiet(long quietMs, long capMs) throws InterruptedException {
        awaitDelivery(Long.MAX_VALUE, quietMs, capMs);
    }

    private static void checkErrors(String name, SinkStats st) {
        if (st.errors > 0) {
            System.err.println("  WARNING " + name + ": the sink could not decode " + st.errors + " request(s): "
                    + st.lastError);
        }
    }

    private static void progress(String name) {
        System.err.println("[" + java.time.LocalTime.now().withNano(0) + "] " + name);
    }
}
