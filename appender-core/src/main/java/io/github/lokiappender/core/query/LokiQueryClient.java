package io.github.lokiappender.core.query;

import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.http.HttpClients;
import io.github.lokiappender.core.http.HttpSettings;
import io.github.lokiappender.core.http.InternalThreads;
import io.github.lokiappender.core.http.RetryPolicy;
import io.github.lokiappender.core.http.Sleeper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A typed client for Loki's HTTP query API: range and instant queries, transparent pagination
 * over log entries, labels, label values, series, readiness and build information.
 *
 * <pre>{@code
 * try (LokiQueryClient loki = LokiQueryClient.builder().url("http://localhost:3100").build()) {
 *     Instant end = Instant.now();
 *     loki.entries("{app=\"shop\"} |= \"error\"", end.minus(Duration.ofHours(1)), end, Direction.FORWARD)
 *         .forEach(e -> System.out.println(e.timestamp() + " " + e.line()));
 * }
 * }</pre>
 *
 * Timestamps are {@link Instant}s and travel as epoch nanoseconds, so nothing is rounded. 429 and
 * 5xx answers and connection failures are retried with exponential backoff and full jitter,
 * honouring {@code Retry-After}, bounded by a number of retries and a total time; other failures
 * throw {@link LokiQueryException} with Loki's status and answer. Thread-safe; close it to release
 * its threads.
 */
public final class LokiQueryClient implements AutoCloseable {

    /** Loki's default {@code max_entries_limit_per_query}. */
    public static final int DEFAULT_MAX_ENTRIES_LIMIT = 5000;
    /** Page size of {@link #entries(String, Instant, Instant, Direction)}. */
    public static final int DEFAULT_PAGE_SIZE = 1000;

    static final String QUERY_RANGE_PATH = "/loki/api/v1/query_range";
    static final String QUERY_PATH = "/loki/api/v1/query";
    static final String LABELS_PATH = "/loki/api/v1/labels";
    static final String SERIES_PATH = "/loki/api/v1/series";
    static final String BUILD_INFO_PATH = "/loki/api/v1/status/buildinfo";
    static final String READY_PATH = "/ready";
    static final String ENCODING_FLAGS_HEADER = "X-Loki-Response-Encoding-Flags";
    /** Longer query strings go as a form body: gateways commonly cap URLs at 8 KiB. */
    private static final int MAX_GET_QUERY_CHARS = 4096;
    private static final int MAX_BODY_CHARS = 64 * 1024;

    private final HttpSettings settings;
    private final String tenantId;
    private final RetryPolicy retryPolicy;
    private final long maxRetryTimeNanos;
    private final int maxEntriesLimit;
    private final boolean categorizeLabels;
    private final StatusReporter status;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;
    private final ExecutorService executor;
    private final HttpClient client;

