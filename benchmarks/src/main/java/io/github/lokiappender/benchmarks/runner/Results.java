package io.github.lokiappender.benchmarks.runner;

import io.github.lokiappender.benchmarks.sink.SinkStats;

import java.util.Map;

/** Measurements of one run, with the derived numbers the report shows. */
final class Results {

    private Results() {
    }

    /** One JMH run: caller cost of one appender with a number of logging threads. */
    static final class Jmh {
        final Variant variant;
        final Variant.Format format;
        final int threads;
        final double nsPerOp;
        final double nsError;
        final double bytesPerOp;
        final long calls;
        final long received;
        /** Allocated by the calling threads themselves per call (measured iterations). */
        final double callerBytesPerOp;

        Jmh(Variant variant, Variant.Format format, int threads, double nsPerOp, double nsError, double bytesPerOp,
            long calls, long received, double callerBytesPerOp) {
            this.callerBytesPerOp = callerBytesPerOp;
            this.variant = variant;
            this.format = format;
            this.threads = threads;
            this.nsPerOp = nsPerOp;
            this.nsError = nsError;
            this.bytesPerOp = bytesPerOp;
            this.calls = calls;
            this.received = received;
        }

        double receivedShare() {
            return calls == 0 || !variant.ships() ? Double.NaN : (double) received / calls;
        }
    }

    /** One end-to-end run (burst or paced). */
    static final class EndToEnd {
        final Variant variant;
        final Variant.Format format;
        final boolean burst;
        final long flushMs;
        /** Run with overflowPolicy=BLOCK (this project only). */
        final boolean block;
        final int threads;
        final long logged;
        final long t0;
        final long t1;
        final long callerCpu;
        final long callerAlloc;
        final long callerNanos;
        /** Sink view when the runner stopped waiting (before the framework was stopped). */
        final SinkStats atDrain;
        /** Sink view after the child stopped its framework and exited. */
        final SinkStats last;
        final long cpu;
        final long wall;
        final long idleCpu;
        final long idleWall;
        final long stopMs;
        final long gcCount;
        final long gcMs;
        final long oldGenPeak;
        final long cpuCallers;
        final long cpuAppender;
        final long cpuRest;
        /** CPU of the JIT compiler threads in the window (from the OS), or -1 where the OS does not tell. */
        final long cpuJit;
        final String appenderThreads;
        /** Which round of paced runs (1 for bursts and single rounds). */
        final int round;

        EndToEnd(Variant variant, Variant.Format format, boolean burst, boolean block, int threads, long flushMs,
                 Map<String, String> logged, SinkStats atDrain, Map<String, String> stopped, SinkStats last, int round) {
            this.round = round;
            this.flushMs = flushMs;
            this.variant = variant;
            this.format = format;
            this.burst = burst;
            this.block = block;
            this.threads = threads;
            this.logged = Long.parseLong(logged.get("n"));
            this.t0 = Long.parseLong(logged.get("t0"));
            this.t1 = Long.parseLong(logged.get("t1"));
            this.callerCpu = Long.parseLong(logged.get("callerCpu"));
            this.callerAlloc = Long.parseLong(logged.get("callerAlloc"));
            this.callerNanos = Long.parseLong(logged.get("callerNanos"));
            this.atDrain = atDrain;
            this.last = last;
            this.cpu = Long.parseLong(stopped.get("cpu"));
            this.wall = Long.parseLong(stopped.get("wall"));
            // the lower of the two idle rates (before and after the measured logging)
            long c1 = Long.parseLong(stopped.get("idleCpu"));
            long w1 = Long.parseLong(stopped.get("idleWall"));
            long c2 = Long.parseLong(stopped.get("idle2Cpu"));
            long w2 = Long.parseLong(stopped.get("idle2Wall"));
            boolean first = (double) c1 / Math.max(1, w1) <= (double) c2 / Math.max(1, w2);
            this.idleCpu = first ? c1 : c2;
            this.idleWall = first ? w1 : w2;
            this.stopMs = Long.parseLong(stopped.get("stopMs"));
            this.gcCount = Long.parseLong(stopped.get("gcCount"));
            this.gcMs = Long.parseLong(stopped.get("gcMs"));
            this.oldGenPeak = Long.parseLong(stopped.get("oldGenPeak"));
            this.cpuCallers = Long.parseLong(stopped.get("cpuCallers"));
            this.cpuAppender = Long.parseLong(stopped.get("cpuAppender"));
            this.cpuRest = Long.parseLong(stopped.get("cpuRest"));
            this.appenderThreads = stopped.get("appenderThreads");
            this.cpuJit = jitNanos(stopped.get("osThreads"));
        }

        /** Sums the compiler threads in {@code name:12ms,...} (thread names as the OS shows them). */
        static long jitNanos(String osThreads) {
            if (osThreads == null || osThreads.equals("-")) {
                return -1;
            }
            long ms = 0;
            for (String e : osThreads.split(",")) {
                int c = e.lastIndexOf(':');
                if (c > 0 && e.substring(0, c).contains("CompilerThre") && e.endsWith("ms")) {
                    ms += Long.parseLong(e.substring(c + 1, e.length() - 2));
                }
            }
            return ms * 1_000_000L;
        }

