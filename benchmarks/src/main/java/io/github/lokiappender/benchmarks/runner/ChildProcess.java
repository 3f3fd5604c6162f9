package io.github.lokiappender.benchmarks.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM speaking the line protocol: lines starting with {@code @@BENCH } are messages, the
 * rest (framework status output, JMH progress) goes to a log file, whose tail is shown on failure.
 */
final class ChildProcess implements AutoCloseable {

    private static final String PREFIX = "@@BENCH ";

    private final String name;
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final Writer log;
    private final Thread reader;

    private ChildProcess(String name, Process process, Path logFile) throws IOException {
        this.name = name;
        this.process = process;
        this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        this.reader = new Thread(this::pump, "bench-child-reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ChildProcess start(String name, List<String> jvmArgs, String classpath, String mainClass,
                              List<String> args, Path logDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        Files.createDirectories(logDir);
        Path logFile = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        ChildProcess c = new ChildProcess(name, pb.start(), logFile);
        c.logLine("# " + String.join(" ", cmd));
        return c;
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(PREFIX)) {
                    messages.add(line.substring(PREFIX.length()));
                }
                logLine(line);
            }
        } catch (IOException e) {
            logLine("# reader: " + e);
        }
    }

    private synchronized void logLine(String line) {
        try {
            log.write(line);
            log.write('\n');
            log.flush();
        } catch (IOException ignored) {
            // the log is a diagnostic aid only
        }
        tail.addLast(line);
        if (tail.size() > 40) {
            tail.removeFirst();
        }
    }

    /**
     * Waits for the next message, which must start with {@code word}; returns its key=value fields.
     */
    Map<String, String> await(String word, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            String m = messages.poll(100, TimeUnit.MILLISECONDS);
            if (m != null) {
                if (!m.startsWith(word)) {
                    throw failure("expected " + word + ", got " + m);
                }
                return fields(m.substring(word.length()));
            }
            if (!process.isAlive() && messages.isEmpty()) {
                reader.join(1000);
                if (messages.isEmpty()) {
                    throw failure("exited with " + process.exitValue() + " while waiting for " + word);
                }
            }
            if (System.nanoTime() > deadline) {
                throw failure("no " + word + " within " + timeoutMs + " ms");
            }
        }
    }

    /** Adds a line of the runner's own to this child's log. */
    void note(String text) {
        logLine("# " + text);
    }

    void send(String command) {
        stdin.println(command);
    }

    /** Waits for the process to end; kills it after the timeout. Returns the exit code. */
    int waitFor(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            throw failure("did not exit within " + timeoutMs + " ms; killed");
        }
        reader.join(2000);
        return process.exitValue();
    }

    IllegalStateException failure(String what) {
        StringBuilder sb = new StringBuilder("child '" + name + "' " + what + "; last output:");
        synchronized (this) {
            for (String l : tail) {
                sb.append("\n    ").append(l);
            }
        }
        return new IllegalStateException(sb.toString());
    }

    static Map<String, String> fields(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : text.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            try {
                log.close();
            } catch (IOException ignored) {
                // diagnostic only
            }
        }
    }
}
