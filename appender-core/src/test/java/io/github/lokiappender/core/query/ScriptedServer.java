package io.github.lokiappender.core.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP server on 127.0.0.1 answering from a script (statuses, bodies, headers, dropped
 * connections, hangs) and recording every request; the default answer is a 200 with a fixed body.
 */
final class ScriptedServer implements AutoCloseable {

    static final class Reply {
        final int status;
        final String body;
        final String[] headers;
        final boolean drop;
        final boolean hang;

        private Reply(int status, String body, String[] headers, boolean drop, boolean hang) {
            this.status = status;
            this.body = body;
            this.headers = headers;
            this.drop = drop;
            this.hang = hang;
        }
    }

    /** One request as received. */
    static final class Seen {
        final String method;
        final String path;
        final List<String[]> params;
        final Map<String, List<String>> headers;

        Seen(String method, String path, List<String[]> params, Map<String, List<String>> headers) {
            this.method = method;
            this.path = path;
            this.params = params;
            this.headers = headers;
        }

        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        /** "name=value" pairs, decoded, in order. */
        List<String> paramList() {
            List<String> out = new ArrayList<>();
            for (String[] p : params) {
                out.add(p[0] + "=" + p[1]);
            }
            return out;
        }
    }

    static Reply reply(int status, String body, String... headers) {
        return new Reply(status, body, headers, false, false);
    }

    static Reply drop() {
        return new Reply(0, "", new String[0], true, false);
    }

    /** Holds the request until {@link #close()}. */
    static Reply hang() {
        return new Reply(0, "", new String[0], false, true);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Reply fallback = reply(200, "{\"status\":\"success\"}");

    ScriptedServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    ScriptedServer then(Reply... replies) {
        synchronized (script) {
            script.addAll(List.of(replies));
        }
        return this;
    }

    ScriptedServer otherwise(Reply reply) {
        this.fallback = reply;
        return this;
    }

    List<Seen> requests() {
        return requests;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String raw = ex.getRequestURI().getRawQuery();
            byte[] body = ex.getRequestBody().readAllBytes();
            List<String[]> params = new ArrayList<>();
            parse(raw, params);
            if (body.length > 0) {
                parse(new String(body, StandardCharsets.UTF_8), params);
            }
            requests.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), params,
                    Map.copyOf(ex.getRequestHeaders())));
            Reply r;
            synchronized (script) {
                r = script.isEmpty() ? fallback : script.pollFirst();
            }
            if (r.drop) {
                return; // closed below without a response
            }
            if (r.hang) {
                closing.await(10, TimeUnit.SECONDS);
                return;
            }
            for (int i = 0; i + 1 < r.headers.length; i += 2) {
                ex.getResponseHeaders().add(r.headers[i], r.headers[i + 1]);
            }
            byte[] bytes = r.body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(r.status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private static void parse(String encoded, List<String[]> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String part : encoded.split("&")) {
            int eq = part.indexOf('=');
            into.add(new String[]{URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8)});
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
