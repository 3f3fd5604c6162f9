package io.github.lokiappender.benchmarks.jmh;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link CallerCostBenchmark} in a JVM that has one framework and one appender on its class
 * path; JMH's fork inherits that class path. Prints one result line for the runner:
 * {@code @@BENCH JMH score=<ns/op> error=<ns/op> alloc=<B/op>}.
 *
 * <p>Arguments: {@code threads=T warmupIterations=N warmupMs=M iterations=N iterationMs=M}; every
 * other argument starting with {@code -D} or {@code -X} is passed to the fork.
 */
public final class JmhChild {

    public static void main(String[] args) throws Exception {
        List<String> jvmArgs = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            (a.startsWith("-D") || a.startsWith("-X") ? jvmArgs : rest).add(a);
        }
        Map<String, String> a = io.github.lokiappender.benchmarks.e2e.ScenarioChild.parse(rest.toArray(new String[0]));
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(CallerCostBenchmark.class.getName() + ".log")
                .forks(1)
                .threads(Integer.parseInt(a.getOrDefault("threads", "1")))
                .warmupIterations(Integer.parseInt(a.getOrDefault("warmupIterations", "3")))
                .warmupTime(TimeValue.milliseconds(Long.parseLong(a.getOrDefault("warmupMs", "1000"))))
                .measurementIterations(Integer.parseInt(a.getOrDefault("iterations", "4")))
                .measurementTime(TimeValue.milliseconds(Long.parseLong(a.getOrDefault("iterationMs", "1000"))))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.valueOf(a.getOrDefault("verbosity", "NORMAL")))
                .jvmArgs(jvmArgs.toArray(new String[0]));
        Collection<RunResult> results = new Runner(o.build()).run();
        for (RunResult r : results) {
            Result<?> primary = r.getPrimaryResult();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            System.out.println("@@BENCH JMH score=" + primary.getScore() + " error=" + primary.getScoreError()
                    + " alloc=" + (alloc == null ? "NaN" : alloc.getScore()));
        }
    }
}