        /** Delivered in the measured window; a baseline delivers nothing, so its logged events count. */
        private long eventsForCpu() {
            return variant.ships() ? atDrain.entries : logged;
        }

        /** The appender's name in tables: with the overflow policy when it is not the default. */
        String label() {
            return variant.id + (block ? " (BLOCK)" : "");
        }

        long delivered() {
            return last.entries;
        }

        long dropped() {
            return variant.ships() ? Math.max(0, logged - last.entries) : 0;
        }

        /** Events per second the callers managed. */
        double loggedPerSecond() {
            return logged * 1e9 / Math.max(1, t1 - t0);
        }

        /**
         * Events per second acknowledged by the sink: 99% of what was finally delivered, divided by
         * the time from the first call until the sink had that many (the last partial batch's
         * linger would otherwise dominate short runs).
         */
        double deliveredPerSecond() {
            long target = (long) Math.ceil(delivered() * 0.99);
            long at = last.timeReached(target);
            if (target == 0 || at == 0) {
                return 0;
            }
            return target * 1e9 / Math.max(1, at - t0);
        }

        /** Process CPU over the measured window, minus the idle rate, per million events delivered in it. */
        double cpuSecondsPerMillion() {
            long events = eventsForCpu();
            if (events == 0) {
                return Double.NaN;
            }
            double idleRate = idleWall == 0 ? 0 : (double) idleCpu / idleWall;
            double net = cpu - idleRate * wall;
            return net / events * 1e6 / 1e9;
        }

        /**
         * As {@link #cpuSecondsPerMillion()} without what the JIT compilers spent in the window: the
         * steady-state cost. Compilation still going on after the warm-up is one-time work, and it
         * varied by 0.2-0.9 s/M from run to run for every appender. NaN where the OS does not tell.
         */
        double cpuSecondsPerMillionWithoutJit() {
            long events = eventsForCpu();
            if (events == 0 || cpuJit < 0) {
                return Double.NaN;
            }
            return cpuSecondsPerMillion() - cpuJit / (double) events * 1e6 / 1e9;
        }

        /** Per million events delivered: seconds of CPU on the logging threads, the appender's threads, JIT, the rest. */
        String cpuSplitPerMillion() {
            long events = eventsForCpu();
            if (events == 0) {
                return "n/a";
            }
            double f = 1e6 / events / 1e9;
            if (cpuJit < 0) {
                return String.format(java.util.Locale.ROOT, "%.2f / %.2f / ? / %.2f", cpuCallers * f, cpuAppender * f, cpuRest * f);
            }
            return String.format(java.util.Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", cpuCallers * f, cpuAppender * f,
                    cpuJit * f, Math.max(0, cpuRest - cpuJit) * f);
        }

        /** CPU s per million events on the logging threads; NaN without events. */
        double callerCpuPerMillion() {
            return perMillion(cpuCallers);
        }

        /** CPU s per million events on the appender's own threads. */
        double appenderCpuPerMillion() {
            return perMillion(cpuAppender);
        }

        /** CPU s per million events in the JIT compiler threads; NaN where the OS does not tell. */
        double jitCpuPerMillion() {
            return cpuJit < 0 ? Double.NaN : perMillion(cpuJit);
        }

        private double perMillion(long nanos) {
            long events = eventsForCpu();
            return events == 0 ? Double.NaN : nanos * 1e6 / events / 1e9;
        }

        /** CPU the JVM spends per second while nobody logs (the appender's idle polling, JIT, GC). */
        double idleCpuPercent() {
            return idleWall == 0 ? Double.NaN : 100.0 * idleCpu / idleWall;
        }

        double callerNanosPerCall() {
            return (double) callerNanos / logged;
        }

        double callerCpuNanosPerCall() {
            return (double) callerCpu / logged;
        }

        double callerBytesPerCall() {
            return (double) callerAlloc / logged;
        }

        /**
         * Latencies of the events stamped before the last {@code flushMs} of the logging window: the
         * final, partial batch of a run waits for the flush interval only because logging stopped.
         */
        io.github.lokiappender.benchmarks.sink.LatencyHistogram steadyLatency() {
            io.github.lokiappender.benchmarks.sink.LatencyHistogram h = last.latency.before(t1 - flushMs * 1_000_000L);
            return h.count() > 0 ? h : last.latency.all(); // a window shorter than the flush interval (--quick)
        }

        double p50Millis() {
            return steadyLatency().quantileMillis(0.50);
        }

        double p99Millis() {
            return steadyLatency().quantileMillis(0.99);
        }

        double wireBytesPerEvent() {
            return last.wireBytesPerEntry();
        }

        double bodyBytesPerEvent() {
            return last.entries == 0 ? Double.NaN : (double) last.bodyBytes / last.entries;
        }

        double eventsPerRequest() {
            return last.requests == 0 ? Double.NaN : (double) last.entries / last.requests;
        }

        double streamsPerRequest() {
            return last.requests == 0 ? Double.NaN : (double) last.streams / last.requests;
        }
    }
}
