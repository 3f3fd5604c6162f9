package io.github.lokiappender.core.spool;

import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.stats.PipelineStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Writes and inspects spool segment files for tests. */
public final class SpoolFiles {

    private SpoolFiles() {
    }

    /** A Loki JSON push body with one stream {@code {app="<app>"}} and the given lines, timestamps from {@code t0}. */
    public static EncodedRequest jsonRequest(String app, long t0Nanos, List<String> lines) {
        StringBuilder sb = new StringBuilder("{\"streams\":[{\"stream\":{\"app\":\"").append(app).append("\"},\"values\":[");
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("[\"").append(t0Nanos + i).append("\",\"").append(lines.get(i)).append("\"]");
        }
        sb.append("]}]}");
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        return new EncodedRequest(b, b.length, "application/json", null);
    }

    /**
     * Writes one new segment file holding one record per request, as an earlier process would
     * have left it, and returns its path.
     */
    public static Path writeSegment(Path dir, List<EncodedRequest> requests, List<Integer> events) {
        Spool s = Spool.open(dir, 1L << 30, StatusReporter.NONE, new PipelineStats(), "writer");
        if (s == null || !s.acquired()) {
            throw new IllegalStateException("spool directory " + dir + " cannot be used or is locked");
        }
        List<Path> before = segments(dir);
        try {
            s.recover();
            for (int i = 0; i < requests.size(); i++) {
                if (s.append(requests.get(i), events.get(i)) != Spool.Append.WRITTEN) {
                    throw new IllegalStateException("not written");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            s.close();
        }
        List<Path> after = segments(dir);
        after.removeAll(before);
        if (after.size() != 1) {
            throw new IllegalStateException("expected one new segment, found " + after);
        }
        return after.get(0);
    }

    /** The segment files in {@code dir}, oldest first. */
    public static List<Path> segments(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("loki-spool-\\d{20}\\.seg")).sorted()
                    .collect(Collectors.toCollection(ArrayList::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sum of the sizes of the segment files. */
    public static long segmentBytes(Path dir) {
        long sum = 0;
        for (Path p : segments(dir)) {
            try {
                sum += Files.size(p);
            } catch (IOException e) {
                // deleted meanwhile
            }
        }
        return sum;
    }

    /** Where each record of a well-formed segment starts, and where its payload starts: {start, payloadStart}. */
    public static List<long[]> records(Path segment) throws IOException {
        byte[] b = Files.readAllBytes(segment);
        List<long[]> out = new ArrayList<>();
        int p = 0;
        while (p < b.length) {
            int ctLen = b[p + 14] & 0xFF;
            int ceLen = b[p + 15 + ctLen] & 0xFF;
            int payloadAt = p + 16 + ctLen + ceLen + 4;
            int len = SegmentFormat.getInt(b, p + 10);
            out.add(new long[]{p, payloadAt});
            p = payloadAt + len + 4;
        }
        return out;
    }

    /** Flips every bit of the byte at {@code offset}. */
    public static void flipByte(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= (byte) 0xFF;
        Files.write(file, b);
    }

    /** Cuts {@code n} bytes off the end. */
    public static void cutTail(Path file, int n) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length - n));
    }

    /**
     * Starts another JVM that holds {@code dir}'s lock until its input is closed; returns once it
     * holds it (at most 60 s).
     */
    public static Process holdLockInAnotherProcess(Path dir) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolderMain.class.getName(), dir.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        java.util.concurrent.CompletableFuture<String> first =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
        try {
            String line = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
            if (!"locked".equals(line)) {
                throw new IllegalStateException("the lock holder said " + line);
            }
            return p;
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Lets a process from {@link #holdLockInAnotherProcess} exit, and waits for it (at most 60 s). */
    public static void release(Process p) throws Exception {
        p.getOutputStream().close();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the lock holder did not exit");
        }
    }
}
