package io.github.lokiappender.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on 127.0.0.1 in front of a server (typically {@link FakeLoki}) that can be switched,
 * at any time, between network faults that an HTTP server cannot produce by itself:
 *
 * <ul>
 *   <li>{@link Mode#PASS_THROUGH}: bytes flow both ways unchanged;</li>
 *   <li>{@link Mode#REFUSE}: the listening socket is closed, so new connections are refused, and
 *       open ones are reset (a host or Loki that is down);</li>
 *   <li>{@link Mode#RESET}: new connections are accepted and reset at once (SO_LINGER 0), open ones
 *       are reset too (a crashing load balancer);</li>
 *   <li>{@link Mode#HANG}: connections are accepted and read, but nothing is ever answered; open
 *       connections hang from now on too, for as long as the client keeps them (a stuck Loki).</li>
 * </ul>
 *
 * <pre>{@code
 * try (FakeLoki loki = FakeLoki.start(); FaultyProxy proxy = FaultyProxy.start(loki.url())) {
 *     config.url(proxy.url());
 *     proxy.mode(FaultyProxy.Mode.REFUSE);
 *     ...
 * }
 * }</pre>
 *
 * At most {@code maxConnections} connections are open at once (two daemon threads each); further
 * connections are reset at once. {@link #close()} resets everything and stops every thread.
 */
public final class FaultyProxy implements AutoCloseable {

    /** What the proxy does with connections. */
    public enum Mode {
        PASS_THROUGH, REFUSE, RESET, HANG
    }

    /** Connections open at once unless {@link #start(String, int)} says otherwise. */
    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final InetSocketAddress target;
    private final InetAddress loopback;
    private final int port;
    private final Semaphore permits;
    private final ThreadPoolExecutor pumps;
    private final Thread acceptor;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger resetAtAccept = new AtomicInteger();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition listenerChanged = lock.newCondition();
    private ServerSocket listener; // null while refusing; guarded by lock
    private ServerSocket accepting; // the socket the acceptor is blocked on, if any; guarded by lock
    private Mode mode = Mode.PASS_THROUGH;
    private boolean closed;

    private FaultyProxy(InetSocketAddress target, int maxConnections) throws IOException {
        this.target = target;
        this.loopback = InetAddress.getByName("127.0.0.1");
        this.permits = new Semaphore(maxConnections);
        this.listener = bind(0);
        this.port = listener.getLocalPort();
        // two pumps per connection; the semaphore keeps the task count within the pool
        this.pumps = new ThreadPoolExecutor(2 * maxConnections, 2 * maxConnections, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "faulty-proxy-" + port + "-pump"));
        pumps.allowCoreThreadTimeOut(true);
        this.acceptor = daemon(this::acceptLoop, "faulty-proxy-" + port + "-accept");
        acceptor.start();
    }

    /** A proxy to the host and port of {@code targetUrl} (e.g. {@link FakeLoki#url()}), passing through. */
    public static FaultyProxy start(String targetUrl) {
        return start(targetUrl, DEFAULT_MAX_CONNECTIONS);
    }

    /** As {@link #start(String)} with a bound on connections open at once. */
    public static FaultyProxy start(String targetUrl, int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1");
        }
        URI uri = URI.create(targetUrl);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("need a URL with host and port, was " + targetUrl);
        }
        try {
            return new FaultyProxy(new InetSocketAddress(uri.getHost(), uri.getPort()), maxConnections);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: use it instead of the target's URL. The port stays the same in every mode. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Mode mode() {
        lock.lock();
        try {
            return mode;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Switches mode; takes effect before this returns (open connections are reset or hung as the
     * mode says).
     *
     * @throws UncheckedIOException if the port cannot be bound again after {@link Mode#REFUSE}
     */
    public void mode(Mode newMode) {
        List<Connection> affected;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("proxy is closed");
            }
            mode = newMode;
            if (newMode == Mode.REFUSE) {
                closeQuietly(listener);
                listener = null;
                // The JDK closes a socket's descriptor only once a thread blocked in accept() on it
                // has left; until then connections would still be accepted. Wait for the acceptor.
                long waitNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
                try {
                    while (accepting != null && waitNanos > 0) {
                        waitNanos = listenerChanged.awaitNanos(waitNanos);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (listener == null) {
                try {
                    listener = bind(port);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot listen on port " + port + " again", e);
                }
                listenerChanged.signalAll();
            }
            affected = new ArrayList<>(open);
        } finally {
            lock.unlock();
        }
        for (Connection c : affected) {
            if (newMode == Mode.REFUSE || newMode == Mode.RESET) {
                c.reset();
            } else if (newMode == Mode.HANG) {
                c.hang();
            }
        }
    }

    /** Connections accepted so far (including those reset or hung at once). */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Connections reset right after accept (RESET mode, or over the connection limit). */
    public int resetAtAccept() {
        return resetAtAccept.get();
    }

    /** Connections open right now. */
    public int openConnections() {
        return open.size();
    }

    /** Resets every connection, releases the port and stops all threads (within about a second). */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(listener);
            listener = null;
            listenerChanged.signalAll();
        } finally {
            lock.unlock();
        }
        for (Connection c : new ArrayList<>(open)) {
            c.reset();
        }
        pumps.shutdownNow();
        try {
            acceptor.join(1_000);
            pumps.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultyProxy{" + url() + " -> " + target + ", " + mode() + ", open=" + open.size() + '}';
    }

    // ---- accepting -------------------------------------------------------------------------------

    private ServerSocket bind(int p) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true); // rebinding after REFUSE must not fail on connections in TIME_WAIT
        s.bind(new InetSocketAddress(loopback, p), 50);
        return s;
    }

    private void acceptLoop() {
        while (true) {
            ServerSocket s;
            lock.lock();
            try {
                while (!closed && listener == null) {
                    listenerChanged.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                s = listener;
                accepting = s;
            } finally {
                lock.unlock();
            }
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                acceptReturned();
                if (!s.isClosed()) {
                    closeQuietly(s); // an accept failure that is not a mode switch: start over on a fresh socket
                    lock.lock();
                    try {
                        if (listener == s) {
                            listener = null;
                            try {
                                listener = bind(port);
                            } catch (IOException rebind) {
                                return; // nothing more we can do; connections are refused from now on
                            }
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                continue;
            }
            acceptReturned();
            accepted.incrementAndGet();
            handle(socket);
        }
    }

    /** The acceptor is no longer blocked on a listening socket (see {@link #mode}). */
    private void acceptReturned() {
        lock.lock();
        try {
            accepting = null;
            listenerChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void handle(Socket socket) {
        Mode m = mode();
        if (m == Mode.REFUSE || m == Mode.RESET || !permits.tryAcquire()) {
            // REFUSE: accepted in the instant before the listener closed; reset like the rest
            resetAtAccept.incrementAndGet();
            reset(socket);
            return;
        }
        Connection c = new Connection(socket, m == Mode.HANG);
        open.add(c);
        try {
            pumps.execute(c::run);
        } catch (RuntimeException e) { // rejected: closing
            c.reset();
        }
    }

    // ---- one proxied connection ------------------------------------------------------------------

    private final class Connection {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean hung;
        private final AtomicBoolean done = new AtomicBoolean();

        Connection(Socket client, boolean hung) {
            this.client = client;
            this.hung = hung;
        }

        /** Client to upstream; starts the opposite pump once connected. */
        void run() {
            try {
                if (!hung) {
                    Socket up = new Socket();
                    try {
                        up.setTcpNoDelay(true);
                        up.connect(target, CONNECT_TIMEOUT_MS);
                    } catch (IOException e) {
                        closeQuietly(up);
                        reset();
                        return;
                    }
                    upstream = up;
                    if (hung || done.get()) {
                        closeQuietly(up); // hung or reset while connecting
                    } else {
                        pumps.execute(this::pumpBack);
                    }
                }
                client.setTcpNoDelay(true);
                pump(client.getInputStream(), true);
            } catch (IOException | RuntimeException e) {
                // connection gone
            } finally {
                finish(false);
            }
        }

        private void pumpBack() {
            Socket up = upstream;
            try {
                pump(up.getInputStream(), false);
            } catch (IOException e) {
                // upstream closed or reset
            }
            if (!hung) {
                finish(false); // the server ended the connection: so does the proxy
            }
        }

        /** Copies until end of stream; while hung, reads and discards instead of forwarding. */
        private void pump(InputStream in, boolean fromClient) throws IOException {
            byte[] buf = new byte[16 * 1024];
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
                if (hung) {
                    continue;
                }
                Socket to = fromClient ? upstream : client;
                if (to == null) {
                    continue;
                }
                OutputStream out = to.getOutputStream();
                out.write(buf, 0, n);
                out.flush();
            }
        }

        /** From now on nothing is forwarded; the server side is closed so that it does not wait either. */
        void hang() {
            hung = true;
            Socket up = upstream;
            if (up != null) {
                closeQuietly(up);
            }
        }

        void reset() {
            finish(true);
        }

        private void finish(boolean abort) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            if (abort) {
                FaultyProxy.reset(client);
            } else {
                closeQuietly(client);
            }
            Socket up = upstream;
            if (up != null) {
                closeQuietly(up);
            }
            open.remove(this);
            permits.release();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Close with SO_LINGER 0: the peer gets a TCP RST instead of an orderly FIN. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
