package io.github.lokiappender.benchmarks.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of every thread of this process as the OS sees it (Linux {@code /proc/self/task}),
 * the JVM's own threads too (GC, JIT compilers, VM thread), which ThreadMXBean does not list:
 * what makes up the "rest" of a run's CPU split. Clock ticks, usually 10 ms. Elsewhere: empty.
 */
final class OsThreads {

    private static final Path TASKS = Paths.get("/proc/self/task");
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

    private OsThreads() {
    }

    /** User + system ticks per thread, keyed by {@code tid/name}. */
    static Map<String, Long> snapshot() {
        Map<String, Long> m = new HashMap<>();
        if (!Files.isDirectory(TASKS)) {
            return m;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(TASKS)) {
            for (Path t : ds) {
                try {
                    String stat = new String(Files.readAllBytes(t.resolve("stat")), StandardCharsets.US_ASCII);
                    // "tid (comm) state ..." : the name may hold spaces, so split after the last ')'
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                    m.put(t.getFileName() + "/" + comm, ticks);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return m;
        }
        return m;
    }

    /** CPU ms per thread group (digits removed from names) between two snapshots, largest first. */
    static String delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> byGroup = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (used > 0) {
                String name = e.getKey().substring(e.getKey().indexOf('/') + 1).replaceAll("[0-9]+", "N").replace(' ', '_');
                byGroup.merge(name, used * NANOS_PER_TICK / 1_000_000L, Long::sum);
            }
        }
        List<Map.Entry<String, Long>> list = new ArrayList<>(byGroup.entrySet());
        list.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : list) {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append(':').append(e.getValue()).append("ms");
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
