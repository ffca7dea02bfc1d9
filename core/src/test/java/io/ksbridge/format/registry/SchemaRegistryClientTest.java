package io.ksbridge.format.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {

    /** A scripted answer: status and body for a request path. */
    private record Answer(int status, String body, long delayMillis) {
    }

    private HttpServer server;
    private String url;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile Function<String, Answer> script = p -> new Answer(404, "", 0);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().toString();
            paths.add(path);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            Answer a = script.apply(path);
            if (a.delayMillis > 0) {
                try {
                    Thread.sleep(a.delayMillis); // the point: a registry that answers slowly (request timeouts)
                } catch (InterruptedException e) {
                    return;
                }
            }
            byte[] body = a.body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static Answer ok(String body) {
        return new Answer(200, body, 0);
    }

    @Test
    void schemaById_avroWithoutType_parsedAndTypeDefaultsToAvro() {
        script = p -> ok("{\"schema\":\"\\\"string\\\"\"}");

        RegistrySchema s = SchemaRegistryClient.of(url).schemaById(7);

        assertEquals(new RegistrySchema(7, "AVRO", "\"string\"", List.of()), s);
        assertEquals(List.of("/schemas/ids/7"), paths);
    }

    @Test
    void schemaById_protobufWithReferencesAndFormat_parsed() {
        script = p -> ok("{\"schemaType\":\"PROTOBUF\",\"schema\":\"CgFh\",\"references\":[{\"name\":\"dep.proto\","
                + "\"subject\":\"dep\",\"version\":2}]}");

        RegistrySchema s = SchemaRegistryClient.of(url).schemaById(3, "serialized");

        assertEquals(new RegistrySchema(3, "PROTOBUF", "CgFh", List.of(new SchemaReference("dep.proto", "dep", 2))), s);
        assertEquals(List.of("/schemas/ids/3?format=serialized"), paths);
    }

    @Test
    void schemaBySubjectVersion_subjectEncoded_idFromAnswer() {
        script = p -> ok("{\"subject\":\"a b/c\",\"version\":1,\"id\":12,\"schema\":\"\\\"int\\\"\"}");

        RegistrySchema s = SchemaRegistryClient.of(url).schemaBySubjectVersion("a b/c", 1, null);

        assertEquals(12, s.id());
        assertEquals(List.of("/subjects/a%20b%2Fc/versions/1"), paths);
    }

    @Test
    void repeatedLookups_servedFromCache() {
        script = p -> ok("{\"schema\":\"\\\"string\\\"\"}");
        SchemaRegistryClient client = SchemaRegistryClient.of(url);

        RegistrySchema first = client.schemaById(1);
        for (int i = 0; i < 50; i++) {
            assertSame(first, client.schemaById(1));
        }
        client.schemaById(2);

        assertEquals(List.of("/schemas/ids/1", "/schemas/ids/2"), paths);
    }

    @Test
    void cacheSize_leastRecentlyUsedEvicted() {
        script = p -> ok("{\"schema\":\"\\\"string\\\"\"}");
        SchemaRegistryClient client = SchemaRegistryClient.builder().url(url).cacheSize(2).build();

        client.schemaById(1);
        client.schemaById(2);
        client.schemaById(1); // 2 is now the eldest
        client.schemaById(3); // evicts 2
        client.schemaById(1);
        client.schemaById(2);

        assertEquals(List.of("/schemas/ids/1", "/schemas/ids/2", "/schemas/ids/3", "/schemas/ids/2"), paths);
    }

    @Test
    void concurrentLookupsOfOneId_oneRequest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        script = p -> {
            calls.incrementAndGet();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok("{\"schema\":\"\\\"long\\\"\"}");
        };
        SchemaRegistryClient client = SchemaRegistryClient.of(url);
        List<Thread> lookers = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "lookup-" + lookers.size());
            lookers.add(t);
            return t;
        });
        try {
            List<Future<RegistrySchema>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> client.schemaById(9)));
            }
            // the answer is held until all four lookups are inside the client, waiting: one on the request, three on it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!allWaitingInTheClient(lookers)) {
                assertTrue(System.nanoTime() < deadline, "the four lookups never all waited in the client");
                Thread.onSpinWait();
            }
            release.countDown();
            for (Future<RegistrySchema> f : results) {
                assertEquals("\"long\"", f.get(5, TimeUnit.SECONDS).schema());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, calls.get());
    }

    /** Whether each thread is blocked (waiting, not running) inside a SchemaRegistryClient call. */
    private static boolean allWaitingInTheClient(List<Thread> threads) {
        if (threads.size() < 4) {
            return false;
        }
        for (Thread t : threads) {
            Thread.State state = t.getState();
            boolean inClient = java.util.Arrays.stream(t.getStackTrace())
                    .anyMatch(f -> f.getClassName().equals(SchemaRegistryClient.class.getName()));
            if (!inClient || (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING
                    && state != Thread.State.BLOCKED)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void basicAuth_headerSent_secretNotInToString() {
        script = p -> ok("{\"schema\":\"\\\"string\\\"\"}");
        SchemaRegistryClient client = SchemaRegistryClient.builder().url(url)
                .basicAuth("api-key", Secret.of("api-secret")).build();

        client.schemaById(1);

        assertEquals(List.of("Basic YXBpLWtleTphcGktc2VjcmV0"), authorizations); // base64("api-key:api-secret")
        assertEquals("SchemaRegistryClient[url=" + url + ", auth=basic(api-key), requestTimeout=PT10S, "
                + "cacheSize=1000]", client.toString());
    }

    @Test
    void bearerToken_headerSent() {
        script = p -> ok("{\"schema\":\"\\\"string\\\"\"}");

        SchemaRegistryClient.builder().url(url).bearerToken(Secret.of("tok-123")).build().schemaById(1);

        assertEquals(List.of("Bearer tok-123"), authorizations);
    }

    @Test
    void noAuth_noHeader() {
        script = p -> ok("{\"schema\":\"\\\"string\\\"\"}");

        SchemaRegistryClient.of(url).schemaById(1);

        assertEquals(List.of("null"), authorizations);
    }

    @Test
    void notFound40403_unknownSchemaNotCached() {
        script = p -> new Answer(404, "{\"error_code\":40403,\"message\":\"Schema 5 not found\"}", 0);
        SchemaRegistryClient client = SchemaRegistryClient.of(url);

        UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> client.schemaById(5));
        assertThrows(UnknownSchemaException.class, () -> client.schemaById(5));

        assertEquals("the schema registry at " + url + " does not know schema id 5 (HTTP 404, error code 40403)",
                e.getMessage());
        assertEquals(2, paths.size());
    }

    @Test
    void notFoundWithoutRegistryCode_notRetriableWrongUrl() {
        script = p -> new Answer(404, "<html>nope</html>", 0);

        IngestException e = assertThrows(IngestException.class, () -> SchemaRegistryClient.of(url).schemaById(5));

        assertFalse(e.isRetriable());
        assertEquals("schema registry at " + url + ": GET /schemas/ids/5 returned HTTP 404 without a registry "
                + "error code: check that url is the registry's base URL", e.getMessage());
    }

    @Test
    void serverError500_retriableWithRegistryMessage() {
        script = p -> new Answer(500, "{\"error_code\":50001,\"message\":\"store down\"}", 0);

        IngestException e = assertThrows(IngestException.class, () -> SchemaRegistryClient.of(url).schemaById(5));

        assertTrue(e.isRetriable());
        assertEquals("schema registry at " + url + " failed: GET /schemas/ids/5 returned HTTP 500 (error code 50001: "
                + "store down)", e.getMessage());
    }

    @Test
    void serverErrorThenRecovery_failureNotCached() {
        AtomicInteger n = new AtomicInteger();
        script = p -> n.getAndIncrement() == 0 ? new Answer(503, "", 0) : ok("{\"schema\":\"\\\"int\\\"\"}");
        SchemaRegistryClient client = SchemaRegistryClient.of(url);

        assertThrows(IngestException.class, () -> client.schemaById(1));
        assertEquals("\"int\"", client.schemaById(1).schema());
    }

    @Test
    void unauthorized401_notRetriableNamesCredentialsWithoutSecret() {
        script = p -> new Answer(401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}", 0);

        IngestException e = assertThrows(IngestException.class, () -> SchemaRegistryClient.builder().url(url)
                .basicAuth("u", Secret.of("very-secret")).build().schemaById(1));

        assertFalse(e.isRetriable());
        assertEquals("schema registry at " + url + " refused the credentials (GET /schemas/ids/1 returned HTTP 401 "
                + "(error code 40101: Unauthorized)): check basicAuth or bearerToken", e.getMessage());
        assertFalse(e.getMessage().contains("very-secret"));
    }

    @Test
    void slowAnswer_timeoutRetriable() {
        script = p -> new Answer(200, "{\"schema\":\"\\\"int\\\"\"}", 3_000);
        SchemaRegistryClient client = SchemaRegistryClient.builder().url(url)
                .requestTimeout(Duration.ofMillis(200)).build();

        long start = System.nanoTime();
        IngestException e = assertThrows(IngestException.class, () -> client.schemaById(1));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(e.isRetriable());
        assertEquals("schema registry at " + url + " did not answer GET /schemas/ids/1 within 200 ms (requestTimeout)",
                e.getMessage());
        assertTrue(tookMillis < 2_500, "gave up after " + tookMillis + " ms");
    }

    @Test
    void nothingListening_retriable() {
        server.stop(0);

        IngestException e = assertThrows(IngestException.class, () -> SchemaRegistryClient.of(url).schemaById(1));

        assertTrue(e.isRetriable());
        assertTrue(e.getMessage().startsWith("schema registry at " + url + " cannot be reached (GET /schemas/ids/1)"),
                e.getMessage());
    }

    @Test
    void answerWithoutSchema_retriable() {
        script = p -> ok("{\"id\":1}");

        IngestException e = assertThrows(IngestException.class, () -> SchemaRegistryClient.of(url).schemaById(1));

        assertTrue(e.isRetriable());
        assertEquals("schema registry at " + url + " answered GET /schemas/ids/1 with something that is not a schema: "
                + "no \"schema\" string in the answer", e.getMessage());
    }

    @Test
    void builder_everyProblemListed() throws Exception {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> SchemaRegistryClient.builder()
                .url("http://localhost:8081").basicAuth("u", Secret.of("p")).bearerToken(Secret.of("t"))
                .sslContext(SSLContext.getDefault()).build());

        assertEquals("2 configuration problems:\n"
                + "  - Invalid value basic(u) for setting basicAuth: basicAuth and bearerToken cannot both be set: "
                + "choose one\n"
                + "  - Invalid value set for setting sslContext: sslContext is set but url http://localhost:8081 is "
                + "plain http: use an https url or drop sslContext", e.getMessage());
    }

    @Test
    void builder_missingOrBadUrl_named() {
        assertEquals("Invalid value null for setting url: the schema registry URL is required",
                assertThrows(BridgeConfigException.class, () -> SchemaRegistryClient.builder().build()).getMessage());
        assertEquals("Invalid value ftp://x for setting url: must be an absolute http or https URL, for example "
                + "http://localhost:8081",
                assertThrows(BridgeConfigException.class, () -> SchemaRegistryClient.of("ftp://x")).getMessage());
        BridgeConfigException withCredentials = assertThrows(BridgeConfigException.class,
                () -> SchemaRegistryClient.of("http://user:pw@host:8081"));
        assertEquals("Invalid value [hidden] for setting url: must not carry credentials: use basicAuth(user, Secret) "
                + "instead", withCredentials.getMessage());
        assertEquals("SchemaRegistryClient.Builder[url=[hidden], auth=none, requestTimeout=PT10S, cacheSize=1000]",
                SchemaRegistryClient.builder().url("http://user:pw@host:8081").toString());
    }

    @Test
    void builder_badValues_rejectedAtOnce() {
        assertEquals("requestTimeout must be > 0, was PT0S", assertThrows(IllegalArgumentException.class,
                () -> SchemaRegistryClient.builder().requestTimeout(Duration.ZERO)).getMessage());
        assertEquals("cacheSize must be > 0, was -1", assertThrows(IllegalArgumentException.class,
                () -> SchemaRegistryClient.builder().cacheSize(-1)).getMessage());
        assertEquals("basicAuth user must not contain ':'", assertThrows(IllegalArgumentException.class,
                () -> SchemaRegistryClient.builder().basicAuth("a:b", Secret.of("p"))).getMessage());
    }
}