    private LokiQueryClient(Builder b, HttpSettings settings, String tenantId) {
        this.settings = settings;
        this.tenantId = tenantId;
        this.retryPolicy = b.random != null
                ? new RetryPolicy(b.maxRetries, b.retryMinBackoff.toNanos(), b.retryMaxBackoff.toNanos(), b.random)
                : new RetryPolicy(b.maxRetries, b.retryMinBackoff.toNanos(), b.retryMaxBackoff.toNanos());
        this.maxRetryTimeNanos = b.maxRetryTime.toNanos();
        this.maxEntriesLimit = b.maxEntriesLimit;
        this.categorizeLabels = b.categorizeLabels;
        this.status = b.status;
        this.sleeper = b.sleeper;
        this.nanoTime = b.nanoTime;
        // Marked internal so that an appender in the same JVM ignores what the HTTP client logs on them.
        this.executor = Executors.newCachedThreadPool(InternalThreads.factory("loki-query-http"));
        this.client = HttpClients.create(settings, executor);
        if (settings.insecureSkipTlsVerify()) {
            status.warn("insecureSkipTlsVerify is on: the Loki query client accepts any TLS certificate and host name for "
                    + settings.baseUri() + "; anyone on the network path can read and alter the answers."
                    + " Use caCertificatePath instead outside of tests", null);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The connection settings in use (base URL, credentials hidden in {@code toString}). */
    public HttpSettings settings() {
        return settings;
    }

    /** The {@code X-Scope-OrgID} sent, possibly several tenants joined with {@code |}; null for none. */
    public String tenantId() {
        return tenantId;
    }

    // ---- queries ------------------------------------------------------------------------------

    /**
     * A log (or metric) query over {@code [start, end)}: at most {@code limit} entries, the newest
     * first for {@link Direction#BACKWARD}. One request; see {@link #entries} for all entries.
     *
     * @param start inclusive; null for Loki's default ({@code end} minus one hour)
     * @param end exclusive; null for now
     */
    public QueryResult queryRange(String query, Instant start, Instant end, int limit, Direction direction) {
        return queryRange(query, start, end, limit, direction, null);
    }

    /** A metric query over {@code [start, end]} evaluated every {@code step}: a matrix. */
    public QueryResult queryRange(String query, Instant start, Instant end, Duration step) {
        Objects.requireNonNull(step, "step");
        return queryRange(query, start, end, 0, null, step);
    }

    /**
     * The general form of {@code query_range}.
     *
     * @param limit at most this many entries for a log query; 0 for Loki's default (100)
     * @param direction null for Loki's default (backward)
     * @param step null for Loki's default (derived from the range); must be positive
     */
    public QueryResult queryRange(String query, Instant start, Instant end, int limit, Direction direction, Duration step) {
        Long s = start == null ? null : LokiTimes.toNanos(start, "start");
        Long e = end == null ? null : LokiTimes.toNanos(end, "end");
        if (s != null && e != null && e < s) {
            throw new IllegalArgumentException("'end' " + end + " is before 'start' " + start);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("'limit' must be positive (or 0 for Loki's default), was " + limit);
        }
        if (step != null && (step.isNegative() || step.isZero())) {
            throw new IllegalArgumentException("'step' must be positive, was " + step);
        }
        Params p = new Params().add("query", requireQuery(query));
        if (s != null) {
            p.add("start", LokiTimes.wire(s));
        }
        if (e != null) {
            p.add("end", LokiTimes.wire(e));
        }
        if (limit > 0) {
            p.add("limit", Integer.toString(limit));
        }
        if (direction != null) {
            p.add("direction", direction.wireValue());
        }
        if (step != null) {
            p.add("step", LokiTimes.seconds(step));
        }
        return parse(QUERY_RANGE_PATH, call(QUERY_RANGE_PATH, p, true), QueryJson::parseQuery);
    }

    /** For {@link LogPager}: a log query page in nanoseconds, arguments already checked. */
    QueryResult rangeNanos(String query, long start, long end, int limit, Direction direction, Duration step) {
        Params p = new Params().add("query", query).add("start", LokiTimes.wire(start)).add("end", LokiTimes.wire(end))
                .add("limit", Integer.toString(limit)).add("direction", direction.wireValue());
        if (step != null) {
            p.add("step", LokiTimes.seconds(step));
        }
        return parse(QUERY_RANGE_PATH, call(QUERY_RANGE_PATH, p, true), QueryJson::parseQuery);
    }

    /**
     * An instant metric query such as {@code sum by (level) (count_over_time({app="shop"}[5m]))}:
     * a vector or a scalar. Loki 3.2+ rejects log queries here with a 400.
     *
     * @param time null for now
     */
    public QueryResult query(String query, Instant time) {
        return query(query, time, 0, null);
    }

    /**
     * As {@link #query(String, Instant)}; {@code limit} and {@code direction} matter only to the
     * log queries that Loki before 3.2 accepted here.
     *
     * @param limit 0 for Loki's default
     * @param direction null for Loki's default
     */
    public QueryResult query(String query, Instant time, int limit, Direction direction) {
        Params p = new Params().add("query", requireQuery(query));
        if (time != null) {
            p.add("time", LokiTimes.wire(LokiTimes.toNanos(time, "time")));
        }
        if (limit < 0) {
            throw new IllegalArgumentException("'limit' must be positive (or 0 for Loki's default), was " + limit);
        }
        if (limit > 0) {
            p.add("limit", Integer.toString(limit));
        }
        if (direction != null) {
            p.add("direction", direction.wireValue());
        }
        return parse(QUERY_PATH, call(QUERY_PATH, p, true), QueryJson::parseQuery);
    }

    /**
     * Every entry of a log query in {@code [start, end)}, in {@code direction} order, fetched lazily
     * in pages of {@value #DEFAULT_PAGE_SIZE}. No entry is returned twice or skipped, also where
     * entries share a timestamp across a page boundary. A failing page throws
     * {@link LokiQueryException} from the stream's terminal operation; a metric query throws
     * {@link IllegalArgumentException} there (Loki's answer is a matrix, not log lines); more entries
     * on one timestamp than {@link Builder#maxEntriesLimit(int)} throw {@link IllegalStateException}.
     */
    public Stream<LogEntry> entries(String query, Instant start, Instant end, Direction direction) {
        return entries(query, start, end, direction, Math.min(DEFAULT_PAGE_SIZE, maxEntriesLimit));
    }

    /** As {@link #entries(String, Instant, Instant, Direction)} with pages of {@code pageSize} entries. */
    public Stream<LogEntry> entries(String query, Instant start, Instant end, Direction direction, int pageSize) {
        Iterator<LogEntry> it = entryIterator(query, start, end, direction, pageSize);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * The iterator behind {@link #entries}: pages are requested as it advances (the first one by
     * the first {@code hasNext()}). Not thread-safe.
     *
     * @param pageSize entries per request, 1 to {@link Builder#maxEntriesLimit(int)}
     */
    public Iterator<LogEntry> entryIterator(String query, Instant start, Instant end, Direction direction, int pageSize) {
        requireQuery(query);
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(direction, "direction");
        long s = LokiTimes.toNanos(start, "start");
        long e = LokiTimes.toNanos(end, "end");
        if (e < s) {
            throw new IllegalArgumentException("'end' " + end + " is before 'start' " + start);
        }
        if (pageSize < 1 || pageSize > maxEntriesLimit) {
            throw new IllegalArgumentException("'pageSize' must be between 1 and maxEntriesLimit " + maxEntriesLimit
                    + ", was " + pageSize);
        }
        return new LogPager(this, query, s, e, direction, pageSize, maxEntriesLimit);
    }

    // ---- metadata -----------------------------------------------------------------------------

    /** Label names with data in {@code [start, end)}; null bounds for Loki's default (the last hour). */
    public List<String> labels(Instant start, Instant end) {
        return labels(start, end, null);
    }

    /** @param selector only streams matching this selector (Loki 2.9+); null for all */
    public List<String> labels(Instant start, Instant end, String selector) {
        Params p = range(start, end);
        if (selector != null && !selector.isBlank()) {
            p.add("query", selector);
        }
        return parse(LABELS_PATH, call(LABELS_PATH, p, false), QueryJson::parseStringList);
    }

    /** Values of one label with data in {@code [start, end)}. */
    public List<String> labelValues(String name, Instant start, Instant end) {
        return labelValues(name, start, end, null);
    }

    /** @param selector only streams matching this selector (Loki 2.9+); null for all */
    public List<String> labelValues(String name, Instant start, Instant end, String selector) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a label name is required");
        }
        Params p = range(start, end);
        if (selector != null && !selector.isBlank()) {
            p.add("query", selector);
        }
        String path = "/loki/api/v1/label/" + URLEncoder.encode(name.trim(), StandardCharsets.UTF_8).replace("+", "%20")
                + "/values";
        return parse(path, call(path, p, false), QueryJson::parseStringList);
    }

    /**
     * The label sets of streams matching any of {@code matchers} (such as {@code {app="shop"}}) with
     * data in {@code [start, end)}, each sorted by name.
     */
    public List<Map<String, String>> series(List<String> matchers, Instant start, Instant end) {
        Objects.requireNonNull(matchers, "matchers");
        Params p = new Params();
        for (String m : matchers) {
            p.add("match[]", requireQuery(m));
        }
        p.addAll(range(start, end));
        return parse(SERIES_PATH, call(SERIES_PATH, p, false), QueryJson::parseSeries);
    }

    // ---- status -------------------------------------------------------------------------------

    /**
     * True when {@code GET /ready} answers 200; false for any other answer (503 while Loki starts).
     * One request, no retries.
     *
     * @throws LokiQueryException when Loki cannot be reached
     */
    public boolean ready() {
        try {
            checkReady();
            return true;
        } catch (LokiQueryException e) {
            if (e.isConnectionFailure()) {
                throw e;
            }
            return false;
        }
    }

    /**
     * Like {@link #ready()} but says why not.
     *
     * @throws LokiQueryException with Loki's status and answer when it is not ready or not reachable
     */
    public void checkReady() {
        send(READY_PATH, new Params(), false, false);
    }

    /** {@code GET /loki/api/v1/status/buildinfo}: the version, for version-dependent features. */
    public BuildInfo buildInfo() {
        return parse(BUILD_INFO_PATH, call(BUILD_INFO_PATH, new Params(), false), QueryJson::parseBuildInfo);
    }

    /** Releases the client's threads. Requests in flight fail. */
    @Override
    public void close() {
        executor.shutdownNow();
        // Java 21+ can stop the client's selector thread at once; before that it ends when the client is collected
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
        } catch (ReflectiveOperationException | RuntimeException notAvailable) {
            // Java 11-20: nothing to do
        }
    }

    @Override
    public String toString() {
        return "LokiQueryClient{" + settings.baseUri() + (tenantId != null ? ", tenantId=" + tenantId : "") + "}";
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    private static String requireQuery(String query) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("a LogQL query or selector is required, e.g. {app=\"shop\"}");
        }
        return query;
    }

