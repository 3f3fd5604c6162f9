package io.github.lokiappender.core.http;

import io.github.lokiappender.core.encode.EncodedRequest;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Pushes over one kept-alive HTTP/1.1 connection of its own, on the calling (shipper) thread.
 *
 * <p>Why not the JDK's {@code HttpClient}: a push is one POST of a ready byte array and one small
 * answer, and the JDK client spends about twice the CPU of the socket itself on it (1.5-1.8 ms
 * against 0.7 ms per 1.3 MB request on loopback), wakes two more threads per request, and keeps a
 * lot of code warm that the JIT compiles over minutes. This transport writes the head and the
 * body and reads the answer on the caller's thread; one watchdog thread closes the connection at
 * a request's deadline (a blocked write has no timeout of its own), and an interrupt closes it too
 * (the socket is a {@link SocketChannel}).
 *
 * <p>It is used when no proxy applies to the URL ({@link #canReach(HttpSettings)}); otherwise the
 * pipeline takes {@link JdkPushTransport}, which speaks to proxies. Not thread-safe beyond
 * one pushing thread at a time (pushes are serialised).
 */
public final class Http1PushTransport implements PushTransport {

    private static final int MAX_BODY_BYTES = PushResponse.MAX_BODY_CHARS * 4;
    /** Longer answers than this are not read to the end; the connection is closed instead. */
    private static final long MAX_DRAINED_BODY = 1 << 20;
    private static final int MAX_HEADER_LINES = 256;
    /**
     * A connection idle for longer is not reused: load balancers close idle connections after 60 s
     * (AWS), nginx after 75 s, Loki after 120 s, and a push racing that close would need a resend.
     */
    static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final HttpSettings settings;
    private final String host;
    private final int port;
    private final SSLContext tls; // null for http
    private final byte[] fixedHead;
    private final Watchdog watchdog;
    private final LongSupplier clock;
    private long lastUsed;

    private final byte[] in = new byte[8192];
    private int inPos;
    private int inLimit;
    private byte[] head = new byte[512];
    private final byte[] bodyText = new byte[MAX_BODY_BYTES];
    private int bodyTextLength;

    private volatile SocketChannel channel; // volatile: close() may come from another thread mid-push
    private volatile boolean closed;
    private Socket socket; // the channel's socket, or TLS layered on it
    private InputStream input;
    private OutputStream output;

    public Http1PushTransport(HttpSettings settings, String threadName) {
        this(settings, threadName, System::nanoTime);
    }

    /** @param clock tells the idle time of the connection (tests) */
    Http1PushTransport(HttpSettings settings, String threadName, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        URI uri = settings.resolve(JdkPushTransport.PUSH_PATH);
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        String h = uri.getHost();
        this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
        this.port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        this.tls = https ? sslContext(settings) : null;
        this.fixedHead = fixedHead(uri, h, https).getBytes(StandardCharsets.UTF_8);
        this.watchdog = new Watchdog(threadName + "-http-deadline");
    }

    /** True when no proxy applies to the push URL (this transport connects directly only). */
    public static boolean canReach(HttpSettings settings) {
        ProxySelector ps = ProxySelector.getDefault();
        if (ps == null) {
            return true;
        }
        URI uri = settings.resolve(JdkPushTransport.PUSH_PATH);
        try {
            for (Proxy p : ps.select(uri)) {
                if (p.type() != Proxy.Type.DIRECT) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false; // a selector that fails here would fail in the JDK client too; let it report that
        }
    }

    private static SSLContext sslContext(HttpSettings settings) {
        if (settings.caCertificatePath() != null) {
            return HttpClients.trusting(settings.caCertificatePath());
        }
        if (settings.insecureSkipTlsVerify()) {
            return HttpClients.trustingAnything();
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context in this JVM", e);
        }
    }

    private String fixedHead(URI uri, String uriHost, boolean https) {
        StringBuilder b = new StringBuilder(256);
        String target = uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        b.append("POST ").append(target).append(" HTTP/1.1\r\nHost: ").append(uriHost);
        if (uri.getPort() >= 0 && uri.getPort() != (https ? 443 : 80)) {
            b.append(':').append(uri.getPort());
        }
        b.append("\r\nUser-Agent: loki-appender-java\r\n");
        if (settings.tenantId() != null) {
            b.append("X-Scope-OrgID: ").append(settings.tenantId()).append("\r\n");
        }
        if (settings.authorization() != null) {
            b.append("Authorization: ").append(settings.authorization()).append("\r\n");
        }
        for (Map.Entry<String, String> e : settings.headers().entrySet()) {
            b.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        return b.toString();
    }

    @Override
    public synchronized PushResponse push(EncodedRequest request, long timeoutNanos) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(1_000_000L, Math.min(timeoutNanos, settings.requestTimeout().toNanos()));
        int headLength = head(request);
        try {
            return exchange(request, headLength, deadline);
        } catch (StaleConnection stale) {
            // a kept-alive connection the server had closed: once more on a new one (Loki drops
            // entries it already has, so a repeated push is harmless)
            disconnect();
        } catch (IOException e) {
            throw failure(e);
        }
        try {
            return exchange(request, headLength, deadline);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** Drops the connection; what to throw for {@code e}: the interrupt or the timeout it stands for, or itself. */
    private IOException failure(IOException e) throws InterruptedException {
        disconnect();
        if (Thread.interrupted()) {
            throw new InterruptedException("push interrupted");
        }
        return watchdog.expired() || e instanceof SocketTimeoutException ? timeout(e) : e;
    }

    private static HttpTimeoutException timeout(IOException cause) {
        HttpTimeoutException t = new HttpTimeoutException("request timed out");
        t.initCause(cause);
        return t;
    }

    /** Writes the request and reads the answer; the watchdog closes the connection at the deadline. */
    private PushResponse exchange(EncodedRequest request, int headLength, long deadline) throws IOException {
        if (channel != null && clock.getAsLong() - lastUsed > MAX_IDLE_NANOS) {
            disconnect(); // likely closed by now, or about to be
        }
        boolean fresh = channel == null;
        if (fresh) {
            if (closed) {
                throw new IOException("the transport is closed");
            }
            connect(deadline);
        }
        inPos = 0; // nothing may be left of an earlier answer
        inLimit = 0;
        watchdog.arm(channel, deadline);
        try {
            try {
                output.write(head, 0, headLength);
                output.write(request.body(), 0, request.length());
                output.flush();
            } catch (IOException writeFailed) {
                if (!fresh && !watchdog.expired()) {
                    throw new StaleConnection(writeFailed);
                }
                throw writeFailed;
            }
            PushResponse r = readResponse(deadline, fresh);
            lastUsed = clock.getAsLong();
            return r;
        } finally {
            watchdog.disarm();
        }
    }

    private void connect(long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new HttpTimeoutException("request timed out");
        }
        SocketChannel ch = SocketChannel.open();
        try {
            Socket plain = ch.socket();
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(left, settings.connectTimeout().toMillis())));
            Socket s = plain;
            if (tls != null) {
                watchdog.arm(ch, deadline); // a handshake can stall too
                try {
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
                    if (!settings.insecureSkipTlsVerify()) {
                        SSLParameters p = ssl.getSSLParameters();
                        p.setEndpointIdentificationAlgorithm("HTTPS");
                        ssl.setSSLParameters(p);
                    }
                    ssl.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    ssl.startHandshake();
                    s = ssl;
                } finally {
                    watchdog.disarm();
                }
            }
            channel = ch;
            socket = s;
            input = s.getInputStream();
            output = s.getOutputStream();
            inPos = 0;
            inLimit = 0;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void disconnect() {
        SocketChannel ch = channel;
        channel = null;
        socket = null;
        input = null;
        output = null;
        if (ch != null) {
            try {
                ch.close(); // the raw channel: closing a TLS socket politely could block on a stalled peer
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** The head of this request: the fixed part, then type, encoding and length. */
    private int head(EncodedRequest request) {
        int n = fixedHead.length;
        int need = n + 160 + request.contentType().length()
                + (request.contentEncoding() == null ? 0 : request.contentEncoding().length());
        if (head.length < need) {
            head = new byte[need];
        }
        System.arraycopy(fixedHead, 0, head, 0, n);
        n = ascii("Content-Type: ", n);
        n = ascii(request.contentType(), n);
        if (request.contentEncoding() != null) {
            n = ascii("\r\nContent-Encoding: ", n);
            n = ascii(request.contentEncoding(), n);
        }
        n = ascii("\r\nContent-Length: ", n);
        n = ascii(Integer.toString(request.length()), n);
        return ascii("\r\n\r\n", n);
    }

    private int ascii(String s, int at) {
        for (int i = 0; i < s.length(); i++) {
            head[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    // ---- the answer ----

    private PushResponse readResponse(long deadline, boolean fresh) throws IOException {
        while (true) {
            String statusLine;
            try {
                statusLine = line(deadline);
            } catch (SocketTimeoutException noAnswer) {
                throw noAnswer;
            } catch (IOException closedBeforeAnswer) {
                if (!fresh && inLimit == 0 && !watchdog.expired()) {
                    throw new StaleConnection(closedBeforeAnswer);
                }
                throw closedBeforeAnswer instanceof EOFException
                        ? new EOFException("Loki closed the connection without an answer") : closedBeforeAnswer;
            }
            int status = statusCode(statusLine);
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            long contentLength = -1;
            boolean chunked = false;
            boolean close = http10;
            String retryAfter = null;
            String h;
            int lines = 0;
            while (!(h = line(deadline)).isEmpty()) {
                if (++lines > MAX_HEADER_LINES) {
                    throw new IOException("Loki's answer has more than " + MAX_HEADER_LINES + " header lines");
                }
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad Content-Length in Loki's answer: " + value);
                    }
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    String v = value.toLowerCase(java.util.Locale.ROOT);
                    close = v.contains("close") || (http10 && !v.contains("keep-alive"));
                } else if (name.equalsIgnoreCase("Retry-After")) {
                    retryAfter = value;
                }
            }
            if (status >= 100 && status < 200) {
                continue; // an interim answer (100 Continue, 103 Early Hints): the real one follows
            }
            int textLength = 0;
            boolean framed = true;
            try {
                if (status == 204 || status == 304) {
                    textLength = 0;
                } else if (chunked) {
                    textLength = readChunked(deadline);
                } else if (contentLength >= 0) {
                    if (contentLength > MAX_DRAINED_BODY) {
                        textLength = readBody(Math.min(contentLength, MAX_BODY_BYTES), deadline);
                        framed = false;
                    } else {
                        textLength = readBody(contentLength, deadline);
                    }
                } else {
                    textLength = readBody(Long.MAX_VALUE, deadline); // until the server closes
                    framed = false;
                }
            } catch (IOException bodyCut) {
                // the status is what matters; keep what text arrived and drop the connection
                framed = false;
                textLength = bodyTextLength;
            }
            if (close || !framed) {
                disconnect();
            }
            String text = status / 100 == 2 ? "" : PushResponse.readable(bodyText, textLength);
            return new PushResponse(status, text, retryAfter);
        }
    }

    private static int statusCode(String line) throws IOException {
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.x answer: " + PushResponse.readable(line.getBytes(StandardCharsets.ISO_8859_1), Math.min(line.length(), 80)));
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw new IOException("not an HTTP status line: " + line);
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }

    /** Reads up to {@code length} bytes of body (or to the end of the stream), keeping the first ones as text. */
    private int readBody(long length, long deadline) throws IOException {
        bodyTextLength = 0;
        long left = length;
        while (left > 0) {
            if (inPos == inLimit && !fill(deadline, length == Long.MAX_VALUE)) {
                break; // the end of the stream: the end of an unframed body
            }
            int n = (int) Math.min(left, inLimit - inPos);
            keep(n);
            inPos += n;
            left -= n;
        }
        return bodyTextLength;
    }

    private int readChunked(long deadline) throws IOException {
        bodyTextLength = 0;
        while (true) {
            String sizeLine = line(deadline);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size in Loki's answer: " + sizeLine);
            }
            if (size == 0) {
                while (!line(deadline).isEmpty()) {
                    // trailers: ignored
                }
                return bodyTextLength;
            }
            long left = size;
            while (left > 0) {
                if (inPos == inLimit) {
                    fill(deadline, false);
                }
                int n = (int) Math.min(left, inLimit - inPos);
                keep(n);
                inPos += n;
                left -= n;
            }
            if (!line(deadline).isEmpty()) {
                throw new IOException("malformed chunk in Loki's answer");
            }
        }
    }

    private void keep(int n) {
        int k = Math.min(n, MAX_BODY_BYTES - bodyTextLength);
        if (k > 0) {
            System.arraycopy(in, inPos, bodyText, bodyTextLength, k);
            bodyTextLength += k;
        }
    }

    /** One line of the answer's head, without CR LF (ISO-8859-1). */
    private String line(long deadline) throws IOException {
        int scanFrom = inPos;
        while (true) {
            for (int i = scanFrom; i < inLimit; i++) {
                if (in[i] == '\n') {
                    int end = i > inPos && in[i - 1] == '\r' ? i - 1 : i;
                    String s = new String(in, inPos, end - inPos, StandardCharsets.ISO_8859_1);
                    inPos = i + 1;
                    return s;
                }
            }
            int partial = inLimit - inPos;
            if (partial == in.length) {
                throw new IOException("a line of Loki's answer is longer than " + in.length + " bytes");
            }
            if (inPos > 0) { // make room: the partial line to the front
                System.arraycopy(in, inPos, in, 0, partial);
                inPos = 0;
                inLimit = partial;
            }
            scanFrom = inLimit;
            if (!fillAt(deadline)) {
                throw new EOFException("the connection closed in the middle of Loki's answer");
            }
        }
    }

    /** Refills the (consumed) input buffer; false at the end of the stream if {@code endAllowed}. */
    private boolean fill(long deadline, boolean endAllowed) throws IOException {
        inPos = 0;
        inLimit = 0;
        if (fillAt(deadline)) {
            return true;
        }
        if (endAllowed) {
            return false;
        }
        throw new EOFException("the connection closed in the middle of Loki's answer");
    }

    /** Reads more bytes after {@code inLimit}; false at the end of the stream. */
    private boolean fillAt(long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("no answer within the request timeout");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        int n = input.read(in, inLimit, in.length - inLimit);
        if (n < 0) {
            return false;
        }
        inLimit += n;
        return true;
    }

    @Override
    public void close() {
        // not synchronized: a push still in flight must not hold up the application's shutdown;
        // closing its channel ends it with an IOException
        closed = true;
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
        watchdog.close();
    }

    /** A kept-alive connection that turned out closed before anything of the answer came. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Closes the armed connection when its deadline passes. One daemon thread per transport,
     * started by the first push; it sleeps while no request is in flight.
     */
    private static final class Watchdog implements Runnable {
        private final String name;
        private Thread thread;
        private SocketChannel armed;
        private long deadline;
        private boolean expired;
        private boolean closed;

        Watchdog(String name) {
            this.name = name;
        }

        synchronized void arm(SocketChannel ch, long deadlineNanos) {
            if (thread == null && !closed) {
                thread = InternalThreads.factory(name).newThread(this);
                thread.start();
            }
            armed = ch;
            deadline = deadlineNanos;
            expired = false;
            notifyAll();
        }

        synchronized void disarm() {
            armed = null;
        }

        synchronized boolean expired() {
            return expired;
        }

        synchronized void close() {
            closed = true;
            armed = null;
            notifyAll();
        }

        @Override
        public synchronized void run() {
            try {
                while (!closed) {
                    if (armed == null) {
                        wait();
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                        continue;
                    }
                    expired = true;
                    try {
                        armed.close(); // wakes the pushing thread out of a blocked write or read
                    } catch (IOException ignored) {
                        // closed anyway
                    }
                    armed = null;
                }
            } catch (InterruptedException stop) {
                // the transport is closing
            }
        }
    }
}
