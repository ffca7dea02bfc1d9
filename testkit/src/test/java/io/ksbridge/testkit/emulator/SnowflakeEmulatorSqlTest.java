package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.RetryPolicy;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KsbridgeTest
class SnowflakeEmulatorSqlTest {
    private static SnowflakeEmulator emulator;
    private static SqlApiClient sql;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        emulator = sharedSnowflake;
        sql = SqlApiClient.builder(emulator.account())
                .retry(RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(50)).withMaxAttempts(5)).build();
    }

    @Test
    void createTable_unquotedLowerCase_resolvesUpperCaseAndDescribes() {
        SqlResult created = sql.execute("create table if not exists orders (record_metadata variant, record_content variant)",
                "db", "public");
        assertEquals("Table ORDERS successfully created.", created.rows().get(0).get(0));
        SqlResult again = sql.execute("CREATE TABLE IF NOT EXISTS DB.PUBLIC.ORDERS (RECORD_METADATA VARIANT)");
        assertEquals("ORDERS already exists, statement succeeded.", again.rows().get(0).get(0));
        SqlResult desc = sql.execute("DESCRIBE TABLE db.public.Orders");
        assertEquals(List.of("RECORD_METADATA", "RECORD_CONTENT"), List.of(desc.get(0, "name"), desc.get(1, "name")));
        assertEquals("Y", desc.get(0, "null?"));
        sql.execute("ALTER TABLE DB.PUBLIC.ORDERS ADD COLUMN IF NOT EXISTS EXTRA NUMBER(38,0)");
        assertEquals(3, emulator.table("db.public.orders").columns().size());
        assertEquals("NUMBER(38,0)", emulator.table("DB.PUBLIC.ORDERS").column("extra").type());
    }

    @Test
    void describe_missingTable_isA422WithSnowflakesCode() {
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> sql.execute("DESC TABLE DB.PUBLIC.NOPE"));
        assertEquals(422, e.httpStatus());
        assertEquals("002003", e.code());
        assertEquals("02000", e.sqlState());
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains("Table 'DB.PUBLIC.NOPE' does not exist or not authorized."), e.getMessage());
    }

    @Test
    void listAndRemove_stageFiles_listedWithStagePrefixAndRemoved() {
        sql.execute("CREATE STAGE IF NOT EXISTS DB.PUBLIC.S1");
        emulator.stages().write("DB.PUBLIC.S1", "t/1/a.json.gz", "x".getBytes(StandardCharsets.UTF_8));
        emulator.stages().write("DB.PUBLIC.S1", "t/2/b.json.gz", "yy".getBytes(StandardCharsets.UTF_8));
        SqlResult list = sql.execute("LIST @DB.PUBLIC.S1/t/1/");
        assertEquals(1, list.rowCount());
        assertEquals("s1/t/1/a.json.gz", list.get(0, "name"));
        assertEquals("1", list.get(0, "size"));
        SqlResult removed = sql.execute("REMOVE @DB.PUBLIC.S1/t/1/a.json.gz");
        assertEquals("s1/t/1/a.json.gz", removed.get(0, "name"));
        assertEquals(List.of("t/2/b.json.gz"), emulator.stageFiles("DB.PUBLIC.S1").stream().map(f -> f.path()).toList());
    }

    @Test
    void execute_after503s_retriesAndSucceeds() {
        emulator.faults().failNext(2);
        SqlResult r = sql.execute("SELECT 1");
        assertEquals("1", r.rows().get(0).get(0));
        assertTrue(emulator.faults().injectedFailures() >= 2);
    }

    @Test
    void execute_droppedResponse_retriedWithSameRequestIdAndRunOnce() {
        sql.execute("CREATE TABLE IF NOT EXISTS DB.PUBLIC.DROPPED (A VARIANT)");
        emulator.faults().dropNext(1);
        SqlResult r = sql.execute("ALTER TABLE DB.PUBLIC.DROPPED ADD COLUMN B VARIANT");
        assertEquals("Statement executed successfully.", r.rows().get(0).get(0));
        assertEquals(2, emulator.table("DB.PUBLIC.DROPPED").columns().size());
    }

    @Test
    void execute_wrongKey_failsWithClearAuthenticationError() {
        SnowflakeAccount wrong = SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                .privateKey(Secret.of(SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate()))).build();
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> SqlApiClient.create(wrong).execute("SELECT 1"));
        assertEquals(401, e.httpStatus());
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().startsWith("Snowflake refused the key-pair JWT of user KSBRIDGE in account 127: JWT token is"
                + " invalid. [signature does not match the user's public key] (HTTP 401, code 390144). Check that the user's"
                + " RSA_PUBLIC_KEY matches"), e.getMessage());
    }

    @Test
    void execute_expiredToken_failsWith401() {
        emulator.clockSkew(Duration.ofHours(2));
        try {
            SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> sql.execute("SELECT 1"));
            assertTrue(e.getMessage().contains("[token expired]"), e.getMessage());
        } finally {
            emulator.clockSkew(Duration.ZERO);
        }
    }

    @Test
    void faults_delayScopedToAPrefix_slowsOnlyThosePaths() {
        emulator.faults().delay(Duration.ofMillis(300)).only("/v1/data/pipes/");
        try {
            long t0 = System.nanoTime();
            sql.execute("SELECT 1");
            assertTrue(System.nanoTime() - t0 < 250_000_000L, "the SQL API is outside the scope");
            emulator.faults().only();
            t0 = System.nanoTime();
            sql.execute("SELECT 1");
            assertTrue(System.nanoTime() - t0 >= 300_000_000L, "every path is slow now");
        } finally {
            emulator.faults().reset();
        }
    }

    @Test
    void mount_extraPrefix_getsItsRequestsWithFaultsAndJwt() throws Exception {
        emulator.mount("/v1/extra/", exchange -> {
            if (emulator.jwt().authenticate(exchange)) {
                HttpJson.send(exchange, 200, HttpJson.MAPPER.createObjectNode().put("ok", true));
            }
        });
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(emulator.url() + "/v1/extra/x"))
                .header("Authorization", "Bearer " + emulator.account().jwt().reveal()).build();
        assertEquals("{\"ok\":true}", http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        emulator.faults().failNext(1);
        assertEquals(503, http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        java.net.http.HttpRequest anonymous = java.net.http.HttpRequest.newBuilder(java.net.URI.create(emulator.url() + "/v1/extra/x"))
                .build();
        assertEquals(401, http.send(anonymous, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(3, emulator.requestCount("/v1/extra/"));
    }

    @Test
    void requestCount_prefixDeeperThanThreeSegments_countsEveryRequestUnderIt() throws Exception {
        emulator.mount("/v1/deep/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            HttpJson.send(exchange, 200, HttpJson.MAPPER.createObjectNode().put("ok", true));
        });
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String path : List.of("/v1/deep/a/b/c/d", "/v1/deep/a/b/c/d", "/v1/deep/a/b/c/e?x=1", "/v1/deep/a/b/x")) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(emulator.url() + path)).build();
            assertEquals(200, http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertEquals(4, emulator.requestCount("/v1/deep/"));
        assertEquals(3, emulator.requestCount("/v1/deep/a/b/c/"));
        assertEquals(2, emulator.requestCount("/v1/deep/a/b/c/d"));
        assertEquals(1, emulator.requestCount("/v1/deep/a/b/c/e"), "the query is not part of the path");
        assertEquals(3, emulator.requestCount("/v1/deep/a/b/c"), "a prefix may end inside a segment");
        assertEquals(0, emulator.requestCount("/v1/deep/a/b/c/d/e"), "deeper than any request");
        assertEquals(0, emulator.requestCount("/v1/deep/a/b/c/f"));
    }

    @Test
    void tableStore_insertUnknownColumn_rejectsAtomically() {
        EmulatedTable t = emulator.tables().create("DB.PUBLIC.T_ATOMIC", List.of(ColumnDef.variant("RECORD_CONTENT")), false);
        var node = HttpJson.MAPPER.getNodeFactory().numberNode(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.insert(List.of(Map.of("record_content", node), Map.of("NOPE", node))));
        assertEquals("row 1: invalid identifier 'NOPE' (table DB.PUBLIC.T_ATOMIC has columns [RECORD_CONTENT])", e.getMessage());
        assertEquals(0, t.rowCount());
        t.insert(List.of(Map.of("record_content", node)));
        assertEquals(1, emulator.table("db.public.t_atomic").rows().get(0).content().asInt());
    }
}