    private static Params range(Instant start, Instant end) {
        Params p = new Params();
        Long s = start == null ? null : LokiTimes.toNanos(start, "start");
        Long e = end == null ? null : LokiTimes.toNanos(end, "end");
        if (s != null && e != null && e < s) {
            throw new IllegalArgumentException("'end' " + end + " is before 'start' " + start);
        }
        if (s != null) {
            p.add("start", LokiTimes.wire(s));
        }
        if (e != null) {
            p.add("end", LokiTimes.wire(e));
        }
        return p;
    }

    private interface BodyParser<T> {
        T parse(byte[] body) throws IOException;
    }

    private <T> T parse(String path, byte[] body, BodyParser<T> parser) {
        try {
            return parser.parse(body);
        } catch (IOException | RuntimeException e) {
            String text = readable(body);
            throw new LokiQueryException("cannot read Loki's answer to " + path + ": " + e.getMessage()
                    + (text.isEmpty() ? "" : " (answer: " + abbreviate(text, 200) + ")"), 200, text, 1, e);
        }
    }

    private byte[] call(String path, Params params, boolean queryFlags) {
        return send(path, params, queryFlags, true);
    }

    /** Sends until a 2xx, a final failure, or the retry budget runs out. */
    private byte[] send(String path, Params params, boolean queryFlags, boolean retry) {
        HttpRequest request = request(path, params, queryFlags);
        String what = request.method() + " " + path;
        long began = nanoTime.getAsLong();
        int attempt = 0;
        while (true) {
            attempt++;
            LokiQueryException failure;
            long retryAfter = -1;
            try {
                HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int code = r.statusCode();
                if (code >= 200 && code < 300) {
                    return r.body() == null ? new byte[0] : r.body();
                }
                String body = readable(r.body());
                failure = new LokiQueryException("Loki answered " + code + " to " + what + ": "
                        + (body.isEmpty() ? "(no body)" : abbreviate(body, 1000)) + hint(code)
                        + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), code, body, attempt, null);
                if (!retry || !RetryPolicy.isRetryable(code)) {
                    throw failure;
                }
                retryAfter = RetryPolicy.parseRetryAfter(r.headers().firstValue("Retry-After").orElse(null),
                        System.currentTimeMillis());
            } catch (IOException e) {
                failure = new LokiQueryException(connectionProblem(e, what) + (attempt > 1 ? " (after " + attempt
                        + " attempts)" : ""), 0, "", attempt, e);
                // a query that outlasted the timeout, or a certificate that is not trusted, would fail the same way again
                boolean timedOut = e instanceof HttpTimeoutException && !(e instanceof HttpConnectTimeoutException);
                if (!retry || timedOut || e instanceof javax.net.ssl.SSLHandshakeException) {
                    throw failure;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LokiQueryException("interrupted while waiting for Loki's answer to " + what, 0, "", attempt, e);
            }
            if (attempt > retryPolicy.maxRetries()) {
                throw failure;
            }
            long wait = retryPolicy.backoffNanos(attempt, retryAfter);
            if (nanoTime.getAsLong() - began + wait > maxRetryTimeNanos) {
                throw failure;
            }
            status.info("query to Loki failed (" + failure.getMessage() + "); retry " + attempt + " of "
                    + retryPolicy.maxRetries() + " in " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms");
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LokiQueryException("interrupted while waiting to retry " + what + "; last failure: "
                        + failure.getMessage(), failure.status(), failure.body(), attempt, e);
            }
        }
    }

