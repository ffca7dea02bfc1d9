package io.ksbridge.format.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;

/**
 * A small, cached client for a schema registry speaking Confluent's REST API: schemas by global id
 * ({@code GET /schemas/ids/{id}}) and by subject and version ({@code GET /subjects/{subject}/versions/{version}}).
 * Schemas under an id never change, so they are cached (least recently used first out, {@link Builder#cacheSize}
 * entries) and each is fetched once even when several threads ask at the same time.
 *
 * <p>Failures are classified for the bridge:
 * <ul>
 *   <li>the registry answers 404 with Confluent's "not found" error codes (40401, 40402, 40403): an
 *       {@link UnknownSchemaException}; a record naming such an id is a bad record and follows the
 *       {@code ErrorPolicy};</li>
 *   <li>a misconfiguration that will not heal by itself (HTTP 401/403: the credentials; a 404 that is not from a
 *       registry: the URL): an {@link IngestException} with {@code isRetriable()} false, which stops the bridge
 *       with that message rather than dead-lettering every record;</li>
 *   <li>everything else that is not the record's fault (connection refused, timeout, HTTP 5xx or 429, an answer
 *       that is not a schema): an {@link IngestException} with {@code isRetriable()} true, so the bridge retries
 *       the record with backoff and never skips it.</li>
 * </ul>
 *
 * <p>Thread-safe. Messages and {@link #toString()} never contain credentials.
 */
