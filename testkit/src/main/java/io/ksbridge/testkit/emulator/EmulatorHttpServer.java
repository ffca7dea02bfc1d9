package io.ksbridge.testkit.emulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's HTTP server on {@code 127.0.0.1}: routes each request to the handler mounted at the longest
 * matching path prefix, after applying {@link Faults#decide}. Handlers do their own authentication (with
 * {@link JwtVerifier#authenticate}). Thread-safe: handlers run on a pool of daemon threads, several at once.
 */
public final class EmulatorHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorHttpServer.class);

    static {
        // The JDK server writes headers and body in separate packets; without TCP_NODELAY, Nagle's algorithm and the
        // client's delayed ACK add about 40 ms to every answer. Read once, when the JDK's server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final Faults faults;
    private final Map<String, HttpHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requestCounts = new ConcurrentHashMap<>();
    /** Requests being handled now (injected delays and hangs included), by a number of their own: method and path. */
    private final Map<Long, String> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();

    /**
     * Starts a server on an ephemeral port of 127.0.0.1.
     *
     * @param faults the fault plan applied to every request, never null
     * @throws IOException when the port cannot be bound
     */
    public EmulatorHttpServer(Faults faults) throws IOException {
        this(faults, 0);
    }

    /**
     * Starts a server on {@code port} of 127.0.0.1 (0: an ephemeral one).
     *
     * @param faults the fault plan applied to every request, never null
     * @param port   the port, 0 to 65535
     * @throws IOException when the port cannot be bound
     */
    public EmulatorHttpServer(Faults faults, int port) throws IOException {
        this.faults = Objects.requireNonNull(faults, "faults must not be null");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "snowflake-emulator-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::dispatch);
        server.start();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Mounts a handler for every path starting with {@code prefix}; the longest matching prefix wins. Mounting the
     * same prefix again replaces the handler.
     *
     * @param prefix  a path prefix starting with {@code /}, for example {@code /v1/streaming/}
     * @param handler the handler, never null; it must answer and close every exchange it gets
     */
    public void mount(String prefix, HttpHandler handler) {
        Objects.requireNonNull(prefix, "prefix must not be null");
        Objects.requireNonNull(handler, "handler must not be null");
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix must start with /, was " + prefix);
        }
        handlers.put(prefix, handler);
    }

    /**
     * How many requests arrived for paths starting with {@code prefix} (compared character by character, so a
     * prefix may end inside a segment and may be as deep as a whole path), faulted ones and unrouted ones included.
     * Counts are kept per distinct path.
     *
     * @param prefix a path prefix, never null; {@code "/"} counts every request
     */
    public long requestCount(String prefix) {
        Objects.requireNonNull(prefix, "prefix must not be null");
        long total = 0;
        for (Map.Entry<String, AtomicLong> e : requestCounts.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                total += e.getValue().get();
            }
        }
        return total;
    }

    /**
     * The requests being handled at this moment, as {@code METHOD /path}, oldest first; empty when none. A request
     * counts from its arrival (before faults delay it) until its handler has answered.
     */
    public List<String> inFlightRequests() {
        return new TreeMap<>(inFlight).values().stream().toList();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        long id = requestIds.incrementAndGet();
        inFlight.put(id, exchange.getRequestMethod() + " " + path);
        requestCounts.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
        try {
            HttpHandler handler = null;
            String best = "";
            for (Map.Entry<String, HttpHandler> e : handlers.entrySet()) {
                if (path.startsWith(e.getKey()) && e.getKey().length() > best.length()) {
                    best = e.getKey();
                    handler = e.getValue();
                }
            }
            if (handler == null) {
                HttpJson.send(exchange, 404, HttpJson.error("404", "Not found: " + path));
                return;
            }
            faults.awaitRelease(path);
            Faults.Decision decision = faults.decide(exchange.getRequestMethod(), path);
            if (!decision.delay().isZero()) {
                Thread.sleep(decision.delay().toMillis());
            }
            switch (decision.action()) {
                case FAIL_503:
                    exchange.getRequestBody().readAllBytes();
                    HttpJson.send(exchange, 503, HttpJson.error("503", "Service Unavailable (injected by the emulator)"));
                    return;
                case DROP_RESPONSE:
                    Discarding discarding = new Discarding(exchange);
                    try {
                        handler.handle(discarding);
                    } finally {
                        exchange.close(); // no response headers were sent: the connection is closed without an answer
                    }
                    return;
                default:
                    handler.handle(exchange);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        } catch (RuntimeException | IOException e) {
            LOG.warn("emulator handler failed for {} {}", exchange.getRequestMethod(), path, e);
            try {
                HttpJson.send(exchange, 500, HttpJson.error("500", "emulator internal error: " + e));
            } catch (IOException | RuntimeException ignored) {
                exchange.close();
            }
        } finally {
            inFlight.remove(id);
        }
    }

    /** Stops the server at once. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An exchange whose response goes nowhere: the handler does its work, the client never hears of it. */
    private static final class Discarding extends HttpExchange {
        private final HttpExchange delegate;
        private final Headers responseHeaders = new Headers();
        private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        private int code = -1;

        Discarding(HttpExchange delegate) {
            this.delegate = delegate;
        }

        @Override
        public Headers getRequestHeaders() {
            return delegate.getRequestHeaders();
        }

        @Override
        public Headers getResponseHeaders() {
            return responseHeaders;
        }

        @Override
        public URI getRequestURI() {
            return delegate.getRequestURI();
        }

        @Override
        public String getRequestMethod() {
            return delegate.getRequestMethod();
        }

        @Override
        public HttpContext getHttpContext() {
            return delegate.getHttpContext();
        }

        @Override
        public void close() {
        }

        @Override
        public InputStream getRequestBody() {
            return delegate.getRequestBody();
        }

        @Override
        public OutputStream getResponseBody() {
            return sink;
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) {
            this.code = rCode;
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return delegate.getRemoteAddress();
        }

        @Override
        public int getResponseCode() {
            return code;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return delegate.getLocalAddress();
        }

        @Override
        public String getProtocol() {
            return delegate.getProtocol();
        }

        @Override
        public Object getAttribute(String name) {
            return delegate.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            delegate.setAttribute(name, value);
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return delegate.getPrincipal();
        }
    }
}
