package io.github.lokiappender.benchmarks.sink;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlift.compress.snappy.SnappyDecompressor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A Loki push endpoint on 127.0.0.1 for benchmarks: it decodes every request (JSON, gzip JSON,
 * protobuf + Snappy), counts streams and entries, measures each entry's delay from its timestamp
 * to receipt, and answers 204 at once. A body it cannot decode is answered 400 and counted as an
 * error, so delivery is verified rather than assumed.
 *
 * <p>Not a Loki: no validation beyond the structure, nothing stored.
 */
public final class BenchSink implements AutoCloseable {

    public static final String PUSH_PATH = "/loki/api/v1/push";

    private final HttpServer server;
    private final ExecutorService executor;
    private final ThreadLocal<Worker> workers = ThreadLocal.withInitial(Worker::new);

    // guarded by this
    private long requests;
    private long entries;
    private long streams;
    private long bodyBytes;
    private long headerBytes;
    private long errors;
    private String lastError;
    private long firstReceipt;
    private long lastReceipt;
    private final Set<String> formats = new TreeSet<>();
    private final TimedLatency latency = new TimedLatency();
    private long[] timelineNanos = new long[1024];
    private long[] timelineEntries = new long[1024];
    private int timelineSize;
    private String sample;

    private BenchSink(int threads) throws IOException {
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bench-sink-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a sink on a free port of 127.0.0.1 with {@code threads} handler threads. */
    public static BenchSink start(int threads) throws IOException {
        return new BenchSink(threads);
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Counters since the last reset. */
    public synchronized SinkStats snapshot() {
        TimedLatency copy = latency.copy();
        return new SinkStats(requests, entries, streams, bodyBytes, headerBytes, errors, lastError, firstReceipt,
                lastReceipt, String.join(",", formats), copy,
                java.util.Arrays.copyOf(timelineNanos, timelineSize), java.util.Arrays.copyOf(timelineEntries, timelineSize));
    }

    /** Entries received since the last reset. */
    public synchronized long entries() {
        return entries;
    }

    public synchronized void reset() {
        requests = 0;
        entries = 0;
        streams = 0;
        bodyBytes = 0;
        headerBytes = 0;
        errors = 0;
        lastError = null;
        firstReceipt = 0;
        lastReceipt = 0;
        formats.clear();
        latency.clear();
        timelineSize = 0;
        sample = null;
    }

    /**
     * The start of the first request body received since the last reset, decoded (gzip and Snappy
     * undone; protobuf shown with unprintable bytes as dots), with its headers: for checking that
     * the appenders send equivalent data.
     */
    public synchronized String sample() {
        return sample;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (!"POST".equals(ex.getRequestMethod()) || !path.endsWith(PUSH_PATH)) {
                // readiness probes and the like
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(path.equals("/ready") ? 200 : 404, -1);
                return;
            }
            Worker w = workers.get();
            int len = w.readBody(ex.getRequestBody(), ex.getRequestHeaders().getFirst("Content-Length"));
            long receipt = epochNanos();
            long headers = headerBytes(ex);
            String type = mediaType(ex.getRequestHeaders().getFirst("Content-Type"));
            String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
            String error = null;
            w.tally.reset(receipt);
            try {
                w.decode(type, encoding, len);
            } catch (RuntimeException | IOException e) {
                error = e.toString();
            }
            if (sample == null) {
                takeSample(ex, w);
            }
            record(w, len, headers, receipt, type + (encoding == null || encoding.isEmpty() ? "" : "+" + encoding),
                    error);
            if (error != null) {
                byte[] msg = error.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.sendResponseHeaders(400, msg.length);
                ex.getResponseBody().write(msg);
            } else {
                ex.sendResponseHeaders(204, -1);
            }
        } finally {
            ex.close();
        }
    }

    private synchronized void record(Worker w, int body, long headers, long receipt, String format, String error) {
        requests++;
        bodyBytes += body;
        headerBytes += headers;
        if (firstReceipt == 0) {
            firstReceipt = receipt;
        }
        lastReceipt = Math.max(lastReceipt, receipt);
        formats.add(format);
        if (error != null) {
            errors++;
            lastError = error;
            w.pending.clear();
            return;
        }
        entries += w.tally.entries;
        streams += w.tally.streams;
        if (timelineSize == timelineNanos.length) {
            timelineNanos = java.util.Arrays.copyOf(timelineNanos, timelineSize * 2);
            timelineEntries = java.util.Arrays.copyOf(timelineEntries, timelineSize * 2);
        }
        timelineNanos[timelineSize] = receipt;
        timelineEntries[timelineSize] = entries;
        timelineSize++;
        latency.add(w.pending);
        w.pending.clear();
    }

    private synchronized void takeSample(HttpExchange ex, Worker w) {
        if (sample != null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(ex.getRequestMethod()).append(' ').append(ex.getRequestURI()).append('\n');
        for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
            sb.append(e.getKey()).append(": ").append(String.join(",", e.getValue())).append('\n');
        }
        byte[] data = w.lastPlain;
        int n = Math.min(w.lastPlainLength, 700);
        for (int i = 0; i < n; i++) {
            int c = data[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        sample = sb.toString();
    }

    /** The request line and headers as they were on the wire (names keep their length when normalised). */
    private static long headerBytes(HttpExchange ex) {
        java.net.URI uri = ex.getRequestURI();
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long n = ex.getRequestMethod().length() + 1 + target.length() + 1 + ex.getProtocol().length() + 2;
        Headers h = ex.getRequestHeaders();
        for (Map.Entry<String, List<String>> e : h.entrySet()) {
            for (String v : e.getValue()) {
                n += e.getKey().length() + 2 + v.length() + 2;
            }
        }
        return n + 2;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "none";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Per handler thread: reused buffers and decoders. */
    private static final class Worker {
        final TimedLatency pending = new TimedLatency();
        final Tally tally = new Tally(pending);
        final SnappyDecompressor snappy = new SnappyDecompressor();
        byte[] body = new byte[1 << 20];
        byte[] plain = new byte[4 << 20];
        byte[] lastPlain = new byte[0];
        int lastPlainLength;

        int readBody(InputStream in, String contentLength) throws IOException {
            if (contentLength != null) {
                long declared = Long.parseLong(contentLength.trim());
                if (declared > body.length && declared < Integer.MAX_VALUE) {
                    body = new byte[(int) declared];
                }
            }
            int n = 0;
            while (true) {
                if (n == body.length) {
                    body = java.util.Arrays.copyOf(body, body.length * 2);
                }
                int r = in.read(body, n, body.length - n);
                if (r < 0) {
                    return n;
                }
                n += r;
            }
        }

        void decode(String type, String encoding, int len) throws IOException {
            byte[] data = body;
            int dataLen = len;
            if ("gzip".equals(encoding)) {
                dataLen = gunzip(len);
                data = plain;
            } else if (encoding != null && !encoding.isEmpty() && !"snappy".equals(encoding)) {
                throw new IllegalArgumentException("unsupported Content-Encoding " + encoding);
            }
            if (type.equals("application/json")) {
                lastPlain = data;
                lastPlainLength = dataLen;
                JsonPushScanner.scan(data, 0, dataLen, tally);
            } else if (type.equals("application/x-protobuf")) {
                int size = SnappyDecompressor.getUncompressedLength(data, 0);
                if (size < 0 || size > 256 << 20) {
                    throw new IllegalArgumentException("bad Snappy length " + size);
                }
                byte[] out = data == plain ? new byte[size] : ensurePlain(size);
                int n = snappy.decompress(data, 0, dataLen, out, 0, size);
                lastPlain = out;
                lastPlainLength = n;
                ProtoPushScanner.scan(out, 0, n, tally);
            } else {
                throw new IllegalArgumentException("unsupported Content-Type " + type);
            }
        }

        private byte[] ensurePlain(int size) {
            if (plain.length < size) {
                plain = new byte[Math.max(size, plain.length * 2)];
            }
            return plain;
        }

        private int gunzip(int len) throws IOException {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body, 0, len), 65536)) {
                int n = 0;
                while (true) {
                    if (n == plain.length) {
                        plain = java.util.Arrays.copyOf(plain, plain.length * 2);
                    }
                    int r = in.read(plain, n, plain.length - n);
                    if (r < 0) {
                        return n;
                    }
                    n += r;
                }
            }
        }
    }
}