public final class SchemaRegistryClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI baseUrl;
    private final String authorization;
    private final String authKind;
    private final Duration requestTimeout;
    private final int cacheSize;
    private final HttpClient http;
    private final Map<String, RegistrySchema> cache;
    private final ConcurrentHashMap<String, CompletableFuture<RegistrySchema>> inFlight = new ConcurrentHashMap<>();

    private SchemaRegistryClient(Builder b) {
        String url = b.url.endsWith("/") ? b.url.substring(0, b.url.length() - 1) : b.url;
        this.baseUrl = URI.create(url);
        if (b.basicUser != null) {
            String pair = b.basicUser + ":" + b.basicPassword.reveal();
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
            this.authKind = "basic(" + b.basicUser + ")";
        } else if (b.bearerToken != null) {
            this.authorization = "Bearer " + b.bearerToken.reveal();
            this.authKind = "bearer";
        } else {
            this.authorization = null;
            this.authKind = "none";
        }
        this.requestTimeout = b.requestTimeout;
        this.cacheSize = b.cacheSize;
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (b.sslContext != null) {
            hb.sslContext(b.sslContext);
        }
        this.http = hb.build();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RegistrySchema> eldest) {
                return size() > cacheSize;
            }
        };
    }

    /**
     * A client with default settings for the registry at {@code url}.
     *
     * @param url the registry's base URL, for example {@code http://registry:8081}; never null
     * @return the client, never null
     * @throws BridgeConfigException if the URL is not an absolute http or https URL
     */
    public static SchemaRegistryClient of(String url) {
        return builder().url(url).build();
    }

    /** A builder with every setting at its default; {@link Builder#url} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The schema with global id {@code id}, from the cache or the registry.
     *
     * @param id the schema id from a record's wire-format header
     * @return the schema, never null
     * @throws UnknownSchemaException if the registry has no schema with this id
     * @throws IngestException        (retriable) if the registry cannot be reached or fails; see the class comment
     */
    public RegistrySchema schemaById(int id) {
        return schemaById(id, null);
    }

    /**
     * The schema with global id {@code id} in a given representation ({@code ?format=} of the REST API, for example
     * {@code serialized} for a Protobuf schema as a base64 {@code FileDescriptorProto}), from the cache or the registry.
     *
     * @param id     the schema id
     * @param format the representation to ask for, or null for the registry's default
     * @return the schema, never null
     * @throws UnknownSchemaException if the registry has no schema with this id
     * @throws IngestException        (retriable) if the registry cannot be reached or fails
     */
    public RegistrySchema schemaById(int id, String format) {
        String path = "/schemas/ids/" + id + query(format);
        return cached(path, id);
    }

    /**
     * The schema registered as {@code version} of {@code subject} (how references are resolved), from the cache or
     * the registry.
     *
     * @param subject the subject, never null
     * @param version the version, &ge; 1
     * @param format  the representation to ask for, or null for the registry's default
     * @return the schema, never null; its id is the registry's id for it
     * @throws UnknownSchemaException if the subject or version does not exist
     * @throws IngestException        (retriable) if the registry cannot be reached or fails
     */
    public RegistrySchema schemaBySubjectVersion(String subject, int version, String format) {
        Objects.requireNonNull(subject, "subject must not be null");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20")
                + "/versions/" + version + query(format);
        return cached(path, -1);
    }

    private static String query(String format) {
        return format == null ? "" : "?format=" + URLEncoder.encode(format, StandardCharsets.UTF_8);
    }

    private RegistrySchema cached(String path, int id) {
        synchronized (cache) {
            RegistrySchema hit = cache.get(path);
            if (hit != null) {
                return hit;
            }
        }
        CompletableFuture<RegistrySchema> mine = new CompletableFuture<>();
        CompletableFuture<RegistrySchema> running = inFlight.putIfAbsent(path, mine);
        if (running != null) {
            return join(running);
        }
        try {
            RegistrySchema schema = fetch(path, id);
            synchronized (cache) {
                cache.put(path, schema);
            }
            mine.complete(schema);
            return schema;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(path, mine);
        }
    }

    private static RegistrySchema join(CompletableFuture<RegistrySchema> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while waiting for the schema registry", true, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IngestException("schema registry lookup failed: " + e.getCause(), true, e.getCause());
        }
    }

    private RegistrySchema fetch(String path, int id) {
        URI uri = URI.create(baseUrl + path);
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET()
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        if (authorization != null) {
            rb.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new IngestException("schema registry at " + baseUrl + " did not accept a connection within the "
                    + "connect timeout (GET " + path + ")", true, e);
        } catch (HttpTimeoutException e) {
            throw new IngestException("schema registry at " + baseUrl + " did not answer GET " + path + " within "
                    + requestTimeout.toMillis() + " ms (requestTimeout)", true, e);
        } catch (IOException e) {
            throw new IngestException("schema registry at " + baseUrl + " cannot be reached (GET " + path + "): "
                    + e, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while calling the schema registry (GET " + path + ")", true, e);
        }
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (status == 200) {
            return parse(path, id, body);
        }
        int errorCode = errorCode(body);
        if (status == 404 && (errorCode == 40401 || errorCode == 40402 || errorCode == 40403)) {
            String what = id >= 0 ? "schema id " + id : "GET " + path;
            throw new UnknownSchemaException(id, "the schema registry at " + baseUrl + " does not know " + what
                    + " (HTTP 404, error code " + errorCode + ")");
        }
        String detail = "GET " + path + " returned HTTP " + status + errorSuffix(errorCode, body);
        if (status == 401 || status == 403) {
            throw new IngestException("schema registry at " + baseUrl + " refused the credentials (" + detail
                    + "): check basicAuth or bearerToken", false);
        }
        if (status == 404) {
            throw new IngestException("schema registry at " + baseUrl + ": " + detail + " without a registry "
                    + "error code: check that url is the registry's base URL", false);
        }
        throw new IngestException("schema registry at " + baseUrl + " failed: " + detail, true);
    }

    private static int errorCode(String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            return n != null && n.path("error_code").isInt() ? n.get("error_code").asInt() : -1;
        } catch (IOException | RuntimeException notJson) {
            return -1;
        }
    }

    private static String errorSuffix(int errorCode, String body) {
        String msg = null;
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n != null && n.path("message").isTextual()) {
                msg = n.get("message").asText();
            }
        } catch (IOException | RuntimeException notJson) {
            // not a registry error body
        }
        if (msg == null) {
            return errorCode > 0 ? " (error code " + errorCode + ")" : "";
        }
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "...";
        }
        return " (error code " + errorCode + ": " + msg + ")";
    }

    private RegistrySchema parse(String path, int id, String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            JsonNode schema = n == null ? null : n.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw new IOException("no \"schema\" string in the answer");
            }
            String type = n.path("schemaType").isTextual() ? n.get("schemaType").asText() : "AVRO";
            List<SchemaReference> refs = new ArrayList<>();
            for (JsonNode r : n.path("references")) {
                refs.add(new SchemaReference(r.path("name").asText(), r.path("subject").asText(),
                        r.path("version").asInt()));
            }
            int theId = id >= 0 ? id : n.path("id").asInt(-1);
            return new RegistrySchema(theId, type, schema.asText(), refs);
        } catch (IOException e) {
            throw new IngestException("schema registry at " + baseUrl + " answered GET " + path
                    + " with something that is not a schema: " + e.getMessage(), true, e);
        }
    }

    /** {@code url}, or {@code [hidden]} when it carries credentials (which {@link Builder#build()} refuses). */
    static String printable(String url) {
        try {
            return URI.create(url).getRawUserInfo() == null ? url : "[hidden]";
        } catch (IllegalArgumentException notAUri) {
            return url.indexOf('@') < 0 ? url : "[hidden]";
        }
    }

    /** The registry's base URL, never null. */
    public URI url() {
        return baseUrl;
    }

    /** The settings, with no credentials: for example {@code SchemaRegistryClient[url=..., auth=basic(user), ...]}. */
    @Override
    public String toString() {
        return "SchemaRegistryClient[url=" + baseUrl + ", auth=" + authKind + ", requestTimeout=" + requestTimeout
                + ", cacheSize=" + cacheSize + "]";
    }

    /**
     * Builds a {@link SchemaRegistryClient}. Each setter checks its value at once; {@link #build()} checks the
     * combination and reports every problem in one {@link BridgeConfigException}. Mutable, not thread-safe; may build
     * several clients.
     */
    public static final class Builder {
        private String url;
        private String basicUser;
        private Secret basicPassword;
        private Secret bearerToken;
        private SSLContext sslContext;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int cacheSize = 1000;

        private Builder() {
        }

        /**
         * The registry's base URL, for example {@code https://registry.example.com:8081} or
         * {@code https://host/path-prefix}. Required. Must be an absolute {@code http} or {@code https} URL.
         */
        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url must not be null");
            return this;
        }

        /**
         * HTTP basic authentication (Confluent Cloud: API key and secret). Default: none. Cannot be combined with
         * {@link #bearerToken}.
         *
         * @param user     the user or API key, never null or empty
         * @param password the password or API secret, never null
         */
        public Builder basicAuth(String user, Secret password) {
            Objects.requireNonNull(user, "basicAuth user must not be null");
            Objects.requireNonNull(password, "basicAuth password must not be null");
            if (user.isEmpty()) {
                throw new IllegalArgumentException("basicAuth user must not be empty");
            }
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("basicAuth user must not contain ':'");
            }
            this.basicUser = user;
            this.basicPassword = password;
            return this;
        }

        /** A bearer token sent as {@code Authorization: Bearer ...}. Default: none. Cannot be combined with basicAuth. */
        public Builder bearerToken(Secret token) {
            this.bearerToken = Objects.requireNonNull(token, "bearerToken must not be null");
            return this;
        }

        /**
         * The TLS context for an {@code https} registry (a private CA, client certificates). Default: the JVM's
         * default context. Only meaningful with an {@code https} URL.
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext must not be null");
            return this;
        }

        /** How long one request may take, from sending to the end of the answer. Default 10 s; must be > 0. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** How long opening a connection may take. Default 5 s; must be > 0. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** How many schemas are kept (least recently used leave first). Default 1000; must be > 0. */
        public Builder cacheSize(int entries) {
            if (entries <= 0) {
                throw new IllegalArgumentException("cacheSize must be > 0, was " + entries);
            }
            this.cacheSize = entries;
            return this;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + d);
            }
            return d;
        }

        /**
         * The client.
         *
         * @return a new client, never null
         * @throws BridgeConfigException listing every problem: no url, a url that is not absolute http(s),
         *                               both basicAuth and bearerToken, an sslContext with an http url
         */
        public SchemaRegistryClient build() {
            List<BridgeConfigException.Problem> problems = new ArrayList<>();
            URI uri = null;
            if (url == null) {
                problems.add(new BridgeConfigException.Problem("url", null, "the schema registry URL is required"));
            } else {
                try {
                    uri = URI.create(url);
                } catch (IllegalArgumentException e) {
                    problems.add(new BridgeConfigException.Problem("url", url, "not a URL: " + e.getMessage()));
                }
                if (uri != null && (uri.getScheme() == null || uri.getHost() == null
                        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")))) {
                    problems.add(new BridgeConfigException.Problem("url", url,
                            "must be an absolute http or https URL, for example http://localhost:8081"));
                    uri = null;
                }
                if (uri != null && uri.getRawUserInfo() != null) {
                    problems.add(new BridgeConfigException.Problem("url", "[hidden]",
                            "must not carry credentials: use basicAuth(user, Secret) instead"));
                    uri = null;
                }
                if (uri != null && (uri.getQuery() != null || uri.getFragment() != null)) {
                    problems.add(new BridgeConfigException.Problem("url", url,
                            "must be the registry's base URL, without a query or fragment"));
                }
            }
            if (basicUser != null && bearerToken != null) {
                problems.add(new BridgeConfigException.Problem("basicAuth", "basic(" + basicUser + ")",
                        "basicAuth and bearerToken cannot both be set: choose one"));
            }
            if (sslContext != null && uri != null && uri.getScheme().equals("http")) {
                problems.add(new BridgeConfigException.Problem("sslContext", "set",
                        "sslContext is set but url " + url + " is plain http: use an https url or drop sslContext"));
            }
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new SchemaRegistryClient(this);
        }

        @Override
        public String toString() {
            return "SchemaRegistryClient.Builder[url=" + (url == null ? null : printable(url)) + ", auth="
                    + (basicUser != null ? "basic(" + basicUser + ")" : bearerToken != null ? "bearer" : "none")
                    + ", requestTimeout=" + requestTimeout + ", cacheSize=" + cacheSize + "]";
        }
    }
}
