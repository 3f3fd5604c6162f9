package io.github.lokiappender.benchmarks.runner;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What to run and with which appender settings; from the command line. */
final class Settings {

    // appender settings, the same for every appender (see RESULTS.md)
    int batchEvents = 10_000;
    int batchBytes = 1 << 20;
    int flushMs = 1_000;
    int bufferMb = 64;

    // runs
    Set<String> phases = new LinkedHashSet<>(List.of("jmh", "burst", "paced"));
    List<Variant> variants = new ArrayList<>(List.of(Variant.values()));
    List<Integer> jmhThreads = List.of(1, 4);
    int jmhWarmupIterations = 3;
    int jmhWarmupMs = 1000;
    int jmhIterations = 4;
    int jmhIterationMs = 1000;
    long burstEvents = 2_000_000;
    int burstThreads = 1;
    long pacedRate = 100_000;
    long pacedSeconds = 6;
    long warmupEvents = 200_000;
    /** Warm-up before a paced run: as long as the measured window, so that JIT compilation has settled. */
    long pacedWarmupEvents = 600_000;
    long warmupRate = 100_000;
    long idleMs = 1_000;
    /**
     * A paced caller logs its share of each slice at once, then sleeps until the next slice. Each
     * wake-up costs the logging thread CPU that is the harness's, not the logging's (about 45 us
     * here): 100 a second keep that near 0.05 s per million events, where 1,000 (until 2026-11-25)
     * made it about 0.45 for every appender alike.
     */
    int pacedSlicesPerSecond = 100;
    int sinkThreads = 4;
    String childHeap = "1g";
    String out = null;
    boolean allFormatsInBurst = true;
    boolean jfr = false;
    /** Extra options for every measured JVM (diagnostics, e.g. -XX:+PrintCompilation). */
    List<String> childJvmArgs = new ArrayList<>();
    /** Extra bursts of this project's appenders with overflowPolicy=BLOCK and this timeout (0: none). */
    long blockBurstMs = 1_000;
    String logDir = null;
    /**
     * Paced runs of every appender, one round after another: single runs of this 2-core machine move
     * by about 25%, so comparisons of CPU read best as the median of rounds.
     */
    int pacedRounds = 1;
    /** Formats of the paced runs (null: every format of each appender). */
    Set<String> pacedFormats = null;

    static final String USAGE = String.join("\n",
            "usage: java -jar benchmarks/target/benchmarks.jar [options]",
            "  --quick                  tiny runs to check the setup (seconds, numbers meaningless)",
            "  --phases=jmh,burst,paced which parts to run (default all)",
            "  --appenders=ours-logback,loki4j,ours-log4j2,tjahzi",
            "  --burst-events=N         events per burst (default 2000000)",
            "  --burst-threads=N        logging threads in the burst (default 1)",
            "  --rate=N --seconds=N     paced run (default 100000 events/s for 6 s)",
            "  --paced-warmup=N         events logged at the paced rate before measuring (default 600000)",
            "  --paced-slices=N         a paced caller logs in N slices per second, sleeping between (default 100)",
            "  --paced-formats=json,... paced runs only in these formats (json, json+gzip, protobuf; default all)",
            "  --paced-rounds=N         repeat the paced runs of every appender N times, interleaved, and compare",
            "                           medians (default 1; 1-20)",
            "  --jmh-threads=1,4        logging threads in the JMH runs",
            "  --burst-default-format   burst only in each appender's default format",
            "  --block-burst-ms=N       also burst this project's appenders with overflowPolicy=BLOCK,",
            "                           blockTimeoutMs=N (default 1000; 0 = skip)",
            "  --jfr                    record a JFR profile of every end-to-end child (in the log directory)",
            "  --jvm-arg=OPTION         add a JVM option to every measured JVM (repeatable; diagnostics)",
            "  --out=FILE               also write the report (Markdown) to FILE");