    private HttpRequest request(String path, Params params, boolean queryFlags) {
        String encoded = params.encode();
        HttpRequest.Builder b;
        if (encoded.length() > MAX_GET_QUERY_CHARS) {
            b = HttpRequest.newBuilder(settings.resolve(path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encoded));
        } else {
            b = HttpRequest.newBuilder(URI.create(settings.baseUri() + path + (encoded.isEmpty() ? "" : "?" + encoded)))
                    .GET();
        }
        b.timeout(settings.requestTimeout());
        if (tenantId != null) {
            b.header("X-Scope-OrgID", tenantId);
        }
        if (settings.authorization() != null) {
            b.header("Authorization", settings.authorization());
        }
        if (queryFlags && categorizeLabels) {
            b.header(ENCODING_FLAGS_HEADER, QueryJson.CATEGORIZE_LABELS);
        }
        for (Map.Entry<String, String> h : settings.headers().entrySet()) {
            b.header(h.getKey(), h.getValue());
        }
        return b.build();
    }

    private String connectionProblem(IOException e, String what) {
        String detail = e.getMessage() != null ? e.getMessage()
                : e instanceof ConnectException ? "connection refused or host unreachable" : e.getClass().getSimpleName();
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException) {
            return "cannot connect to Loki at " + settings.baseUri() + " for " + what + ": " + detail;
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from Loki at " + settings.baseUri() + " to " + what + " within "
                    + settings.requestTimeout().toMillis() + " ms (requestTimeout)";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failure talking to Loki at " + settings.baseUri() + " for " + what + ": " + detail
                    + " (for a private CA set caCertificatePath)";
        }
        return "request to Loki at " + settings.baseUri() + " for " + what + " failed: " + e.getClass().getSimpleName()
                + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    private static String hint(int code) {
        switch (code) {
            case 401:
                return " (check tenantId / username / password / bearerToken)";
            case 403:
                return " (the credentials are not allowed to read this tenant)";
            case 404:
                return " (is 'url' Loki's base URL, without a path such as /loki/api/v1?)";
            default:
                return "";
        }
    }

