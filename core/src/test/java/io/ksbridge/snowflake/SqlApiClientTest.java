package io.ksbridge.snowflake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ksbridge.RetryPolicy;
import io.ksbridge.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SQL API client against a scripted local server: what it sends, how it retries, polls and fails. */
class SqlApiClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final Queue<String[]> script = new ConcurrentLinkedQueue<>(); // {status, body}
    private final Queue<String> requests = new ConcurrentLinkedQueue<>();
    private final Queue<JsonNode> bodies = new ConcurrentLinkedQueue<>();
    private final Queue<String> tokens = new ConcurrentLinkedQueue<>();
    private SqlApiClient client;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        SnowflakeAccount account = SnowflakeAccount.builder().url("http://127.0.0.1:" + server.getAddress().getPort()).allowInsecureHttp()
                .user("u").role("R").warehouse("WH").privateKey(Secret.of(PemKeys.toPem(g.generateKeyPair().getPrivate()))).build();
        client = SqlApiClient.builder(account).retry(RetryPolicy.exponential(Duration.ofMillis(5), Duration.ofMillis(20))
                .withMaxAttempts(4)).build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        byte[] in = ex.getRequestBody().readAllBytes();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " auth=" + (auth.startsWith("Bearer ey")
                || auth.startsWith("Bearer oauth-")) + " type=" + ex.getRequestHeaders().getFirst(
                "X-Snowflake-Authorization-Token-Type"));
        tokens.add(auth);
        if (in.length > 0) {
            bodies.add(JSON.readTree(in));
        }
        String[] next = script.poll();
        byte[] out = next[1].getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(Integer.parseInt(next[0]), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private static String ok(String handle, String rows) {
        return "{\"resultSetMetaData\":{\"numRows\":1,\"rowType\":[{\"name\":\"name\"},{\"name\":\"size\"}],"
                + "\"partitionInfo\":[{\"rowCount\":1}]},\"data\":" + rows + ",\"statementHandle\":\"" + handle + "\","
                + "\"message\":\"Statement executed successfully.\"}";
    }

    @Test
    void execute_200_sendsContextAndReturnsRows() {
        script.add(new String[] {"200", ok("h1", "[[\"s/a.gz\",\"10\"],[\"s/b.gz\",null]]")});
        SqlResult r = client.execute("LIST @S", "DB", "SC");
        assertEquals(List.of("name", "size"), r.columns());
        assertEquals("10", r.get(0, "SIZE"));
        assertEquals(null, r.get(1, "size"));
        JsonNode body = bodies.poll();
        assertEquals("LIST @S", body.get("statement").asText());
        assertEquals("DB", body.get("database").asText());
        assertEquals("SC", body.get("schema").asText());
        assertEquals("WH", body.get("warehouse").asText());
        assertEquals("R", body.get("role").asText());
        String request = requests.poll();
        assertTrue(request.matches("POST /api/v2/statements\\?requestId=[0-9a-f-]{36} auth=true type=KEYPAIR_JWT"), request);
    }

    @Test
    void execute_429Then503_retriesWithSameRequestIdAndRetryFlag() {
        script.add(new String[] {"429", "{\"message\":\"throttled\"}"});
        script.add(new String[] {"503", ""});
        script.add(new String[] {"200", ok("h2", "[]")});
        assertEquals(0, client.execute("SELECT 1").rowCount());
        String first = requests.poll();
        String id = first.substring(first.indexOf("requestId=") + 10, first.indexOf("requestId=") + 46);
        assertTrue(requests.poll().contains("requestId=" + id + "&retry=true"));
        assertTrue(requests.poll().contains("requestId=" + id + "&retry=true"));
    }

    @Test
    void execute_202_pollsTheHandleUntilDone() {
        script.add(new String[] {"202", "{\"statementHandle\":\"h3\",\"message\":\"running\"}"});
        script.add(new String[] {"202", "{\"statementHandle\":\"h3\",\"message\":\"running\"}"});
        script.add(new String[] {"200", ok("h3", "[[\"x\",\"1\"]]")});
        assertEquals("x", client.execute("CREATE TABLE T (A INT)").get(0, "name"));
        requests.poll();
        assertTrue(requests.poll().startsWith("GET /api/v2/statements/h3 "));
        assertTrue(requests.poll().startsWith("GET /api/v2/statements/h3 "));
    }

    @Test
    void execute_partitionedResult_fetchesEveryPartition() {
        script.add(new String[] {"200", "{\"resultSetMetaData\":{\"rowType\":[{\"name\":\"name\"}],\"partitionInfo\":[{},{}]},"
                + "\"data\":[[\"a\"]],\"statementHandle\":\"h4\"}"});
        script.add(new String[] {"200", "{\"data\":[[\"b\"]],\"statementHandle\":\"h4\"}"});
        SqlResult r = client.execute("LIST @S");
        assertEquals(List.of(List.of("a"), List.of("b")), r.rows());
        requests.poll();
        assertTrue(requests.poll().startsWith("GET /api/v2/statements/h4?partition=1 "));
    }

    @Test
    void execute_422_isNotRetriedAndCarriesSnowflakesError() {
        script.add(new String[] {"422", "{\"code\":\"002003\",\"sqlState\":\"02000\",\"message\":\"SQL compilation error:\\nTable"
                + " 'T' does not exist or not authorized.\",\"statementHandle\":\"h5\"}"});
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> client.execute("DESCRIBE TABLE T"));
        assertEquals("Snowflake could not run 'DESCRIBE TABLE T': SQL compilation error:\nTable 'T' does not exist or not"
                + " authorized. (HTTP 422, code 002003, SQL state 02000)", e.getMessage());
        assertFalse(e.isRetriable());
        assertEquals("h5", e.statementHandle());
        assertEquals(1, requests.size());
    }

    @Test
    void execute_503Forever_givesUpRetriableAfterThePolicysAttempts() {
        for (int i = 0; i < 4; i++) {
            script.add(new String[] {"503", "{\"message\":\"unavailable\"}"});
        }
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> client.execute("SELECT 1"));
        assertTrue(e.isRetriable());
        assertEquals(503, e.httpStatus());
        assertEquals(4, requests.size());
    }

    @Test
    void execute_403_saysWhichRoleNeedsPrivileges() {
        script.add(new String[] {"403", "{\"code\":\"003001\",\"message\":\"Insufficient privileges\"}"});
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> client.execute("CREATE PIPE P AS COPY INTO T"));
        assertEquals("Snowflake denied 'CREATE PIPE P AS COPY INTO T' to user U with role R: Insufficient privileges (HTTP 403,"
                + " code 003001). Grant the role the privileges it needs, or configure a role that has them.", e.getMessage());
        assertFalse(e.isRetriable());
    }

    private SqlApiClient oauthClient(AccessTokenProvider provider) {
        SnowflakeAccount account = SnowflakeAccount.builder().url("http://127.0.0.1:" + server.getAddress().getPort()).allowInsecureHttp()
                .user("u").role("R").oauth(provider).build();
        return SqlApiClient.builder(account).retry(RetryPolicy.exponential(Duration.ofMillis(5), Duration.ofMillis(20))
                .withMaxAttempts(4)).build();
    }

    /** Tokens oauth-1, oauth-2, ... one per fetch. */
    private static AccessTokenProvider numbered() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return AccessTokenProvider.refreshing(() -> AccessToken.of(Secret.of("oauth-" + n.incrementAndGet())));
    }

    @Test
    void execute_oauthAccount_sendsTheAccessTokenAsOAuthBearer() {
        script.add(new String[] {"200", ok("h6", "[]")});
        oauthClient(AccessTokenProvider.fixed(Secret.of("oauth-fixed"))).execute("SELECT 1");
        assertTrue(requests.poll().endsWith(" auth=true type=OAUTH"));
        assertEquals("Bearer oauth-fixed", tokens.poll());
    }

    @Test
    void execute_401OnOAuthToken_refreshesOnceAndSendsAgain() {
        script.add(new String[] {"401", "{\"code\":\"390318\",\"message\":\"OAuth access token expired.\"}"});
        script.add(new String[] {"200", ok("h7", "[[\"x\",\"1\"]]")});
        assertEquals("x", oauthClient(numbered()).execute("SELECT 1").get(0, "name"));
        assertEquals("Bearer oauth-1", tokens.poll());
        assertEquals("Bearer oauth-2", tokens.poll());
        String first = requests.poll();
        assertFalse(requests.poll().contains("retry=true"), "a refused request did not run: no retry flag");
        assertTrue(first.endsWith("type=OAUTH"), first);
    }

    @Test
    void execute_401Twice_failsFatalWithWhatToCheck_afterOneRefreshOnly() {
        script.add(new String[] {"401", "{\"code\":\"390303\",\"message\":\"Invalid OAuth access token.\"}"});
        script.add(new String[] {"401", "{\"code\":\"390303\",\"message\":\"Invalid OAuth access token.\"}"});
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> oauthClient(numbered()).execute("SELECT 1"));
        assertEquals("Snowflake refused the OAuth access token for user U in account 127: Invalid OAuth access token."
                + " (HTTP 401, code 390303). Check that the token is issued for this account and user (a security"
                + " integration of TYPE = OAUTH or EXTERNAL_OAUTH), that it has not expired or been revoked, and that the"
                + " role is one the token may use.", e.getMessage());
        assertFalse(e.isRetriable());
        assertEquals(2, requests.size());
        assertFalse(e.getMessage().contains("oauth-"), "no token in the message");
    }

    @Test
    void execute_401OnFixedToken_notSentAgainWithTheSameToken() {
        script.add(new String[] {"401", "{\"code\":\"390303\",\"message\":\"Invalid OAuth access token.\"}"});
        assertThrows(SnowflakeSqlException.class,
                () -> oauthClient(AccessTokenProvider.fixed(Secret.of("oauth-fixed"))).execute("SELECT 1"));
        assertEquals(1, requests.size());
    }
}
