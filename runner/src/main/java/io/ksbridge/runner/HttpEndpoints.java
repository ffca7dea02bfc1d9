package io.ksbridge.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /health} (JSON; 200 while running, 503 otherwise) and {@code GET /metrics} (Prometheus text) on the
 * JDK's HTTP server, one daemon thread. Neither shows a secret: health carries the state, counts and the failure's
 * message, which never contains one.
 */
final class HttpEndpoints implements AutoCloseable {
    /** What /health answers: the HTTP status and the JSON body. */
    record Health(int status, String json) {
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoints(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static HttpEndpoints start(String host, int port, Supplier<Health> health, MeterRegistry registry) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ksbridge-runner-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", ex -> {
            Health h = health.get();
            respond(ex, h.status(), "application/json", h.json());
        });
        server.createContext("/metrics", ex -> respond(ex, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(registry)));
        server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8", "try /health or /metrics\n"));
        server.start();
        return new HttpEndpoints(server, executor);
    }

    /** The port bound (the one picked, when 0 was asked for). */
    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