    private static String readable(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String s = new String(body, 0, Math.min(body.length, MAX_BODY_CHARS * 4), StandardCharsets.UTF_8).trim();
        return s.length() > MAX_BODY_CHARS ? s.substring(0, MAX_BODY_CHARS) + "..." : s;
    }

    private static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "..." : s;
    }

    /** URL-encoded parameters in insertion order; names may repeat ({@code match[]}). */
    private static final class Params {
        private final List<String[]> pairs = new ArrayList<>();

        Params add(String name, String value) {
            pairs.add(new String[]{name, value});
            return this;
        }

        void addAll(Params other) {
            pairs.addAll(other.pairs);
        }

        String encode() {
            StringBuilder sb = new StringBuilder();
            for (String[] p : pairs) {
                if (sb.length() > 0) {
                    sb.append('&');
                }
                sb.append(URLEncoder.encode(p[0], StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
            }
            return sb.toString();
        }
    }

    /** Routes the client's few messages to {@link System.Logger} unless a reporter is given. */
    private static final class SystemLoggerStatus implements StatusReporter {
        private final System.Logger log = System.getLogger(LokiQueryClient.class.getName());

        @Override
        public void info(String message) {
            log.log(System.Logger.Level.DEBUG, message);
        }

        @Override
        public void warn(String message, Throwable cause) {
            log.log(System.Logger.Level.WARNING, message, cause);
        }

        @Override
        public void error(String message, Throwable cause) {
            log.log(System.Logger.Level.ERROR, message, cause);
        }
    }

    /**
     * Connection options (the same as the appender's: {@code url}, {@code tenantId},
     * {@code username}/{@code password} or {@code bearerToken}, {@code caCertificatePath} or
     * {@code insecureSkipTlsVerify}, timeouts), or ready-made {@link HttpSettings}; plus retry and
     * paging options. {@link #build()} reports every problem at once.
     */
    public static final class Builder {
        private HttpSettings settings;
        private final HttpSettings.Builder http = HttpSettings.builder().requestTimeoutMs(60_000);
        private boolean connectionOptionSet;
        private String tenantId;
        private boolean tenantIdSet;
        private int maxRetries = 5;
        private Duration retryMinBackoff = Duration.ofMillis(500);
        private Duration retryMaxBackoff = Duration.ofSeconds(10);
        private Duration maxRetryTime = Duration.ofSeconds(30);
        private int maxEntriesLimit = DEFAULT_MAX_ENTRIES_LIMIT;
        private boolean categorizeLabels = true;
        private StatusReporter status;
        private Sleeper sleeper = nanos -> {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return false;
        };
        private LongSupplier nanoTime = System::nanoTime;
        private java.util.function.LongUnaryOperator random;

        private Builder() {
        }

        /**
         * Ready-made connection settings, e.g. {@code lokiConfig.http()} to query where an appender
         * pushes. Its tenant is used unless {@link #tenantId(String)} is set. Excludes the other
         * connection options.
         */
        public Builder settings(HttpSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Loki's base URL, e.g. {@code http://localhost:3100}. Required unless {@link #settings} is given. */
        public Builder url(String url) {
            http.url(url);
            connectionOptionSet = true;
            return this;
        }

        /** {@code X-Scope-OrgID}: one tenant, or several joined with {@code |} ({@code team-a|team-b}). */
        public Builder tenantId(String tenantId) {
            this.tenantId = tenantId == null || tenantId.isBlank() ? null : tenantId.trim();
            this.tenantIdSet = true;
            return this;
        }

        /** HTTP basic auth (Grafana Cloud: the numeric user id and an access token). */
        public Builder basicAuth(String username, String password) {
            http.username(username).password(password);
            connectionOptionSet = true;
            return this;
        }

        /** {@code Authorization: Bearer <token>}. */
        public Builder bearerToken(String token) {
            http.bearerToken(token);
            connectionOptionSet = true;
            return this;
        }

        /** A PEM file of CA certificates to trust instead of the JVM's trust store. */
        public Builder caCertificatePath(String path) {
            http.caCertificatePath(path);
            connectionOptionSet = true;
            return this;
        }

        /** Trust any certificate and host name; reported as a warning when the client is built. For tests only. */
        public Builder insecureSkipTlsVerify(boolean insecure) {
            http.insecureSkipTlsVerify(insecure);
            connectionOptionSet = true;
            return this;
        }

        /** An extra header on every request. */
        public Builder header(String name, String value) {
            http.header(name, value);
            connectionOptionSet = true;
            return this;
        }

        /** Default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            http.connectTimeoutMs(timeout.toMillis());
            connectionOptionSet = true;
            return this;
        }

        /** Time for one request, answer included. Default 60 s (queries take longer than pushes). */
        public Builder requestTimeout(Duration timeout) {
            http.requestTimeoutMs(timeout.toMillis());
            connectionOptionSet = true;
            return this;
        }

        /** Retries after a 429, a 5xx or a connection failure; 0 disables retrying. Default 5. */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** Backoff bounds; each wait is random between min and min·2^(retry-1), capped at max. Default 500 ms and 10 s. */
        public Builder retryBackoff(Duration min, Duration max) {
            this.retryMinBackoff = Objects.requireNonNull(min, "min");
            this.retryMaxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        /** No retry starts if it would end later than this after the first attempt. Default 30 s. */
        public Builder maxRetryTime(Duration maxRetryTime) {
            this.maxRetryTime = Objects.requireNonNull(maxRetryTime, "maxRetryTime");
            return this;
        }

        /** The server's {@code max_entries_limit_per_query}: the largest page {@link #entries} requests. Default 5000. */
        public Builder maxEntriesLimit(int limit) {
            this.maxEntriesLimit = limit;
            return this;
        }

        /**
         * Ask Loki 3 to keep structured metadata and parsed labels apart from stream labels
         * ({@code X-Loki-Response-Encoding-Flags: categorize-labels}); without it Loki 3 merges
         * them into the stream labels. Older servers ignore it. Default true.
         */
        public Builder categorizeLabels(boolean categorize) {
            this.categorizeLabels = categorize;
            return this;
        }

        /** Where the client reports the insecure-TLS warning and retries. Default: {@link System.Logger}. */
        public Builder status(StatusReporter status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        /** For tests: how retry waits are spent. */
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** For tests: the clock behind {@link #maxRetryTime}. */
        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /** For tests: the jitter source, returning a value in {@code [0, bound)}. */
        Builder random(java.util.function.LongUnaryOperator random) {
            this.random = random;
            return this;
        }

        /**
         * @throws IllegalArgumentException listing every problem, each naming its option
         */
        public LokiQueryClient build() {
            List<String> problems = new ArrayList<>();
            HttpSettings s = settings;
            if (s != null && connectionOptionSet) {
                problems.add("set either 'settings' or the individual connection options (url, credentials, TLS,"
                        + " timeouts, headers), not both");
            } else if (s == null) {
                s = http.build(problems);
            }
            String tenant = tenantIdSet ? tenantId : (s != null ? s.tenantId() : null);
            if (tenant != null) {
                QueryTenants.check(tenant, problems);
            }
            if (maxRetries < 0) {
                problems.add("'maxRetries' must be >= 0, was " + maxRetries);
            }
            if (retryMinBackoff.isNegative() || retryMinBackoff.isZero() || retryMaxBackoff.compareTo(retryMinBackoff) < 0) {
                problems.add("'retryBackoff' needs 0 < min <= max, was " + retryMinBackoff + " and " + retryMaxBackoff);
            }
            if (maxRetryTime.isNegative()) {
                problems.add("'maxRetryTime' must not be negative, was " + maxRetryTime);
            }
            if (maxEntriesLimit < 1) {
                problems.add("'maxEntriesLimit' must be >= 1, was " + maxEntriesLimit);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            if (status == null) {
                status = new SystemLoggerStatus();
            }
            return new LokiQueryClient(this, s, tenant);
        }
    }
}
