package io.ksbridge.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small forwarding HTTP proxy on loopback for {@code http://} targets (no CONNECT): it records every request it
 * forwards, optionally demands Basic credentials (answering 407 with a challenge), strips the proxy headers and
 * forwards the rest with a direct client.
 */
final class TestProxy implements AutoCloseable {
    /** One forwarded request: its method, the absolute URI the client asked the proxy for, and its headers. */
    record Forwarded(String method, URI uri, Map<String, List<String>> headers) {
    }

    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "proxy-authorization",
            "proxy-connection", "upgrade", "http2-settings", "expect", "keep-alive", "transfer-encoding", "te");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY).build();
    private final String expectedAuthorization;
    final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();
    final AtomicInteger challenged = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();

    private TestProxy(String user, String password) throws IOException {
        this.expectedAuthorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static TestProxy open() throws IOException {
        return new TestProxy(null, null);
    }

    static TestProxy withCredentials(String user, String password) throws IOException {
        return new TestProxy(user, password);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            URI target = ex.getRequestURI();
            if (target.getScheme() == null) {
                reply(ex, 400, "not a proxy request (origin-form URI " + target + ")");
                return;
            }
            if (expectedAuthorization != null) {
                String given = ex.getRequestHeaders().getFirst("Proxy-Authorization");
                if (given == null || !given.equals(expectedAuthorization)) {
                    if (given == null) {
                        challenged.incrementAndGet();
                    } else {
                        refused.incrementAndGet();
                    }
                    ex.getResponseHeaders().set("Proxy-Authenticate", "Basic realm=\"ksbridge-test\"");
                    reply(ex, 407, "proxy credentials required");
                    return;
                }
            }
            forwarded.add(new Forwarded(ex.getRequestMethod(), target, Map.copyOf(ex.getRequestHeaders())));
            HttpRequest.Builder out = HttpRequest.newBuilder(target).method(ex.getRequestMethod(),
                    body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> out.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = direct.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(ex, 502, "interrupted");
                return;
            } catch (IOException e) {
                reply(ex, 502, "cannot reach " + target + ": " + e);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                String n = name.toLowerCase(Locale.ROOT);
                if (!n.equals("content-length") && !n.equals("transfer-encoding") && !n.equals("connection")
                        && !n.startsWith(":")) {
                    values.forEach(v -> ex.getResponseHeaders().add(name, v));
                }
            });
            byte[] answer = response.body();
            ex.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(answer);
                }
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
