package io.github.lokiappender.cli;

import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.query.Direction;
import io.github.lokiappender.core.query.LogEntry;
import io.github.lokiappender.core.query.LogStream;
import io.github.lokiappender.core.query.LokiQueryClient;
import io.github.lokiappender.core.query.LokiQueryException;
import io.github.lokiappender.core.query.MetricSeries;
import io.github.lokiappender.core.query.QueryResult;
import io.github.lokiappender.core.query.Sample;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar loki-cli.jar query '{app="shop"} |= "error"' --since 1h}: Loki's query API from
 * a terminal, on top of {@link LokiQueryClient}. Exit codes: 0 success, 1 Loki error (or Loki not
 * reachable, or not ready), 2 usage error.
 */
public final class LokiCli {

    static final int OK = 0;
    static final int LOKI_ERROR = 1;
    static final int USAGE_ERROR = 2;
    static final String DEFAULT_URL = "http://localhost:3100";
    static final int DEFAULT_LIMIT = 100;
    /** Fewer than the library's default: at a terminal a quick answer matters more than riding out an outage. */
    static final int DEFAULT_RETRIES = 2;

    static final String USAGE = String.join("\n",
            "Usage: java -jar loki-cli.jar [options] COMMAND [ARGUMENTS]",
            "",
            "Commands:",
            "  query QUERY          log lines of a LogQL query, newest first, paging through all of them up",
            "                       to --limit; a metric query prints its samples (step: --step or Loki's)",
            "  instant QUERY        an instant metric query, e.g. 'sum by (level) (count_over_time({app=\"shop\"}[5m]))'",
            "  labels               label names",
            "  label-values NAME    values of one label",
            "  series MATCHER...    label sets of the streams matching any of the selectors",
            "  ready                exit 0 if Loki is ready, 1 if not",
            "  build-info           Loki's version",
            "",
            "Connection:",
            "  --url URL            Loki's base URL (default: $LOKI_URL, else " + DEFAULT_URL + ")",
            "  --tenant ID          X-Scope-OrgID; several tenants as 'a|b' (default: $LOKI_TENANT)",
            "  --username USER --password PASSWORD",
            "                       HTTP basic auth, e.g. Grafana Cloud (default: $LOKI_USERNAME, $LOKI_PASSWORD)",
            "  --bearer-token TOKEN Authorization: Bearer (default: $LOKI_BEARER_TOKEN)",
            "  --ca-cert FILE       trust the CA certificates in this PEM file",
            "  --insecure           trust any TLS certificate (for tests; prints a warning)",
            "  --timeout DURATION   time for one request (default 60s)",
            "  --retries N          retries after 429, 5xx or a connection failure, with backoff (default 2)",
            "",
            "Time range (query, labels, label-values, series):",
            "  --since DURATION     how far back from --to (default 1h), e.g. 30s, 15m, 1h30m, 7d",
            "  --from TIME          start, inclusive: RFC3339 such as 2024-01-01T10:00:00Z, epoch seconds or",
            "                       nanoseconds, or 'now'",
            "  --to TIME            end, exclusive (default now)",
            "",
            "Query options:",
            "  --limit N            at most N log lines (default " + DEFAULT_LIMIT + ")",
            "  --forward            oldest first",
            "  --step DURATION      evaluation step of a metric query",
            "  --time TIME          evaluation time of an instant query (default now)",
            "  -o, --output FORMAT  text (default): 'TIME {labels} [{metadata}] line'; jsonl: one JSON object a line",
            "  -h, --help           this text",
            "",
            "Exit codes: 0 success, 1 Loki error or Loki not reachable or not ready, 2 usage error.",
            "");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    LokiCli(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = new LokiCli(System.getenv(), out, err, Clock.systemUTC()).run(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line; returns the exit code. */
    int run(String[] args) {
        try {
            CliOptions o = CliOptions.parse(args);
            if (o.has("help")) {
                out.print(USAGE);
                return OK;
            }
            Command command = command(o);
            Output output = new Output(out, Output.Format.parse(o.get("output")));
            try (LokiQueryClient client = client(o)) {
                return command.run(client, output);
            }
        } catch (UsageException | IllegalArgumentException e) {
            err.println("loki-cli: " + e.getMessage());
            err.println("Run with --help for usage.");
            return USAGE_ERROR;
        } catch (LokiQueryException | IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return LOKI_ERROR;
        } finally {
            out.flush();
        }
    }

    private interface Command {
        int run(LokiQueryClient client, Output output);
    }

    /** Checks the whole command line before anything is sent. */
    private Command command(CliOptions o) throws UsageException {
        String name = o.command();
        if (name == null) {
            throw new UsageException("no command given: query, instant, labels, label-values, series, ready or build-info");
        }
        List<String> args = o.arguments();
        Instant now = clock.instant();
        switch (name) {
            case "query": {
                String query = single(name, args, "the LogQL query");
                Instant[] range = range(o, now);
                int limit = limit(o);
                Direction direction = o.has("forward") ? Direction.FORWARD : Direction.BACKWARD;
                Duration step = o.has("step") ? CliTime.parseDuration("--step", o.get("step")) : null;
                return (client, output) -> query(client, output, query, range[0], range[1], limit, direction, step);
            }
            case "instant": {
                String query = single(name, args, "the LogQL metric query");
                Instant time = o.has("time") ? CliTime.parseInstant("--time", o.get("time"), now) : now;
                return (client, output) -> {
                    print(output, client.query(query, time), Direction.BACKWARD, Integer.MAX_VALUE);
                    return OK;
                };
            }
            case "labels": {
                none(name, args);
                Instant[] range = range(o, now);
                return (client, output) -> {
                    client.labels(range[0], range[1]).forEach(output::string);
                    return OK;
                };
            }
            case "label-values": {
                String label = single(name, args, "the label name");
                Instant[] range = range(o, now);
                return (client, output) -> {
                    client.labelValues(label, range[0], range[1]).forEach(output::string);
                    return OK;
                };
            }
            case "series": {
                if (args.isEmpty()) {
                    throw new UsageException("series needs at least one selector, e.g. '{app=\"shop\"}'");
                }
                Instant[] range = range(o, now);
                List<String> matchers = new ArrayList<>(args);
                return (client, output) -> {
                    client.series(matchers, range[0], range[1]).forEach(output::labelSet);
                    return OK;
                };
            }
            case "ready":
                none(name, args);
                return LokiCli::ready;
            case "build-info":
                none(name, args);
                return (client, output) -> {
                    output.buildInfo(client.buildInfo());
                    return OK;
                };
            default:
                throw new UsageException("unknown command '" + name
                        + "': use query, instant, labels, label-values, series, ready or build-info");
        }
    }

    private static int query(LokiQueryClient client, Output output, String query, Instant from, Instant to, int limit,
                             Direction direction, Duration step) {
        if (step != null) {
            print(output, client.queryRange(query, from, to, limit, direction, step), direction, limit);
            return OK;
        }
        Iterator<LogEntry> entries = client.entryIterator(query, from, to, direction,
                Math.min(limit, LokiQueryClient.DEFAULT_MAX_ENTRIES_LIMIT));
        int printed = 0;
        try {
            while (printed < limit && entries.hasNext()) {
                output.entry(entries.next());
                printed++;
            }
        } catch (IllegalArgumentException metricQuery) {
            if (printed > 0) {
                throw metricQuery;
            }
            // a metric query: one range request, Loki chooses the step
            print(output, client.queryRange(query, from, to, limit, direction, null), direction, limit);
        }
        return OK;
    }

    private static int ready(LokiQueryClient client, Output output) {
        try {
            client.checkReady();
            output.ready(true, null);
            return OK;
        } catch (LokiQueryException e) {
            if (e.isConnectionFailure()) {
                throw e;
            }
            output.ready(false, e.status() + (e.body().isEmpty() ? "" : " " + e.body()));
            return LOKI_ERROR;
        }
    }

    private static void print(Output output, QueryResult r, Direction direction, int limit) {
        switch (r.type()) {
            case STREAMS: {
                List<LogEntry> all = new ArrayList<>();
                for (LogStream s : r.streams()) {
                    all.addAll(s.entries());
                }
                Comparator<LogEntry> byTime = Comparator.comparingLong(LogEntry::timestampNanos);
                all.sort(direction == Direction.FORWARD ? byTime : byTime.reversed());
                all.stream().limit(limit).forEach(output::entry);
                break;
            }
            case MATRIX:
            case VECTOR:
                for (MetricSeries s : r.series()) {
                    for (Sample sample : s.samples()) {
                        output.sample(s.metric(), sample);
                    }
                }
                break;
            default:
                output.scalar(r.scalar());
                break;
        }
    }

    private LokiQueryClient client(CliOptions o) {
        String url = first(o.get("url"), env.get("LOKI_URL"), DEFAULT_URL);
        LokiQueryClient.Builder b = LokiQueryClient.builder().url(url)
                .tenantId(first(o.get("tenant"), env.get("LOKI_TENANT"), null))
                .status(new StatusReporter() {
                    @Override
                    public void info(String message) {
                        // retries: the final outcome is what a terminal user needs
                    }

                    @Override
                    public void warn(String message, Throwable cause) {
                        err.println("warning: " + message);
                    }

                    @Override
                    public void error(String message, Throwable cause) {
                        err.println("error: " + message);
                    }
                });
        // credentials on the command line replace those in the environment as a whole
        boolean authGiven = o.has("username") || o.has("password") || o.has("bearer-token");
        String username = authGiven ? o.get("username") : env.get("LOKI_USERNAME");
        String password = authGiven ? o.get("password") : env.get("LOKI_PASSWORD");
        String bearer = authGiven ? o.get("bearer-token") : env.get("LOKI_BEARER_TOKEN");
        if (username != null || password != null) {
            b.basicAuth(username, password);
        }
        if (bearer != null) {
            b.bearerToken(bearer);
        }
        if (o.has("ca-cert")) {
            b.caCertificatePath(o.get("ca-cert"));
        }
        if (o.has("insecure")) {
            b.insecureSkipTlsVerify(true);
        }
        int retries = DEFAULT_RETRIES;
        if (o.has("retries")) {
            try {
                retries = Integer.parseInt(o.get("retries").trim());
            } catch (NumberFormatException e) {
                retries = -1;
            }
            if (retries < 0) {
                throw new IllegalArgumentException("--retries expects a number >= 0, not '" + o.get("retries") + "'");
            }
        }
        b.maxRetries(retries).maxRetryTime(Duration.ofSeconds(20));
        if (o.has("timeout")) {
            try {
                b.requestTimeout(CliTime.parseDuration("--timeout", o.get("timeout")));
            } catch (UsageException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
        return b.build();
    }

    private static Instant[] range(CliOptions o, Instant now) throws UsageException {
        Instant to = o.has("to") ? CliTime.parseInstant("--to", o.get("to"), now) : now;
        Instant from;
        if (o.has("from")) {
            if (o.has("since")) {
                throw new UsageException("use either --since or --from, not both");
            }
            from = CliTime.parseInstant("--from", o.get("from"), now);
        } else {
            Duration since = o.has("since") ? CliTime.parseDuration("--since", o.get("since")) : Duration.ofHours(1);
            from = to.minus(since);
        }
        if (from.isAfter(to)) {
            throw new UsageException("--from " + from + " is after --to " + to);
        }
        return new Instant[]{from, to};
    }

    private static int limit(CliOptions o) throws UsageException {
        if (!o.has("limit")) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(o.get("limit").trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--limit expects a positive number, not '" + o.get("limit") + "'");
    }

    private static String single(String command, List<String> args, String what) throws UsageException {
        if (args.size() != 1) {
            throw new UsageException(command + " takes one argument, " + what + (args.isEmpty() ? ""
                    : ", but got " + args.size() + " (quote the query: '{app=\"shop\"} |= \"error\"')"));
        }
        return args.get(0);
    }

    private static void none(String command, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException(command + " takes no arguments, but got '" + String.join(" ", args) + "'");
        }
    }

    private static String first(String a, String b, String c) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        if (b != null && !b.isBlank()) {
            return b;
        }
        return c;
    }
}
