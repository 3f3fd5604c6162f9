package io.github.lokiappender.demo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.util.StatusPrinter2;
import io.github.lokiappender.core.stats.StatsSnapshot;
import io.github.lokiappender.logback.LokiAppender;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The demo: checks that a Loki answers at {@code LOKI_URL} (default {@code http://localhost:3100}),
 * logs a realistic mix through SLF4J and Logback (see {@code logback.xml}), stops Logback so the
 * appender delivers what it holds, and prints what was sent.
 *
 * <p>Exit codes: 0 all delivered, 1 no Loki answered, 2 some events were not delivered.
 */
public final class LogbackDemo {

    static final int NO_LOKI = 1;
    static final int NOT_ALL_DELIVERED = 2;

    private LogbackDemo() {
    }

    public static void main(String[] args) {
        String url = System.getenv("LOKI_URL");
        int code = run(url == null || url.isBlank() ? "http://localhost:3100" : url.trim(), System.out).exitCode;
        if (code != 0) {
            System.exit(code);
        }
    }

    /** What one run did. */
    public static final class Result {
        public final int exitCode;
        /** Events the demo logged; 0 if it did not get that far. */
        public final int logged;
        /** The appender's final counters; null if it did not get that far. */
        public final StatsSnapshot stats;

        Result(int exitCode, int logged, StatsSnapshot stats) {
            this.exitCode = exitCode;
            this.logged = logged;
            this.stats = stats;
        }
    }

    /** Runs the demo against the Loki at {@code lokiUrl}, reporting to {@code out}. */
    public static Result run(String lokiUrl, PrintStream out) {
        String base = lokiUrl.endsWith("/") ? lokiUrl.substring(0, lokiUrl.length() - 1) : lokiUrl;
        String notReady = probe(base);
        if (notReady != null) {
            out.println("No Loki is ready at " + base + " (" + notReady + "): start one with `docker compose up -d`"
                    + " in the repository root (Loki on :3100, Grafana on :3000), or set LOKI_URL to yours.");
            return new Result(NO_LOKI, 0, null);
        }

        LoggerContext ctx = configureLogging(base, out);
        LokiAppender loki = (LokiAppender) ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("LOKI");
        if (loki == null || !loki.isStarted()) {
            out.println("The LOKI appender did not start; see the Logback status above.");
            ctx.stop();
            return new Result(NOT_ALL_DELIVERED, 0, null);
        }

        int logged = new CheckoutService().handleSampleTraffic();

        ctx.stop(); // what the shutdown hook does at JVM exit: the appender delivers what it holds
        StatsSnapshot s = loki.getStats();
        out.println();
        out.println("Sent to Loki at " + base + ": " + s.delivered() + " of " + logged + " events in " + s.batchesSent()
                + (s.batchesSent() == 1 ? " batch" : " batches") + ", " + bytes(s.bytesSent()) + " on the wire, "
                + s.droppedTotal() + " lost" + (s.droppedTotal() > 0 ? " " + s.droppedByReason() : "") + ".");
        if (s.droppedTotal() > 0 || s.delivered() != logged) {
            out.println("Not everything arrived. A Loki older than 2.9 rejects structured metadata: remove"
                    + " <structuredMetadata> from logback.xml and run again.");
            return new Result(NOT_ALL_DELIVERED, logged, s);
        }
        out.println("See them in Grafana at http://localhost:3000/explore with the query {app=\"logback-demo\"}, or:");
        out.println("  curl -sG " + base + "/loki/api/v1/query_range --data-urlencode 'query={app=\"logback-demo\"}'");
        return new Result(0, logged, s);
    }

    /** Null if GET /ready answers 200, else what went wrong. */
    static String probe(String base) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) new URL(base + "/ready").openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(2_000);
            int status = c.getResponseCode();
            if (status == 200) {
                return null;
            }
            InputStream err = c.getErrorStream();
            String body = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8).trim();
            return "GET /ready answered " + status + (body.isEmpty() ? "" : ": " + firstLine(body))
                    + (status == 503 ? "; a Loki that just started needs about 15 s" : "");
        } catch (IOException | IllegalArgumentException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /**
     * Logback read logback.xml when SLF4J started, with LOKI_URL from the environment. Read it again
     * with the URL that answered the probe, so a URL given by a caller (the demo's test) is used too.
     */
    private static LoggerContext configureLogging(String url, PrintStream out) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        ctx.putProperty("LOKI_URL", url);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(LogbackDemo.class.getResource("/logback.xml"));
        } catch (JoranException e) {
            // Logback has recorded the details in its status, printed below
        }
        StatusPrinter2 printer = new StatusPrinter2();
        printer.setPrintStream(out);
        printer.printInCaseOfErrorsOrWarnings(ctx);
        return ctx;
    }

    private static String bytes(long n) {
        return n < 1024 ? n + " bytes" : String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