    static Settings parse(String[] args) {
        Settings s = new Settings();
        for (String a : args) {
            String key = a;
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (key) {
                case "--quick":
                    s.jmhWarmupIterations = 1;
                    s.jmhWarmupMs = 300;
                    s.jmhIterations = 1;
                    s.jmhIterationMs = 500;
                    s.burstEvents = 100_000;
                    s.pacedRate = 20_000;
                    s.pacedSeconds = 1;
                    s.warmupEvents = 10_000;
                    s.pacedWarmupEvents = 10_000;
                    s.warmupRate = 20_000;
                    s.idleMs = 200;
                    s.blockBurstMs = 0;
                    break;
                case "--phases":
                    s.phases = new LinkedHashSet<>(List.of(value.split(",")));
                    break;
                case "--appenders":
                    s.variants = new ArrayList<>();
                    for (String id : value.split(",")) {
                        s.variants.add(Variant.byId(id.trim()));
                    }
                    break;
                case "--burst-events":
                    s.burstEvents = Long.parseLong(value);
                    break;
                case "--burst-threads":
                    s.burstThreads = Integer.parseInt(value);
                    break;
                case "--rate":
                    s.pacedRate = Long.parseLong(value);
                    break;
                case "--paced-warmup":
                    s.pacedWarmupEvents = Long.parseLong(value);
                    break;
                case "--paced-slices":
                    s.pacedSlicesPerSecond = Integer.parseInt(value);
                    if (s.pacedSlicesPerSecond < 1 || s.pacedSlicesPerSecond > 1000) {
                        throw new IllegalArgumentException("--paced-slices must be 1 to 1000, was " + value);
                    }
                    break;
                case "--paced-rounds":
                    s.pacedRounds = Integer.parseInt(value);
                    if (s.pacedRounds < 1 || s.pacedRounds > 20) {
                        throw new IllegalArgumentException("--paced-rounds must be 1 to 20, was " + value);
                    }
                    break;
                case "--paced-formats":
                    s.pacedFormats = new LinkedHashSet<>(List.of(value.split(",")));
                    for (String f : s.pacedFormats) {
                        if (!List.of("json", "json+gzip", "protobuf").contains(f)) {
                            throw new IllegalArgumentException("--paced-formats: unknown format '" + f
                                    + "'; known: json, json+gzip, protobuf");
                        }
                    }
                    break;
                case "--seconds":
                    s.pacedSeconds = Long.parseLong(value);
                    break;
                case "--jmh-threads":
                    List<Integer> t = new ArrayList<>();
                    for (String x : value.split(",")) {
                        t.add(Integer.parseInt(x.trim()));
                    }
                    s.jmhThreads = t;
                    break;
                case "--burst-default-format":
                    s.allFormatsInBurst = false;
                    break;
                case "--block-burst-ms":
                    s.blockBurstMs = Long.parseLong(value);
                    break;
                case "--jfr":
                    s.jfr = true;
                    break;
                case "--jvm-arg":
                    s.childJvmArgs.add(value);
                    break;
                case "--out":
                    s.out = value;
                    break;
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    System.exit(0);
                    break;
                default:
                    System.err.println("unknown option " + a + "\n" + USAGE);
                    System.exit(2);
            }
        }
        return s;
    }

    /** System properties the configuration files in {@code bench/} read. */
    List<String> appenderProperties(Variant v, Variant.Format f, String sinkUrl, int sinkPort) {
        List<String> p = new ArrayList<>();
        p.add("-Dbench.url=" + sinkUrl);
        p.add("-Dbench.port=" + sinkPort);
        p.add("-Dbench.format=" + f.format);
        p.add("-Dbench.compression=" + f.compression);
        p.add("-Dbench.protobuf=" + (f == Variant.Format.PROTOBUF));
        p.add("-Dbench.batchEvents=" + batchEvents);
        p.add("-Dbench.batchBytes=" + batchBytes);
        p.add("-Dbench.flushMs=" + flushMs);
        p.add("-Dbench.flushSeconds=" + Math.max(1, flushMs / 1000));
        p.add("-Dbench.bufferBytes=" + ((long) bufferMb << 20));
        p.add("-Dbench.bufferMb=" + bufferMb);
        if (v.framework == Variant.Framework.LOGBACK) {
            p.add("-Dlogback.configurationFile=" + v.config);
        } else {
            p.add("-Dlog4j2.configurationFile=classpath:" + v.config);
        }
        return p;
    }

    /** Heap and collector of every measured JVM. */
    List<String> childJvm() {
        List<String> jvm = new ArrayList<>(List.of("-Xms" + childHeap, "-Xmx" + childHeap, "-XX:+UseG1GC"));
        jvm.addAll(childJvmArgs);
        return jvm;
    }
}
