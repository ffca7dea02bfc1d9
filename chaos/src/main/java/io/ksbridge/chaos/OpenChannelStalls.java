package io.ksbridge.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.HttpJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stalls the reopen of channels the coordinator invalidated: mounted in front of the emulator's Streaming service on
 * the SDK's open-channel route ({@value #ROUTE}), it lets the first open of an invalidated channel either be answered
 * 503 (the SDK then waits its fixed 3 s before it retries) or hang for a random time between {@code minHang} and
 * {@code maxHang} before the service handles it, each with half of {@code rate}. Other opens pass untouched; the
 * emulator's request faults still apply before this handler.
 *
 * <p>This is the window in which a Streaming backend has a refused batch and later batches queued on the same
 * partition: the reordering of issue 17 needs it. Thread-safe.
 */
final class OpenChannelStalls implements HttpHandler {
    /** The SDK's open-channel endpoint (its {@code Constants.OPEN_CHANNEL_ENDPOINT}). */
    static final String ROUTE = "/v1/streaming/channels/open/";

    private final HttpHandler service;
    private final double rate;
    private final Duration minHang;
    private final Duration maxHang;
    private final Random random;
    private final Set<String> invalidated = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong hung = new AtomicLong();

    private OpenChannelStalls(HttpHandler service, double rate, Duration minHang, Duration maxHang, long seed) {
        this.service = service;
        this.rate = rate;
        this.minHang = minHang;
        this.maxHang = maxHang;
        this.random = new Random(seed);
    }

    /**
     * Mounts the stalls on {@code emulator} in front of {@code service} (the handler mounted at
     * {@code /v1/streaming/}), the longer prefix winning.
     *
     * @param rate fraction (0..1) of invalidated channels' reopens that stall
     * @throws IllegalArgumentException when a value is out of range, naming it
     */
    static OpenChannelStalls mount(SnowflakeEmulator emulator, HttpHandler service, double rate, Duration minHang,
                                   Duration maxHang, long seed) {
        Objects.requireNonNull(service, "service must not be null");
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be between 0 and 1, was " + rate);
        }
        if (minHang.isNegative() || maxHang.compareTo(minHang) < 0) {
            throw new IllegalArgumentException("maxHang must be >= minHang >= 0, were " + minHang + " and " + maxHang);
        }
        OpenChannelStalls stalls = new OpenChannelStalls(service, rate, minHang, maxHang, seed);
        emulator.mount(ROUTE, stalls);
        return stalls;
    }

    /** The coordinator invalidated this channel: its next open may stall. */
    void invalidated(String qualifiedTable, String channel) {
        invalidated.add(key(qualifiedTable, channel));
    }

    /** Reopens answered 503 by this handler. */
    long refusedOpens() {
        return refused.get();
    }

    /** Reopens held before being handled. */
    long hungOpens() {
        return hung.get();
    }

    private static String key(String qualifiedTable, String channel) {
        return (qualifiedTable + "/" + channel).toUpperCase(Locale.ROOT);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String key = null;
        try {
            JsonNode request = HttpJson.MAPPER.readTree(body);
            key = key(request.path("database").asText() + "." + request.path("schema").asText() + "."
                    + request.path("table").asText(), request.path("channel").asText());
        } catch (IOException notJson) {
            // the service answers it
        }
        if (key != null && invalidated.remove(key)) {
            double r;
            long hangMillis;
            synchronized (random) {
                r = random.nextDouble();
                hangMillis = minHang.toMillis() + (long) (random.nextDouble() * (maxHang.toMillis() - minHang.toMillis()));
            }
            if (r < rate / 2) {
                refused.incrementAndGet();
                HttpJson.send(exchange, 503, HttpJson.error("503", "Service Unavailable (open stalled by the chaos run)"));
                return;
            }
            if (r < rate) {
                hung.incrementAndGet();
                try {
                    Thread.sleep(hangMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exchange.close();
                    return;
                }
            }
        }
        service.handle(new Replayed(exchange, body));
    }

    /** The same exchange with its request body read again from a copy. */
    private static final class Replayed extends HttpExchange {
        private final HttpExchange d;
        private final InputStream body;

        Replayed(HttpExchange delegate, byte[] body) {
            this.d = delegate;
            this.body = new ByteArrayInputStream(body);
        }

        @Override
        public Headers getRequestHeaders() {
            return d.getRequestHeaders();
        }

        @Override
        public Headers getResponseHeaders() {
            return d.getResponseHeaders();
        }

        @Override
        public URI getRequestURI() {
            return d.getRequestURI();
        }

        @Override
        public String getRequestMethod() {
            return d.getRequestMethod();
        }

        @Override
        public HttpContext getHttpContext() {
            return d.getHttpContext();
        }

        @Override
        public void close() {
            d.close();
        }

        @Override
        public InputStream getRequestBody() {
            return body;
        }

        @Override
        public OutputStream getResponseBody() {
            return d.getResponseBody();
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            d.sendResponseHeaders(rCode, responseLength);
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return d.getRemoteAddress();
        }

        @Override
        public int getResponseCode() {
            return d.getResponseCode();
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return d.getLocalAddress();
        }

        @Override
        public String getProtocol() {
            return d.getProtocol();
        }

        @Override
        public Object getAttribute(String name) {
            return d.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            d.setAttribute(name, value);
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
            d.setStreams(i, o);
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return d.getPrincipal();
        }
    }
}
