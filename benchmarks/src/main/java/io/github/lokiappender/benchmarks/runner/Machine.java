package io.github.lokiappender.benchmarks.runner;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine and JVM a report was produced on. */
final class Machine {

    final int cpus;
    final String cpuModel;
    final long memoryBytes;
    final String os;
    final String jdk;
    final String loadAtStart;

    private Machine(int cpus, String cpuModel, long memoryBytes, String os, String jdk, String loadAtStart) {
        this.cpus = cpus;
        this.cpuModel = cpuModel;
        this.memoryBytes = memoryBytes;
        this.os = os;
        this.jdk = jdk;
        this.loadAtStart = loadAtStart;
    }

    static Machine describe() {
        com.sun.management.OperatingSystemMXBean osb =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(), osb.getTotalMemorySize(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"),
                loadAverage());
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return l < 0 ? "n/a" : String.format("%.2f", l);
        }
    }

    private static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    String oneLine() {
        return cpus + " CPUs (" + cpuModel + "), " + (memoryBytes >> 30) + " GiB RAM, " + os + ", " + jdk
                + ", load average " + loadAtStart;
    }
}
