package io.github.lokiappender.testsupport;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process stand-in for Grafana Loki, for tests. It accepts pushes exactly as Loki decodes and
 * validates them (JSON, gzip/deflate JSON, snappy protobuf), stores what Loki would store, answers
 * the query API, and can be told to fail: scripted statuses, dropped connections, delays, hangs.
 *
 * <pre>{@code
 * try (FakeLoki loki = FakeLoki.start()) {
 *     appender.setUrl(loki.url());
 *     ...
 *     loki.awaitEntries(3, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * All waits are bounded and {@link #close()} releases every blocked handler, so a test cannot hang on it.
 */
public final class FakeLoki implements AutoCloseable {
    public static final String PUSH_PATH = "/loki/api/v1/push";
    public static final String DEFAULT_TENANT = TenantIds.DEFAULT;
    public static final String DEFAULT_LOKI_VERSION = "3.4.0";

    private static final Pattern LABEL_VALUES_PATH = Pattern.compile("/loki/api/v1/label/([^/]+)/values");
    private static final int THREADS = 8;
    /** Marks a scripted "close the connection without answering". */
    private static final Object DROP = new Object();

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY each small response
        // waits out the client's delayed ACK (~40 ms). Read once by the JDK, so set it before first use.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Settings settings;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final EntryStore store = new EntryStore();
    private final PushPipeline pipeline;
    private final QueryEngine queries;
    private final String url;
    private final AtomicInteger pendingPushes = new AtomicInteger();

    // Fault injection and request log; one lock so close() can wake everything at once.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition faultsChanged = lock.newCondition();
    private final Condition requestRecorded = lock.newCondition();
    private final Deque<Object> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private long delayNanos;
    private boolean hanging;
    private boolean down;
    private boolean closed;

    private FakeLoki(Settings settings) throws IOException {
        this.settings = settings;
        this.pipeline = new PushPipeline(settings, store);
        this.queries = new QueryEngine(settings, store);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts a stand-in with Loki 3.4 defaults. */
    public static FakeLoki start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Base URL such as {@code http://127.0.0.1:54321}; the push path is {@link #PUSH_PATH}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String lokiVersion() {
        return settings.version.text;
    }

    // ---- what was accepted ---------------------------------------------------------------------

    /** Every stored entry of every tenant, in arrival order. */
    public List<Entry> entries() {
        return store.entries();
    }

    /** Stored entries of one tenant, in arrival order. */
    public List<Entry> entries(String tenant) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : store.entries()) {
            if (e.tenant().equals(tenant)) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Stored entries grouped by canonical stream key ({@code {a="1", b="2"}}), streams in order of first arrival. */
    public Map<String, List<Entry>> streams() {
        Map<String, List<Entry>> out = new LinkedHashMap<>();
        for (Entry e : store.entries()) {
            out.computeIfAbsent(e.stream(), k -> new ArrayList<>()).add(e);
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }

    public int entryCount() {
        return store.size();
    }

    /** Entries dropped because the stream already held one with the same timestamp and line. */
    public long duplicatesDropped() {
        return store.duplicates();
    }

    /** Every push request received, including rejected, scripted and dropped ones, in completion order. */
    public List<Request> requests() {
        lock.lock();
        try {
            return Collections.unmodifiableList(new ArrayList<>(requests));
        } finally {
            lock.unlock();
        }
    }

    /** Pushes being handled right now (delayed or hung ones included); they show in {@link #requests()} when done. */
    public int pendingPushes() {
        return pendingPushes.get();
    }

    /** Forgets stored entries, recorded requests and the duplicate count. Scripted faults stay. */
    public void clear() {
        store.clear();
        lock.lock();
        try {
            requests.clear();
        } finally {
            lock.unlock();
        }
    }

    /** {@link #clear()} plus forgetting the script, delay, hang and down state. */
    public void reset() {
        clear();
        lock.lock();
        try {
            script.clear();
            delayNanos = 0;
            hanging = false;
            down = false;
            faultsChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- scripting failures ----------------------------------------------------------------------

    /** The next pushes, one per status, are answered with that status and body "scripted <status>", storing nothing. */
    public void respondWith(int... statuses) {
        for (int status : statuses) {
            respondWith(Response.status(status));
        }
    }

    /** The next push gets this response (after the ones already scripted) and stores nothing. */
    public void respondWith(Response response) {
        Objects.requireNonNull(response, "response");
        enqueue(response);
    }

    /** The next {@code n} pushes (after what is already scripted) get their connection closed without any response. */
    public void dropConnections(int n) {
        for (int i = 0; i < n; i++) {
            enqueue(DROP);
        }
    }

    /** Every push waits this long before being answered (scripted answers included). */
    public void setDelay(Duration delay) {
        lock.lock();
        try {
            delayNanos = delay == null ? 0 : Math.max(0, delay.toNanos());
            faultsChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** While true, pushes block without answering; {@code hang(false)} lets them (and new ones) proceed normally. */
    public void hang(boolean hang) {
        lock.lock();
        try {
            hanging = hang;
            faultsChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** While true, pushes get 503 "ingester not ready" and {@code /ready} reports 503. */
    public void setDown(boolean isDown) {
        lock.lock();
        try {
            down = isDown;
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(Object action) {
        lock.lock();
        try {
            script.addLast(action);
        } finally {
            lock.unlock();
        }
    }

    // ---- awaiting --------------------------------------------------------------------------------

    /**
     * Blocks until at least {@code n} entries are stored and returns them all.
     *
     * @throws AssertionError naming how many entries and which responses were seen, on timeout
     */
    public List<Entry> awaitEntries(int n, Duration timeout) {
        try {
            return store.awaitEntries(n, timeout);
        } catch (AssertionError e) {
            AssertionError detailed = new AssertionError(e.getMessage() + "; " + describeRequests());
            detailed.setStackTrace(e.getStackTrace());
            throw detailed;
        }
    }

    /** Blocks until at least {@code n} push requests have been answered (or dropped) and returns them. */
    public List<Request> awaitRequests(int n, Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (requests.size() < n && remaining > 0 && !closed) {
                try {
                    remaining = requestRecorded.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (requests.size() < n) {
                throw new AssertionError("expected at least " + n + " push requests within " + timeout.toMillis()
                        + " ms but saw " + requests.size() + "; " + describeRequests());
            }
            return Collections.unmodifiableList(new ArrayList<>(requests));
        } finally {
            lock.unlock();
        }
    }

    private String describeRequests() {
        List<Request> seen = requests();
        StringBuilder sb = new StringBuilder("push requests so far: ").append(seen.size());
        if (!seen.isEmpty()) {
            List<Integer> statuses = new ArrayList<>();
            Request lastFailure = null;
            for (Request r : seen) {
                statuses.add(r.status());
                if (r.status() != 204) {
                    lastFailure = r;
                }
            }
            sb.append(", statuses ").append(statuses);
            if (lastFailure != null) {
                sb.append(", last failure: ").append(lastFailure.status()).append(' ')
                        .append(lastFailure.responseBody().trim());
            }
        }
        return sb.append(", in flight: ").append(pendingPushes.get()).toString();
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    /** Stops the server within about a second, releasing hung or delayed handlers and the port. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            faultsChanged.signalAll();
            requestRecorded.signalAll();
        } finally {
            lock.unlock();
        }
        store.close();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FakeLoki[" + url + ", Loki " + settings.version + "]";
    }

    // ---- HTTP handling ---------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            if (PUSH_PATH.equals(path)) {
                handlePush(exchange);
            } else {
                send(exchange, route(exchange, path));
            }
        } catch (IOException e) {
            // The client went away; nothing left to answer.
        } catch (RuntimeException e) {
            try {
                send(exchange, Response.text(500, "fake loki internal error: " + e));
            } catch (IOException | RuntimeException ignored) {
                // headers may already be out; closing below is all we can do
            }
        } finally {
            exchange.close();
        }
    }

    private void handlePush(HttpExchange exchange) throws IOException {
        pendingPushes.incrementAndGet();
        try {
            byte[] raw;
            try {
                raw = readBody(exchange.getRequestBody());
            } catch (HttpError e) {
                Response tooLarge = Response.text(e.status, e.getMessage());
                record(exchange, new byte[0], new Decoding(), tooLarge);
                send(exchange, tooLarge);
                return;
            }
            // Decode before applying faults so the request log always shows what the client sent.
            Decoding decoding = decode(exchange.getRequestHeaders(), raw);
            if (!"POST".equals(exchange.getRequestMethod())) {
                Response notAllowed = Response.text(405, "method not allowed");
                record(exchange, raw, decoding, notAllowed);
                send(exchange, notAllowed);
                return;
            }
            Object fault = awaitFaults();
            if (fault == DROP) {
                record(exchange, raw, decoding, null);
                exchange.close(); // before any header is sent: the client sees the connection close
                return;
            }
            Response response = fault != null ? (Response) fault : process(exchange, decoding);
            // Record before answering: a test that got its response must find the request in the log.
            record(exchange, raw, decoding, response);
            send(exchange, response);
        } finally {
            pendingPushes.decrementAndGet();
        }
    }

    /** Waits out the delay and any hang, then takes the next scripted action; null means "process normally". */
    private Object awaitFaults() {
        long arrived = System.nanoTime();
        lock.lock();
        try {
            while (!closed) {
                long left = arrived + delayNanos - System.nanoTime();
                if (left <= 0 && !hanging) {
                    break;
                }
                if (hanging) {
                    faultsChanged.await();
                } else {
                    faultsChanged.awaitNanos(left);
                }
            }
            if (closed) {
                return DROP;
            }
            Object next = script.pollFirst();
            if (next != null) {
                return next;
            }
            return down ? Response.text(503, "ingester not ready") : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DROP;
        } finally {
            lock.unlock();
        }
    }

    private Response process(HttpExchange exchange, Decoding decoding) {
        try {
            checkAuth(exchange.getRequestHeaders());
            String tenant = TenantIds.resolve(exchange.getRequestHeaders().getFirst(TenantIds.HEADER),
                    settings.requireTenant, false).get(0);
            if (decoding.error != null) {
                throw decoding.error;
            }
            return pipeline.process(tenant, decoding.streams);
        } catch (HttpError e) {
            return Response.text(e.status, e.getMessage());
        }
    }

    /** Result of decoding a push body; {@code error} is kept to be answered after faults and auth. */
    private static final class Decoding {
        byte[] payload = new byte[0];
        List<PushDecoder.DecodedStream> streams = Collections.emptyList();
        HttpError error;

        int entryCount() {
            int n = 0;
            for (PushDecoder.DecodedStream s : streams) {
                n += s.entries.size();
            }
            return n;
        }
    }

    private Decoding decode(Headers headers, byte[] raw) {
        Decoding d = new Decoding();
        try {
            byte[] content = PushDecoder.decodeContent(headers.getFirst("Content-Encoding"), raw);
            String mediaType = PushDecoder.mediaType(headers.getFirst("Content-Type"));
            d.payload = content;
            d.payload = PushDecoder.payload(mediaType, content);
            d.streams = PushDecoder.parse(mediaType, d.payload, settings.version);
        } catch (HttpError e) {
            d.error = e;
        } catch (RuntimeException e) {
            // Jackson's own limits (e.g. StreamConstraintsException) and anything unforeseen in the body.
            d.error = HttpError.badRequest("cannot decode push request: " + e.getMessage());
        }
        return d;
    }

    private Response route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        try {
            if (path.equals("/ready")) {
                return isDown() ? Response.text(503, "Ingester not ready: the stand-in is set down")
                        : Response.text(200, "ready");
            }
            Matcher labelValues = LABEL_VALUES_PATH.matcher(path);
            boolean known = labelValues.matches() || path.equals("/loki/api/v1/query_range")
                    || path.equals("/loki/api/v1/query") || path.equals("/loki/api/v1/labels")
                    || path.equals("/loki/api/v1/series") || path.equals("/loki/api/v1/status/buildinfo");
            if (!known) {
                return Response.text(404, "404 page not found");
            }
            if (!method.equals("GET") && !method.equals("POST")) {
                return Response.text(405, "method not allowed");
            }
            checkAuth(exchange.getRequestHeaders());
            if (path.equals("/loki/api/v1/status/buildinfo")) {
                return queries.buildInfo();
            }
            List<String> tenants = TenantIds.resolve(exchange.getRequestHeaders().getFirst(TenantIds.HEADER),
                    settings.requireTenant, true);
            Params params = Params.parse(exchange.getRequestURI().getRawQuery(), formBody(exchange));
            if (labelValues.matches()) {
                return queries.labelValues(labelValues.group(1), params, tenants);
            }
            switch (path) {
                case "/loki/api/v1/query_range":
                    return queries.queryRange(params, tenants);
                case "/loki/api/v1/query":
                    return queries.instantQuery(params, tenants);
                case "/loki/api/v1/labels":
                    return queries.labelNames(params, tenants);
                default:
                    return queries.series(params, tenants);
            }
        } catch (HttpError e) {
            return Response.text(e.status, e.getMessage());
        }
    }

    private static String formBody(HttpExchange exchange) throws IOException {
        String type = PushDecoder.mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
        if (!"POST".equals(exchange.getRequestMethod()) || !"application/x-www-form-urlencoded".equals(type)) {
            return null;
        }
        return new String(readBody(exchange.getRequestBody()), StandardCharsets.UTF_8);
    }

    private boolean isDown() {
        lock.lock();
        try {
            return down;
        } finally {
            lock.unlock();
        }
    }

    private void checkAuth(Headers headers) {
        if (!settings.authEnabled()) {
            return;
        }
        String given = headers.getFirst("Authorization");
        if (given != null && (given.equals(settings.basicAuthHeader) || given.equals(settings.bearerAuthHeader))) {
            return;
        }
        throw new HttpError(401, "Unauthorized");
    }

    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > PushDecoder.MAX_DECODED_BYTES) {
                throw new HttpError(413, "request body too large: more than " + PushDecoder.MAX_DECODED_BYTES
                        + " bytes, limit: " + PushDecoder.MAX_DECODED_BYTES + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private void send(HttpExchange exchange, Response response) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        if (response.statusCode() == 401 && settings.basicAuthHeader != null) {
            headers.set("WWW-Authenticate", "Basic realm=\"loki\"");
        }
        for (Map.Entry<String, String> h : response.headers().entrySet()) {
            headers.set(h.getKey(), h.getValue());
        }
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        int status = response.statusCode();
        if (status == 204 || status == 304 || body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void record(HttpExchange exchange, byte[] raw, Decoding decoding, Response response) {
        Headers h = exchange.getRequestHeaders();
        TreeMap<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : h.entrySet()) {
            headers.put(e.getKey(), Collections.unmodifiableList(new ArrayList<>(e.getValue())));
        }
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), Collections.unmodifiableSortedMap(headers), raw,
                decoding.payload, response == null ? 0 : response.statusCode(),
                response == null ? "" : response.body(), decoding.entryCount());
        lock.lock();
        try {
            requests.add(request);
            requestRecorded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "fake-loki-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- value types -----------------------------------------------------------------------------

    /** One stored log entry. Labels are sorted by name; structured metadata keeps the order it was sent in. */
    public static final class Entry {
        private final SortedMap<String, String> labels;
        private final long timestampNanos;
        private final String line;
        private final Map<String, String> structuredMetadata;
        private final String tenant;
        private final String stream;

        Entry(SortedMap<String, String> labels, long timestampNanos, String line,
              Map<String, String> structuredMetadata, String tenant, String stream) {
            this.labels = labels;
            this.timestampNanos = timestampNanos;
            this.line = line;
            this.structuredMetadata = structuredMetadata;
            this.tenant = tenant;
            this.stream = stream;
        }

        public Map<String, String> labels() {
            return labels;
        }

        public long timestampNanos() {
            return timestampNanos;
        }

        public Instant timestamp() {
            return LokiTime.toInstant(timestampNanos);
        }

        public String line() {
            return line;
        }

        /** Empty when the entry had none. */
        public Map<String, String> structuredMetadata() {
            return structuredMetadata;
        }

        /** The X-Scope-OrgID it was pushed with, or "fake". */
        public String tenant() {
            return tenant;
        }

        /** Canonical stream key, e.g. {@code {app="shop", env="prod"}}. */
        public String stream() {
            return stream;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Entry)) {
                return false;
            }
            Entry e = (Entry) o;
            return timestampNanos == e.timestampNanos && labels.equals(e.labels) && line.equals(e.line)
                    && structuredMetadata.equals(e.structuredMetadata) && tenant.equals(e.tenant);
        }

        @Override
        public int hashCode() {
            return Objects.hash(labels, timestampNanos, line, structuredMetadata, tenant);
        }

        @Override
        public String toString() {
            return "Entry[" + tenant + " " + stream + " " + timestampNanos + " \"" + line + "\""
                    + (structuredMetadata.isEmpty() ? "" : " " + structuredMetadata) + "]";
        }
    }

    /** One push request as received, with the answer it got. */
    public static final class Request {
        private final String method;
        private final String path;
        private final String query;
        private final SortedMap<String, List<String>> headers;
        private final byte[] body;
        private final byte[] decodedBody;
        private final int status;
        private final String responseBody;
        private final int entryCount;

        Request(String method, String path, String query, SortedMap<String, List<String>> headers, byte[] body,
                byte[] decodedBody, int status, String responseBody, int entryCount) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.body = body;
            this.decodedBody = decodedBody;
            this.status = status;
            this.responseBody = responseBody;
            this.entryCount = entryCount;
        }

        public String method() {
            return method;
        }

        public String path() {
            return path;
        }

        /** Raw query string, or null. */
        public String query() {
            return query;
        }

        /** All request headers; lookups ignore case. */
        public Map<String, List<String>> headers() {
            return headers;
        }

        /** First value of a header (name case-insensitive), or null. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String contentType() {
            return header("Content-Type");
        }

        public String contentEncoding() {
            return header("Content-Encoding");
        }

        /** Body bytes exactly as received. */
        public byte[] body() {
            return body.clone();
        }

        /**
         * The message after content decoding: the JSON text, or the protobuf bytes after snappy. As far
         * as decoding got when it failed (empty when nothing could be decoded).
         */
        public byte[] decodedBody() {
            return decodedBody.clone();
        }

        public String decodedBodyText() {
            return new String(decodedBody, StandardCharsets.UTF_8);
        }

        /** Status sent, or 0 when the connection was closed without a response. */
        public int status() {
            return status;
        }

        public boolean dropped() {
            return status == 0;
        }

        public String responseBody() {
            return responseBody;
        }

        /** Entries in the request as decoded, whether stored or not (0 if it could not be decoded). */
        public int entryCount() {
            return entryCount;
        }

        @Override
        public String toString() {
            return "Request[" + method + " " + path + " " + contentType() + " -> " + (dropped() ? "dropped" : status)
                    + ", " + entryCount + " entries]";
        }
    }

    /** A scripted (or computed) HTTP answer: {@code Response.status(429).header("Retry-After", "2").body("slow down")}. */
    public static final class Response {
        private final int status;
        private final Map<String, String> headers;
        private final String body;

        private Response(int status, Map<String, String> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        /** A response with that status and body "scripted &lt;status&gt;" until {@link #body(String)} says otherwise. */
        public static Response status(int status) {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("status must be 200..599, got " + status);
            }
            return new Response(status, Collections.emptyMap(), "scripted " + status);
        }

        public Response header(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return new Response(status, Collections.unmodifiableMap(copy), body);
        }

        public Response body(String text) {
            return new Response(status, headers, text == null ? "" : text);
        }

        public int statusCode() {
            return status;
        }

        public Map<String, String> headers() {
            return headers;
        }

        public String body() {
            return body;
        }

        /** Loki answers errors as text/plain with a trailing newline (Go's http.Error). */
        static Response text(int status, String message) {
            return new Response(status, Collections.emptyMap(), message + "\n")
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .header("X-Content-Type-Options", "nosniff");
        }

        static Response json(String body) {
            return new Response(200, Collections.emptyMap(), body).header("Content-Type", "application/json; charset=UTF-8");
        }

        static Response noContent() {
            return new Response(204, Collections.emptyMap(), "");
        }

        @Override
        public String toString() {
            return "Response[" + status + " " + headers + " \"" + body + "\"]";
        }
    }

    /** Options; every one has Loki's default (3.x) unless noted. */
    public static final class Builder {
        private boolean requireTenant;
        private String lokiVersion = DEFAULT_LOKI_VERSION;
        private Integer maxLineBytes;
        private Integer maxLabelNamesPerSeries;
        private long rejectOldSamplesMaxAgeNanos = Duration.ofDays(7).toNanos();
        private long creationGracePeriodNanos = Duration.ofMinutes(10).toNanos();
        private long ingestionBurstBytes = 6L * 1024 * 1024;
        private int maxStreams = 5000;
        private Boolean allowStructuredMetadata;
        private String basicAuthHeader;
        private String bearerAuthHeader;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Auth mode: a push or query without X-Scope-OrgID gets 401 "no org id". Default false (tenant "fake"). */
        public Builder requireTenant(boolean require) {
            this.requireTenant = require;
            return this;
        }

        /**
         * The Loki version to imitate, default 3.4.0. Affects: structured metadata (2.9+; older JSON gets
         * 400 "array must contains 2 values", older protobuf loses field 3 silently), empty request
         * (204 before 3.4, 422 from 3.4), instant log queries (400 from 3.2), and the defaults of
         * maxLineBytes (0 = unlimited before 3.0) and maxLabelNamesPerSeries (30 before 3.0).
         */
        public Builder lokiVersion(String version) {
            LokiVersion.parse(version);
            this.lokiVersion = version;
            return this;
        }

        /** Longest accepted line in UTF-8 bytes; 0 = unlimited. Default 256 KiB (0 before Loki 3.0). */
        public Builder maxLineBytes(int bytes) {
            this.maxLineBytes = requireNonNegative(bytes, "maxLineBytes");
            return this;
        }

        /** Default 15 (30 before Loki 3.0). */
        public Builder maxLabelNamesPerSeries(int n) {
            this.maxLabelNamesPerSeries = requireNonNegative(n, "maxLabelNamesPerSeries");
            return this;
        }

        /** Entries older than now minus this are rejected; 0 disables the check. Default 7 days. */
        public Builder rejectOldSamplesMaxAgeNanos(long nanos) {
            this.rejectOldSamplesMaxAgeNanos = requireNonNegative(nanos, "rejectOldSamplesMaxAgeNanos");
            return this;
        }

        public Builder rejectOldSamplesMaxAge(Duration maxAge) {
            return rejectOldSamplesMaxAgeNanos(maxAge.toNanos());
        }

        /** Entries newer than now plus this are rejected. Default 10 minutes. */
        public Builder creationGracePeriod(Duration grace) {
            this.creationGracePeriodNanos = requireNonNegative(grace.toNanos(), "creationGracePeriod");
            return this;
        }

        /** A request whose valid line (plus metadata) bytes exceed this gets 429 as a whole; 0 disables. Default 6 MiB. */
        public Builder ingestionBurstBytes(long bytes) {
            this.ingestionBurstBytes = requireNonNegative(bytes, "ingestionBurstBytes");
            return this;
        }

        /** Active streams per tenant; a push creating more gets 429 for those streams. 0 = unlimited. Default 5000. */
        public Builder maxStreams(int n) {
            this.maxStreams = requireNonNegative(n, "maxStreams");
            return this;
        }

        /**
         * Overrides whether structured metadata is accepted (default: from Loki 2.9). Set false to imitate
         * a 2.9/3.x server with {@code allow_structured_metadata: false} (400 per entry carrying metadata).
         */
        public Builder allowStructuredMetadata(boolean allow) {
            this.allowStructuredMetadata = allow;
            return this;
        }

        /** Requires {@code Authorization: Basic base64(user:password)} on the API (not /ready); otherwise 401. */
        public Builder basicAuth(String user, String password) {
            String token = Objects.requireNonNull(user, "user") + ":" + Objects.requireNonNull(password, "password");
            this.basicAuthHeader = "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** Requires {@code Authorization: Bearer <token>} on the API (not /ready); otherwise 401. */
        public Builder bearerToken(String token) {
            this.bearerAuthHeader = "Bearer " + Objects.requireNonNull(token, "token");
            return this;
        }

        /** Clock for the too-old/too-new checks and query time defaults. Default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public FakeLoki start() {
            LokiVersion version = LokiVersion.parse(lokiVersion);
            boolean v3 = version.atLeast(3, 0);
            Settings settings = new Settings(version, requireTenant,
                    maxLineBytes != null ? maxLineBytes : (v3 ? 256 * 1024 : 0),
                    maxLabelNamesPerSeries != null ? maxLabelNamesPerSeries : (v3 ? 15 : 30),
                    rejectOldSamplesMaxAgeNanos, creationGracePeriodNanos, ingestionBurstBytes, maxStreams,
                    allowStructuredMetadata != null ? allowStructuredMetadata : version.atLeast(2, 9),
                    basicAuthHeader, bearerAuthHeader, clock);
            try {
                return new FakeLoki(settings);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start FakeLoki on 127.0.0.1", e);
            }
        }

        private static int requireNonNegative(int v, String name) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return v;
        }

        private static long requireNonNegative(long v, String name) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return v;
        }
    }
}
