package io.ksbridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small schema registry inside this JVM, speaking the subset of Confluent's REST API that serializers and ksbridge's
 * formats use, on {@code 127.0.0.1} and a free port: for tests, the quickstart and users' own pipeline tests.
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} with {@code {"schema": ..., "schemaType": ..., "references": [...]}}
 *       registers a schema and answers {@code {"id": n}}; the same schema text and type always get the same id, and
 *       registering it again under a subject returns the existing id;</li>
 *   <li>{@code GET /schemas/ids/{id}}, {@code GET /subjects}, {@code GET /subjects/{subject}/versions},
 *       {@code GET /subjects/{subject}/versions/{version|latest}};</li>
 *   <li>unknown ids, subjects and versions answer 404 with Confluent's error codes 40403, 40401 and 40402.</li>
 * </ul>
 *
 * <p>Schemas are stored and returned exactly as registered: this registry does not parse or translate them, and it
 * ignores the {@code format} query parameter. To serve a Protobuf schema "serialized" (a base64
 * {@code FileDescriptorProto}, as a Confluent registry does for {@code ?format=serialized}), register it in that form.
 *
 * <p>Faults for tests: {@link #failWith(int)} (every request answers that HTTP status), {@link #down()} (the port
 * refuses connections) and {@link #up()}, {@link #delay(Duration)} (every answer waits), {@link #requireBasicAuth}.
 *
 * <pre>{@code
 * try (SchemaRegistry registry = SchemaRegistry.start()) {
 *     int id = registry.register("orders-value", "AVRO", schema.toString());
 *     RecordFormat avro = AvroFormat.withSchemaRegistry(registry.url());
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class SchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reference from one schema to another, as in the registry's {@code references} array. */
    public record Reference(String name, String subject, int version) {
        public Reference {
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(subject, "subject must not be null");
        }
    }

    private record Stored(int id, String schemaType, String schema, List<Reference> references) {
    }

    private final Object lock = new Object();
    private final List<Stored> byId = new ArrayList<>();
    private final Map<String, List<Integer>> subjects = new TreeMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final int port;
    private ExecutorService executor;
    private HttpServer server;
    private volatile int failStatus;
    private volatile Duration delay = Duration.ZERO;
    private volatile String requiredAuthorization;
    private boolean stopped;

    private SchemaRegistry(int port) {
        this.port = port;
    }

    /**
     * Starts a registry on {@code 127.0.0.1} and a free port.
     *
     * @return the running registry, never null
     * @throws IllegalStateException if it cannot listen
     */
    public static SchemaRegistry start() {
        HttpServer first;
        try {
            first = bind(0);
        } catch (IOException e) {
            throw new IllegalStateException("schema registry cannot listen on 127.0.0.1: " + e, e);
        }
        SchemaRegistry r = new SchemaRegistry(first.getAddress().getPort());
        r.startServer(first);
        return r;
    }

    private static HttpServer bind(int port) throws IOException {
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    }

    private void startServer(HttpServer bound) {
        synchronized (lock) {
            if (server != null) {
                return;
            }
            server = bound;
            IOException last = null;
            for (int attempt = 0; attempt < 50 && server == null; attempt++) {
                try {
                    server = bind(port);
                    break;
                } catch (IOException e) {
                    last = e; // the port can stay busy for a moment after stop()
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            if (server == null) {
                throw new IllegalStateException("schema registry cannot listen on 127.0.0.1:" + port + ": " + last, last);
            }
            executor = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "schema-registry-" + port);
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }
    }

    /** The base URL, for example {@code http://127.0.0.1:41234}; stays the same across {@link #down()}/{@link #up()}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }


    /**
     * Registers {@code schema} under {@code subject}, as a serializer would.
     *
     * @param subject    for example {@code orders-value}, never null
     * @param schemaType {@code AVRO}, {@code PROTOBUF} or {@code JSON}, never null
     * @param schema     the schema text, stored as given, never null
     * @return the schema's global id (the same for the same type and text)
     */
    public int register(String subject, String schemaType, String schema) {
        return register(subject, schemaType, schema, List.of());
    }

    /** Like {@link #register(String, String, String)}, with references to schemas registered before. */
    public int register(String subject, String schemaType, String schema, List<Reference> references) {
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(schemaType, "schemaType must not be null");
        Objects.requireNonNull(schema, "schema must not be null");
        synchronized (lock) {
            Stored found = null;
            for (Stored s : byId) {
                if (s.schemaType.equals(schemaType) && s.schema.equals(schema) && s.references.equals(references)) {
                    found = s;
                    break;
                }
            }
            if (found == null) {
                found = new Stored(byId.size() + 1, schemaType, schema, List.copyOf(references));
                byId.add(found);
            }
            List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
            if (!versions.contains(found.id)) {
                versions.add(found.id);
            }
            return found.id;
        }
    }

    /** Every request answers HTTP {@code status} (for example 500 or 503) until {@code failWith(0)}. */
    public SchemaRegistry failWith(int status) {
        if (status != 0 && (status < 400 || status > 599)) {
            throw new IllegalArgumentException("status must be 0 or 400..599, was " + status);
        }
        this.failStatus = status;
        return this;
    }

    /** Every answer waits {@code delay} first (to test timeouts). {@link Duration#ZERO} turns it off. */
    public SchemaRegistry delay(Duration delay) {
        this.delay = Objects.requireNonNull(delay, "delay must not be null");
        return this;
    }

    /** Requests without this basic-auth user and password answer 401. */
    public SchemaRegistry requireBasicAuth(String user, String password) {
        String pair = user + ":" + password;
        this.requiredAuthorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Stops listening: connections are refused until {@link #up()}. Registered schemas are kept. */
    public SchemaRegistry down() {
        synchronized (lock) {
            if (server != null) {
                server.stop(0);
                executor.shutdownNow();
                server = null;
            }
        }
        return this;
    }

    /** Listens again on the same port after {@link #down()}. */
    public SchemaRegistry up() {
        synchronized (lock) {
            if (!stopped) {
                startServer(null);
            }
        }
        return this;
    }

    /** How many HTTP requests reached the registry (including failed ones). */
    public long requestCount() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            Duration d = delay;
            if (!d.isZero()) {
                try {
                    Thread.sleep(d.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String auth = requiredAuthorization;
            if (auth != null && !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, error(40101, "Unauthorized"));
                return;
            }
            int fail = failStatus;
            if (fail != 0) {
                send(ex, fail, error(fail * 100 + 1, "injected failure"));
                return;
            }
            route(ex);
        } catch (RuntimeException e) {
            send(ex, 500, error(50001, "internal error: " + e));
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String[] p = ex.getRequestURI().getRawPath().replaceAll("/+$", "").split("/");
        // p[0] is "" (the path starts with '/')
        if (method.equals("GET") && p.length == 4 && p[1].equals("schemas") && p[2].equals("ids")) {
            Stored s = byIdOrNull(p[3]);
            if (s == null) {
                send(ex, 404, error(40403, "Schema " + p[3] + " not found"));
                return;
            }
            send(ex, 200, schemaJson(s, null, 0));
            return;
        }
        if (method.equals("GET") && p.length == 2 && p[1].equals("subjects")) {
            ArrayNode a = JSON.createArrayNode();
            synchronized (lock) {
                subjects.keySet().forEach(a::add);
            }
            send(ex, 200, a);
            return;
        }
        if (p.length >= 4 && p[1].equals("subjects") && p[3].equals("versions")) {
            String subject = URLDecoder.decode(p[2], StandardCharsets.UTF_8);
            if (method.equals("POST") && p.length == 4) {
                JsonNode body;
                try (InputStream in = ex.getRequestBody()) {
                    body = JSON.readTree(in);
                } catch (IOException e) {
                    send(ex, 422, error(42201, "invalid request body: " + e.getMessage()));
                    return;
                }
                if (body == null || !body.path("schema").isTextual()) {
                    send(ex, 422, error(42201, "the body needs a \"schema\" string"));
                    return;
                }
                List<Reference> refs = new ArrayList<>();
                for (JsonNode r : body.path("references")) {
                    refs.add(new Reference(r.path("name").asText(), r.path("subject").asText(), r.path("version").asInt()));
                }
                String type = body.path("schemaType").isTextual() ? body.get("schemaType").asText() : "AVRO";
                int id = register(subject, type, body.get("schema").asText(), refs);
                ObjectNode o = JSON.createObjectNode();
                o.put("id", id);
                send(ex, 200, o);
                return;
            }
            if (method.equals("GET")) {
                List<Integer> versions;
                synchronized (lock) {
                    versions = subjects.containsKey(subject) ? List.copyOf(subjects.get(subject)) : null;
                }
                if (versions == null) {
                    send(ex, 404, error(40401, "Subject '" + subject + "' not found."));
                    return;
                }
                if (p.length == 4) {
                    ArrayNode a = JSON.createArrayNode();
                    for (int i = 1; i <= versions.size(); i++) {
                        a.add(i);
                    }
                    send(ex, 200, a);
                    return;
                }
                if (p.length == 5) {
                    int version;
                    if (p[4].equals("latest") || p[4].equals("-1")) {
                        version = versions.size();
                    } else {
                        try {
                            version = Integer.parseInt(p[4]);
                        } catch (NumberFormatException e) {
                            send(ex, 422, error(42202, "Invalid version " + p[4]));
                            return;
                        }
                    }
                    if (version < 1 || version > versions.size()) {
                        send(ex, 404, error(40402, "Version " + p[4] + " not found."));
                        return;
                    }
                    Stored s = byIdOrNull(String.valueOf(versions.get(version - 1)));
                    send(ex, 200, schemaJson(s, subject, version));
                    return;
                }
            }
        }
        send(ex, 404, error(404, "HTTP 404 Not Found"));
    }

    private Stored byIdOrNull(String text) {
        try {
            int id = Integer.parseInt(text);
            synchronized (lock) {
                return id >= 1 && id <= byId.size() ? byId.get(id - 1) : null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static ObjectNode schemaJson(Stored s, String subject, int version) {
        ObjectNode o = JSON.createObjectNode();
        if (subject != null) {
            o.put("subject", subject);
            o.put("version", version);
            o.put("id", s.id);
        }
        if (!s.schemaType.equals("AVRO")) {
            o.put("schemaType", s.schemaType);
        }
        if (!s.references.isEmpty()) {
            ArrayNode refs = o.putArray("references");
            for (Reference r : s.references) {
                refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
            }
        }
        o.put("schema", s.schema);
        return o;
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error_code", code);
        o.put("message", message);
        return o;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops the registry. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            stopped = true;
        }
        down();
    }

    @Override
    public String toString() {
        return "SchemaRegistry[http://127.0.0.1:" + port + "]";
    }
}
