package io.github.lokiappender.benchmarks.runner;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The Markdown report: settings, one table per measurement, ratios to the peers, targets. */
final class Report {

    private final Settings s;
    private final Machine machine;
    private final List<Results.Jmh> jmh;
    private final List<Results.EndToEnd> e2e;
    private final double minutes;
    private final String args;
    private final StringBuilder out = new StringBuilder();

    Report(Settings s, Machine machine, List<Results.Jmh> jmh, List<Results.EndToEnd> e2e, double minutes, String args) {
        this.s = s;
        this.machine = machine;
        this.jmh = jmh;
        this.e2e = e2e;
        this.minutes = minutes;
        this.args = args;
    }

    String markdown() {
        line("## Results " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT))
                .replaceFirst("\\.\\d+", ""));
        line("");
        line("- machine: " + machine.oneLine() + "; load average at the end " + Machine.loadAverage());
        line("- command: `benchmarks/run.sh" + (args.isEmpty() ? "" : " " + args) + "` (took "
                + String.format(Locale.ROOT, "%.1f", minutes) + " min)");
        line("- every appender: batches of at most " + s.batchEvents + " events / " + s.batchBytes
                + " bytes, flushed after " + s.flushMs + " ms, buffer " + s.bufferMb + " MiB, labels `app=bench` + `level`,"
                + " line `%level %logger [%thread] - %msg`, no structured metadata; JVMs " + String.join(" ", s.childJvm()));
        line("");
        jmhTable();
        burstTable();
        pacedTable();
        ratios();
        targets();
        return out.toString();
    }

    private void jmhTable() {
        if (jmh.isEmpty()) {
            return;
        }
        line("### Caller cost per logging call (JMH, average time, `-prof gc`)");
        line("");
        line("Callers log as fast as they can while the appender ships to the sink; *received* is the share of");
        line("the calls (warm-up included) that reached the sink. The baselines format the line and discard it:");
        line("*over baseline* is what the appender adds to the framework's own cost. *B/op* is JMH's");
        line("`gc.alloc.rate.norm`: everything the JVM allocated (the appender's background threads included)");
        line("per call; *caller B/op* is what the calling threads allocated themselves (ThreadMXBean).");
        line("");
        line("| appender | format | threads | ns/op | ± | B/op | caller B/op | ns over baseline | caller B over baseline | received |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Results.Jmh r : jmh) {
            Results.Jmh b = r.variant.ships() ? jmh(r.variant.baseline(), r.threads) : null;
            line("| " + r.variant.id + " | " + r.format.id + " | " + r.threads + " | " + num(r.nsPerOp, 1) + " | "
                    + num(r.nsError, 1) + " | " + num(r.bytesPerOp, 0) + " | " + num(r.callerBytesPerOp, 0) + " | "
                    + (b == null ? "" : num(r.nsPerOp - b.nsPerOp, 1)) + " | "
                    + (b == null ? "" : num(r.callerBytesPerOp - b.callerBytesPerOp, 0)) + " | "
                    + pct(r.receivedShare()) + " |");
        }
        line("");
    }

    private void burstTable() {
        List<Results.EndToEnd> rows = select(true);
        if (rows.isEmpty()) {
            return;
        }
        line("### Burst: " + s.burstEvents + " events logged as fast as " + s.burstThreads
                + " caller thread(s) can");
        line("");
        line("*delivered/s*: 99% of the delivered events divided by the time from the first call until the sink had");
        line("them. *dropped*: logged minus received by the sink after the framework was stopped. *old gen*: peak");
        line("old-generation heap during the burst (what the appender held on to). *wire*: request line, headers");
        line("and body per delivered event (this project's gzip sends batches stored while more than four batches");
        line("wait, `backlogCompressionLevel=0`). *(BLOCK)*: this project with");
        line("`overflowPolicy=BLOCK`, `blockTimeoutMs=" + s.blockBurstMs + "` (callers wait for room instead of dropping).");
        line("");
        line("| appender | format | logged/s | delivered/s | delivered | dropped | CPU s / M events | wire B/event | old gen MiB | GCs |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Results.EndToEnd r : rows) {
            line("| " + r.label() + " | " + r.format.id + " | " + num(r.loggedPerSecond(), 0) + " | "
                    + num(r.deliveredPerSecond(), 0) + " | " + r.delivered() + " | " + r.dropped() + " | "
                    + num(r.cpuSecondsPerMillion(), 2) + " | " + num(r.wireBytesPerEvent(), 1) + " | "
                    + num(r.oldGenPeak / 1048576.0, 0) + " | " + r.gcCount + " |");
        }
        line("");
    }

    private void pacedTable() {
        List<Results.EndToEnd> rows = select(false);
        if (rows.isEmpty()) {
            return;
        }
        line("### Paced: " + s.pacedRate + " events/s for " + s.pacedSeconds + " s, one caller thread, after "
                + s.pacedWarmupEvents + " events of warm-up at " + s.warmupRate + " events/s, in "
                + (1000 / s.pacedSlicesPerSecond) + " ms slices");
        line("");
        line("*CPU*: process CPU of the logging JVM over the run minus its idle rate, per million events delivered");
        line("(logged, for the baselines).");
        line("*latency*: event timestamp to receipt by the sink, for the events stamped before the last " + s.flushMs + " ms of the");
        line("window (the run's final partial batch waits for the flush interval only because logging stopped).");
        line("*wire*: request line, headers and body per event.");
        line("*caller*: time and allocation per call on the logging thread (ThreadMXBean). *split*: CPU s per M events");
        line("on the logging thread / the appender's threads / the JIT compilers / the rest (GC, VM), before subtracting");
        line("the idle rate. *without JIT*: CPU minus the JIT compilers' (compilation still going on after the warm-up");
        line("is one-time work and the noisiest part of the figure).");
        line("");
        line("*over baseline*: CPU minus the baseline's (same framework formatting lines, nothing shipped).");
        line("");
        boolean rounds = s.pacedRounds > 1;
        line("| appender | format | " + (rounds ? "round | " : "") + "CPU s / M events | without JIT | over baseline | over baseline without JIT | split "
                + "| idle CPU % | p50 ms | p99 ms | wire B/event | body B/event | events/request | caller ns/call | caller B/call | dropped |");
        line("| --- | --- | " + (rounds ? "---: | " : "") + "---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Results.EndToEnd r : rows) {
            line("| " + r.variant.id + " | " + r.format.id + " | " + (rounds ? r.round + " | " : "") + num(r.cpuSecondsPerMillion(), 2) + " | "
                    + num(r.cpuSecondsPerMillionWithoutJit(), 2) + " | "
                    + num(cpuOverBaseline(r), 2) + " | " + num(cpuOverBaselineWithoutJit(r), 2) + " | " + r.cpuSplitPerMillion() + " | " + num(r.idleCpuPercent(), 1) + " | " + num(r.p50Millis(), 1) + " | " + num(r.p99Millis(), 1)
                    + " | " + num(r.wireBytesPerEvent(), 1) + " | " + num(r.bodyBytesPerEvent(), 1) + " | "
                    + num(r.eventsPerRequest(), 0) + " | " + num(r.callerNanosPerCall(), 0) + " | "
                    + num(r.callerBytesPerCall(), 0) + " | " + r.dropped() + " |");
        }
        line("");
        if (rounds) {
            pacedMedians(rows);
        }
    }

    /** With several rounds: each appender's median and range over the rounds, as the ratios and targets use them. */
    private void pacedMedians(List<Results.EndToEnd> rows) {
        line("### Paced over " + s.pacedRounds + " rounds: medians");
        line("");
        line("Each appender ran once per round, the rounds one after another (so a slow spell of the machine");
        line("falls on all of them alike). The ratios and targets below use these medians; *over baseline* is the");
        line("median of each round's difference to the baseline of the same round.");
        line("");
        line("| appender | format | CPU s / M events | min–max | without JIT | over baseline | logging thread | appender threads "
                + "| JIT | caller ns/call |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        List<String> seen = new ArrayList<>();
        for (Results.EndToEnd r : rows) {
            String key = r.variant.id + "/" + r.format.id;
            if (seen.contains(key)) {
                continue;
            }
            seen.add(key);
            double[] cpu = values(r.variant, r.format, Results.EndToEnd::cpuSecondsPerMillion);
            line("| " + r.variant.id + " | " + r.format.id + " | " + num(median(cpu), 2) + " | " + num(min(cpu), 2) + "–"
                    + num(max(cpu), 2) + " | " + num(paced(r.variant, r.format, Results.EndToEnd::cpuSecondsPerMillionWithoutJit), 2)
                    + " | " + num(paced(r.variant, r.format, this::cpuOverBaseline), 2) + " | "
                    + num(paced(r.variant, r.format, Results.EndToEnd::callerCpuPerMillion), 2) + " | "
                    + num(paced(r.variant, r.format, Results.EndToEnd::appenderCpuPerMillion), 2) + " | "
                    + num(paced(r.variant, r.format, Results.EndToEnd::jitCpuPerMillion), 2) + " | "
                    + num(paced(r.variant, r.format, Results.EndToEnd::callerNanosPerCall), 0) + " |");
        }
        line("");
    }

    /** A paced metric of one appender and format: the median over the rounds (the value itself for one round). */
    private double paced(Variant v, Variant.Format f, ToDoubleFunction<Results.EndToEnd> m) {
        return median(values(v, f, m));
    }

    /** A paced metric of one appender and format, round by round (NaN values left out). */
    private double[] values(Variant v, Variant.Format f, ToDoubleFunction<Results.EndToEnd> m) {
        return select(false).stream().filter(r -> r.variant == v && r.format == f && !r.block)
                .mapToDouble(m).filter(x -> !Double.isNaN(x)).toArray();
    }

    static double median(double[] a) {
        if (a.length == 0) {
            return Double.NaN;
        }
        double[] b = a.clone();
        java.util.Arrays.sort(b);
        int n = b.length;
        return n % 2 == 1 ? b[n / 2] : (b[n / 2 - 1] + b[n / 2]) / 2;
    }

    private static double min(double[] a) {
        return java.util.Arrays.stream(a).min().orElse(Double.NaN);
    }

    private static double max(double[] a) {
        return java.util.Arrays.stream(a).max().orElse(Double.NaN);
    }

    private void ratios() {
        List<String[]> rows = new ArrayList<>();
        for (Variant ours : new Variant[]{Variant.OURS_LOGBACK, Variant.OURS_LOG4J2}) {
            Variant peer = ours.peer();
            if (!s.variants.contains(ours) || !s.variants.contains(peer)) {
                continue;
            }
            String pair = ours.id + " / " + peer.id;
            for (int t : s.jmhThreads) {
                Results.Jmh a = jmh(ours, t);
                Results.Jmh b = jmh(peer, t);
                if (a != null && b != null) {
                    rows.add(new String[]{pair, "caller ns/op, " + t + " thread(s)", ratio(a.nsPerOp, b.nsPerOp)});
                    rows.add(new String[]{pair, "JVM B/op (gc.alloc.rate.norm), " + t + " thread(s)",
                            ratio(a.bytesPerOp, b.bytesPerOp)});
                    rows.add(new String[]{pair, "caller B/op, " + t + " thread(s)",
                            ratio(a.callerBytesPerOp, b.callerBytesPerOp)});
                    Results.Jmh base = jmh(ours.baseline(), t);
                    if (base != null) {
                        rows.add(new String[]{pair, "caller ns/op over baseline, " + t + " thread(s)",
                                ratio(a.nsPerOp - base.nsPerOp, b.nsPerOp - base.nsPerOp)});
                    }
                }
            }
            for (Variant.Format f : peer.formats) {
                addE2e(rows, pair, ours, peer, f, true, "burst delivered/s", Results.EndToEnd::deliveredPerSecond);
            }
            for (Variant.Format f : peer.formats) {
                addE2e(rows, pair, ours, peer, f, false, "paced CPU per event", Results.EndToEnd::cpuSecondsPerMillion);
                addE2e(rows, pair, ours, peer, f, false, "paced CPU per event over baseline", this::cpuOverBaseline);
                addE2e(rows, pair, ours, peer, f, false, "paced CPU per event without JIT",
                        Results.EndToEnd::cpuSecondsPerMillionWithoutJit);
                addE2e(rows, pair, ours, peer, f, false, "paced CPU per event over baseline without JIT",
                        this::cpuOverBaselineWithoutJit);
                addE2e(rows, pair, ours, peer, f, false, "paced p99 latency", Results.EndToEnd::p99Millis);
                addE2e(rows, pair, ours, peer, f, false, "wire bytes per event", Results.EndToEnd::wireBytesPerEvent);
                addE2e(rows, pair, ours, peer, f, false, "caller B/call (paced)", Results.EndToEnd::callerBytesPerCall);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        line("### Ratios: this project / peer (same framework, same format)");
        line("");
        line("Below 1 means this project uses less (time, CPU, bytes); for delivered/s, above 1 means faster.");
        line("");
        line("| pair | metric | ratio |");
        line("| --- | --- | ---: |");
        for (String[] r : rows) {
            line("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
        }
        line("");
    }

    private void addE2e(List<String[]> rows, String pair, Variant ours, Variant peer, Variant.Format f, boolean burst,
                        String metric, ToDoubleFunction<Results.EndToEnd> m) {
        Results.EndToEnd a = e2e(ours, f, burst);
        Results.EndToEnd b = e2e(peer, f, burst);
        if (a != null && b != null) {
            // paced: the medians over the rounds (with one round, the values themselves)
            double x = burst ? m.applyAsDouble(a) : paced(ours, f, m);
            double y = burst ? m.applyAsDouble(b) : paced(peer, f, m);
            rows.add(new String[]{pair, metric + " (" + f.id + ")", ratio(x, y)});
        }
    }

    private void targets() {
        List<String[]> rows = new ArrayList<>();
        // no loss in the burst
        List<Results.EndToEnd> oursBursts = new ArrayList<>();
        List<Results.EndToEnd> blockBursts = new ArrayList<>();
        for (Results.EndToEnd r : select(true)) {
            if (r.variant.ours) {
                (r.block ? blockBursts : oursBursts).add(r);
            }
        }
        if (!oursBursts.isEmpty()) {
            long dropped = 0;
            StringBuilder detail = new StringBuilder();
            for (Results.EndToEnd r : oursBursts) {
                dropped += r.dropped();
                if (r.dropped() > 0) {
                    detail.append(detail.length() == 0 ? ": " : ", ").append(r.variant.id).append('/')
                            .append(r.format.id).append(' ').append(r.dropped());
                }
            }
            rows.add(new String[]{"no loss in the burst (" + s.bufferMb + " MiB buffer, default DROP_NEWEST)",
                    dropped + " dropped in " + oursBursts.size() + " bursts" + detail, verdict(dropped == 0)});
        }
        for (Results.EndToEnd r : blockBursts) {
            rows.add(new String[]{"no loss in the burst with overflowPolicy=BLOCK (" + r.variant.id + ", " + r.format.id + ")",
                    r.dropped() + " dropped, " + num(r.loggedPerSecond(), 0) + " logged/s", verdict(r.dropped() == 0)});
        }
        // throughput >= 2x loki4j
        Results.EndToEnd oursJson = e2e(Variant.OURS_LOGBACK, Variant.Format.JSON, true);
        Results.EndToEnd loki4jJson = e2e(Variant.LOKI4J, Variant.Format.JSON, true);
        if (oursJson != null && loki4jJson != null) {
            double r = oursJson.deliveredPerSecond() / loki4jJson.deliveredPerSecond();
            rows.add(new String[]{">= 2x loki4j end-to-end throughput (json)", "ours-logback / loki4j = " + num(r, 2) + "x",
                    verdict(r >= 2)});
        }
        Results.EndToEnd oursJsonBlock = blockBurst(Variant.OURS_LOGBACK, Variant.Format.JSON);
        if (oursJsonBlock != null && loki4jJson != null) {
            double r = oursJsonBlock.deliveredPerSecond() / loki4jJson.deliveredPerSecond();
            rows.add(new String[]{">= 2x loki4j end-to-end throughput, both without loss (json; ours with BLOCK)",
                    "ours-logback (BLOCK) / loki4j = " + num(r, 2) + "x", verdict(r >= 2)});
        }
        Results.EndToEnd oursPb = e2e(Variant.OURS_LOGBACK, Variant.Format.PROTOBUF, true);
        Results.EndToEnd loki4jPb = e2e(Variant.LOKI4J, Variant.Format.PROTOBUF, true);
        if (oursPb != null && loki4jPb != null) {
            double r = oursPb.deliveredPerSecond() / loki4jPb.deliveredPerSecond();
            rows.add(new String[]{">= 2x loki4j end-to-end throughput (protobuf)", "ours-logback / loki4j = " + num(r, 2) + "x",
                    verdict(r >= 2)});
        }
        // CPU <= half of tjahzi
        Results.EndToEnd tj = e2e(Variant.TJAHZI, Variant.Format.PROTOBUF, false);
        if (tj != null) {
            for (Variant.Format f : Variant.OURS_LOG4J2.formats) {
                Results.EndToEnd o = e2e(Variant.OURS_LOG4J2, f, false);
                if (o != null) {
                    String ours = " (ours " + f.id + ")";
                    halfOfTjahzi(rows, "<= 1/2 tjahzi CPU per event at " + s.pacedRate + "/s" + ours, f,
                            Results.EndToEnd::cpuSecondsPerMillion);
                    halfOfTjahzi(rows, "<= 1/2 tjahzi CPU per event over the Log4j2 baseline" + ours, f,
                            this::cpuOverBaseline);
                    halfOfTjahzi(rows, "<= 1/2 tjahzi CPU per event without JIT compilation" + ours, f,
                            Results.EndToEnd::cpuSecondsPerMillionWithoutJit);
                    halfOfTjahzi(rows, "<= 1/2 tjahzi CPU per event over the Log4j2 baseline, without JIT" + ours, f,
                            this::cpuOverBaselineWithoutJit);
                }
            }
        }
        // caller allocation below tjahzi
        for (int t : s.jmhThreads) {
            Results.Jmh o = jmh(Variant.OURS_LOG4J2, t);
            Results.Jmh p = jmh(Variant.TJAHZI, t);
            if (o != null && p != null) {
                // below the peer's, or zero (under half a byte per call): zero is the aim, and the peer may reach it too
                rows.add(new String[]{"caller allocation below tjahzi or zero (JMH gc.alloc.rate.norm, " + t + " thread(s))",
                        num(o.bytesPerOp, 0) + " vs " + num(p.bytesPerOp, 0) + " B/op",
                        verdict(o.bytesPerOp < p.bytesPerOp || o.bytesPerOp < 0.5)});
                rows.add(new String[]{"caller allocation below tjahzi or zero (calling threads only, JMH, " + t + " thread(s))",
                        num(o.callerBytesPerOp, 0) + " vs " + num(p.callerBytesPerOp, 0) + " B/op",
                        verdict(o.callerBytesPerOp < p.callerBytesPerOp || o.callerBytesPerOp < 0.5)});
            }
        }
        // fewer wire bytes than either peer, format by format and best against best
        for (Variant ours : new Variant[]{Variant.OURS_LOGBACK, Variant.OURS_LOG4J2}) {
            Results.EndToEnd best = bestWire(ours);
            if (best == null) {
                continue;
            }
            for (Variant peer : new Variant[]{Variant.LOKI4J, Variant.TJAHZI}) {
                Results.EndToEnd pb = bestWire(peer);
                if (pb == null) {
                    continue;
                }
                rows.add(new String[]{"fewer wire bytes per event than " + peer.id + " (" + ours.id + ", best format each)",
                        num(best.wireBytesPerEvent(), 1) + " (" + best.format.id + ") vs " + num(pb.wireBytesPerEvent(), 1)
                                + " (" + pb.format.id + ")", fewer(best.wireBytesPerEvent(), pb.wireBytesPerEvent())});
                for (Variant.Format f : peer.formats) {
                    Results.EndToEnd a = e2e(ours, f, false);
                    Results.EndToEnd b = e2e(peer, f, false);
                    if (a != null && b != null) {
                        rows.add(new String[]{"fewer wire bytes per event than " + peer.id + " (" + ours.id + ", " + f.id + ")",
                                num(a.wireBytesPerEvent(), 2) + " vs " + num(b.wireBytesPerEvent(), 2),
                                fewer(a.wireBytesPerEvent(), b.wireBytesPerEvent())});
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        line("### Targets");
        line("");
        line("| target | measured | met |");
        line("| --- | --- | --- |");
        for (String[] r : rows) {
            line("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
        }
        line("");
    }

    /** Paced CPU per event minus the framework baseline's; NaN without a baseline run. */
    private double cpuOverBaseline(Results.EndToEnd r) {
        return overBaseline(r, Results.EndToEnd::cpuSecondsPerMillion);
    }

    /** As {@link #cpuOverBaseline} with both figures without the JIT compilers' CPU. */
    private double cpuOverBaselineWithoutJit(Results.EndToEnd r) {
        return overBaseline(r, Results.EndToEnd::cpuSecondsPerMillionWithoutJit);
    }

    private double overBaseline(Results.EndToEnd r, ToDoubleFunction<Results.EndToEnd> cpu) {
        if (!r.variant.ships()) {
            return Double.NaN;
        }
        Results.EndToEnd b = pacedRound(r.variant.baseline(), Variant.Format.NONE, r.round);
        return b == null ? Double.NaN : cpu.applyAsDouble(r) - cpu.applyAsDouble(b);
    }

    /** The paced run of an appender and format in one round, or null. */
    private Results.EndToEnd pacedRound(Variant v, Variant.Format f, int round) {
        for (Results.EndToEnd r : select(false)) {
            if (r.variant == v && r.format == f && !r.block && r.round == round) {
                return r;
            }
        }
        return null;
    }

    /**
     * A target row "ours is at most half of tjahzi's", when both figures exist. With several rounds
     * the verdict is on the median of the rounds' ratios (each round's ours over the same round's tjahzi).
     */
    private void halfOfTjahzi(List<String[]> rows, String target, Variant.Format f, ToDoubleFunction<Results.EndToEnd> m) {
        double ours = paced(Variant.OURS_LOG4J2, f, m);
        double tjahzi = paced(Variant.TJAHZI, Variant.Format.PROTOBUF, m);
        if (Double.isNaN(ours) || Double.isNaN(tjahzi)) {
            return;
        }
        if (s.pacedRounds == 1) {
            rows.add(new String[]{target, num(ours, 2) + " vs " + num(tjahzi, 2) + " s/M = " + num(ours / tjahzi, 2) + "x",
                    verdict(ours / tjahzi <= 0.5)});
            return;
        }
        List<Double> ratios = new ArrayList<>();
        StringBuilder each = new StringBuilder();
        int met = 0;
        for (int round = 1; round <= s.pacedRounds; round++) {
            Results.EndToEnd a = pacedRound(Variant.OURS_LOG4J2, f, round);
            Results.EndToEnd b = pacedRound(Variant.TJAHZI, Variant.Format.PROTOBUF, round);
            if (a == null || b == null) {
                continue;
            }
            double x = m.applyAsDouble(a) / m.applyAsDouble(b);
            if (Double.isNaN(x)) {
                continue;
            }
            ratios.add(x);
            each.append(each.length() == 0 ? "" : ", ").append(num(x, 2));
            if (x <= 0.5) {
                met++;
            }
        }
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        double mid = median(r);
        rows.add(new String[]{target, "medians " + num(ours, 2) + " vs " + num(tjahzi, 2) + " s/M; round by round "
                + each + " (median " + num(mid, 2) + "x; at most half in " + met + " of " + r.length + ")",
                verdict(mid <= 0.5)});
    }

    private Results.EndToEnd blockBurst(Variant v, Variant.Format f) {
        for (Results.EndToEnd r : e2e) {
            if (r.variant == v && r.format == f && r.burst && r.block) {
                return r;
            }
        }
        return null;
    }

    private Results.EndToEnd bestWire(Variant v) {
        Results.EndToEnd best = null;
        for (Results.EndToEnd r : select(false)) {
            if (r.variant == v && (best == null || r.wireBytesPerEvent() < best.wireBytesPerEvent())) {
                best = r;
            }
        }
        return best;
    }

    private List<Results.EndToEnd> select(boolean burst) {
        List<Results.EndToEnd> l = new ArrayList<>();
        for (Results.EndToEnd r : e2e) {
            if (r.burst == burst) {
                l.add(r);
            }
        }
        return l;
    }

    private Results.Jmh jmh(Variant v, int threads) {
        for (Results.Jmh r : jmh) {
            if (r.variant == v && r.threads == threads) {
                return r;
            }
        }
        return null;
    }

    private Results.EndToEnd e2e(Variant v, Variant.Format f, boolean burst) {
        for (Results.EndToEnd r : e2e) {
            if (r.variant == v && r.format == f && r.burst == burst && !r.block) {
                return r;
            }
        }
        return null;
    }

    /** "Fewer" needs a difference of more than 0.5%; within that it is a tie. */
    private static String fewer(double ours, double peer) {
        if (Math.abs(ours - peer) <= 0.005 * peer) {
            return "**no** (equal)";
        }
        return verdict(ours < peer);
    }

    private static String verdict(boolean met) {
        return met ? "yes" : "**no**";
    }

    private static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return "n/a";
        }
        if (b <= 0 || a / b > 100) {
            return a <= 0 ? "n/a" : "> 100 (peer about 0)";
        }
        return num(a / b, 2);
    }

    private static String pct(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String num(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private void line(String l) {
        out.append(l).append('\n');
    }
}
