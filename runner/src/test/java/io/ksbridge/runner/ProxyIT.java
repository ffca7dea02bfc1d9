package io.ksbridge.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.Secret;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.snowflake.KafkaTables;
import io.ksbridge.snowflake.ProxySettings;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.net.Authenticator;
import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The account's proxy, per client: every request of the SQL API client goes through a small in-process proxy
 * (with and without Basic credentials, and around it for non-proxy hosts), and nothing JVM-wide changes.
 */
@KsbridgeTest
class ProxyIT {
    private static final String PROXY_PASSWORD = "Pr0xy-pa55word-for-the-test";

    private static SnowflakeAccount proxied(SnowflakeEmulator snowflake, ProxySettings proxy) {
        return SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp().user(SnowflakeEmulator.USER).role(SnowflakeEmulator.ROLE)
                .privateKey(snowflake.privateKeyPem()).proxy(proxy).build();
    }

    private static void assertAllThroughProxy(TestProxy proxy, SnowflakeEmulator snowflake, long before, int statements) {
        long arrived = snowflake.requestCount("/api/v2/statements") - before;
        assertEquals(statements, arrived, "statements the emulator served");
        assertEquals(arrived, proxy.forwarded.size(), "every request the emulator served came through the proxy");
        for (TestProxy.Forwarded f : proxy.forwarded) {
            assertEquals(URI.create(snowflake.url()).getPort(), f.uri().getPort(), f.toString());
            assertTrue(f.uri().getPath().startsWith("/api/v2/statements"), f.toString());
            assertTrue(f.headers().get("Authorization").get(0).startsWith("Bearer "), "the JWT passes through");
        }
    }

    @Test
    void sqlClient_openProxy_everyRequestGoesThroughIt(SnowflakeEmulator snowflake) throws Exception {
        try (TestProxy proxy = TestProxy.open()) {
            SnowflakeAccount account = proxied(snowflake, ProxySettings.builder().host("127.0.0.1").port(proxy.port()).build());
            long before = snowflake.requestCount("/api/v2/statements");
            try (SqlApiClient sql = SqlApiClient.create(account)) {
                KafkaTables.ensure(sql, "PROXYDB.PUBLIC.OPEN_T", "written by the test", false);
                assertEquals(2, sql.execute("DESCRIBE TABLE PROXYDB.PUBLIC.OPEN_T").rows().size());
            }
            assertAllThroughProxy(proxy, snowflake, before, 3);
            assertTrue(snowflake.tables().find("PROXYDB.PUBLIC.OPEN_T").isPresent());
        }
    }

    @Test
    void sqlClient_proxyWithCredentials_answersTheChallengeAndNeverSendsThemToSnowflake(SnowflakeEmulator snowflake)
            throws Exception {
        try (TestProxy proxy = TestProxy.withCredentials("squid", PROXY_PASSWORD)) {
            SnowflakeAccount account = proxied(snowflake, ProxySettings.builder().host("127.0.0.1").port(proxy.port())
                    .credentials("squid", Secret.of(PROXY_PASSWORD)).build());
            long before = snowflake.requestCount("/api/v2/statements");
            try (SqlApiClient sql = SqlApiClient.create(account)) {
                KafkaTables.ensure(sql, "PROXYDB.PUBLIC.AUTH_T", "written by the test", false);
            }
            assertAllThroughProxy(proxy, snowflake, before, 2);
            assertEquals(0, proxy.challenged.get(), "credentials sent up front: no 407 round trip, which would lose the JWT");
            assertEquals(0, proxy.refused.get(), "the credentials were right");
            assertFalse(account.toString().contains(PROXY_PASSWORD), account.toString());
        }
    }

    @Test
    void sqlClient_wrongProxyPassword_failsNamingTheProxyNotSnowflake(SnowflakeEmulator snowflake) throws Exception {
        try (TestProxy proxy = TestProxy.withCredentials("squid", PROXY_PASSWORD)) {
            SnowflakeAccount account = proxied(snowflake, ProxySettings.builder().host("127.0.0.1").port(proxy.port())
                    .credentials("squid", Secret.of("not-the-password")).build());
            try (SqlApiClient sql = SqlApiClient.create(account)) {
                SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> sql.execute("SELECT 1"));
                assertFalse(e.isRetriable(), e.getMessage());
                assertEquals("the proxy 127.0.0.1:" + proxy.port() + " refused 'SELECT 1' for want of valid credentials"
                        + " (HTTP 407). Check the proxy's user and password.", e.getMessage());
            }
            assertEquals(0, proxy.forwarded.size());
        }
    }

    @Test
    void sqlClient_wrongKeyThroughAnAuthenticatingProxy_isSnowflakesRefusalNotAnOutage(SnowflakeEmulator snowflake)
            throws Exception {
        try (TestProxy proxy = TestProxy.withCredentials("squid", PROXY_PASSWORD)) {
            SnowflakeAccount account = SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                    .privateKey(Secret.of(SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate())))
                    .proxy(ProxySettings.builder().host("127.0.0.1").port(proxy.port())
                            .credentials("squid", Secret.of(PROXY_PASSWORD)).build()).build();
            try (SqlApiClient sql = SqlApiClient.create(account)) {
                SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> sql.execute("SELECT 1"));
                assertFalse(e.isRetriable(), e.getMessage());
                assertEquals(401, e.httpStatus(), e.getMessage());
                assertTrue(e.getMessage().startsWith("Snowflake refused the key-pair JWT of user KSBRIDGE"), e.getMessage());
            }
        }
    }

    @Test
    void sqlClient_nonProxyHost_goesDirect(SnowflakeEmulator snowflake) throws Exception {
        try (TestProxy proxy = TestProxy.open()) {
            SnowflakeAccount account = proxied(snowflake, ProxySettings.builder().host("127.0.0.1").port(proxy.port())
                    .nonProxyHosts("localhost", "127.*").build());
            try (SqlApiClient sql = SqlApiClient.create(account)) {
                assertEquals("1", sql.execute("SELECT 1").rows().get(0).get(0));
            }
            assertEquals(0, proxy.forwarded.size(), "127.0.0.1 matches 127.*: no request through the proxy");
        }
    }

    /**
     * A bridge whose tables are created through the account's proxy, configured with the connector's jvm.proxy.*
     * keys: it loads, and afterwards the JVM's properties, default proxy selector and default authenticator are
     * what they were. The backends refuse the proxied account, naming the setting.
     */
    @Test
    void bridgeWithAProxy_ran_jvmWideStateUnchanged(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        Properties before = (Properties) System.getProperties().clone();
        ProxySelector selectorBefore = ProxySelector.getDefault();
        Authenticator authenticatorBefore = Authenticator.getDefault();
        try (TestProxy proxy = TestProxy.withCredentials("squid", PROXY_PASSWORD)) {
            Map<String, String> connector = new HashMap<>();
            connector.put("name", "proxied");
            connector.put("topics", "proxied_orders");
            connector.put("snowflake.url.name", snowflake.url());
            connector.put("ksbridge.snowflake.allow.insecure.http", "true");
            connector.put("snowflake.user.name", SnowflakeEmulator.USER);
            connector.put("snowflake.role.name", SnowflakeEmulator.ROLE);
            connector.put("snowflake.private.key", Base64.getEncoder().encodeToString(snowflake.privateKey().getEncoded()));
            connector.put("snowflake.database.name", "PROXYDB");
            connector.put("snowflake.schema.name", "PUBLIC");
            connector.put("buffer.count.records", "10");
            connector.put("jvm.proxy.host", "127.0.0.1");
            connector.put("jvm.proxy.port", Integer.toString(proxy.port()));
            connector.put("jvm.proxy.username", "squid");
            connector.put("jvm.proxy.password", PROXY_PASSWORD);
            connector.put("jvm.nonProxy.hosts", "*.internal");
            BridgeConfig config = BridgeConfig.from(connector);
            SnowflakeAccount account = config.account();
            assertEquals(proxy.port(), account.proxy().orElseThrow().port());

            for (IngestBackendBuild build : new IngestBackendBuild[] {
                    () -> SnowpipeBackend.builder().account(account).database("PROXYDB").schema("PUBLIC").build(),
                    () -> StreamingBackend.builder().account(account).database("PROXYDB").schema("PUBLIC").build()}) {
                BridgeConfigException e = assertThrows(BridgeConfigException.class, build::build);
                assertEquals("proxy", e.problems().get(0).setting());
                assertFalse(e.getMessage().contains(PROXY_PASSWORD), e.getMessage());
            }

            kafka.createTopic("proxied_orders", 2);
            for (int i = 0; i < 40; i++) {
                kafka.produce("proxied_orders", i % 2, "k" + i, "{\"id\":" + i + "}");
            }
            long statementsBefore = snowflake.requestCount("/api/v2/statements");
            RecordingBackend rows = new RecordingBackend();
            try (SqlApiClient sql = SqlApiClient.create(account);
                 KafkaToSnowflakeBridge bridge = config.applyTo(KafkaToSnowflakeBridge.builder())
                         .consumerProperties(kafka.consumerProperties("proxied"))
                         .backend(new TablesThroughProxy(sql, rows)).build()) {
                bridge.start();
                Await.until(Duration.ofSeconds(60), () -> rows.rowCount() == 40, () -> "40 rows, have " + rows.rowCount());
            }
            assertTrue(snowflake.tables().find("PROXYDB.PUBLIC.PROXIED_ORDERS").isPresent());
            long statements = snowflake.requestCount("/api/v2/statements") - statementsBefore;
            assertTrue(statements >= 2, "the table's DDL ran: " + statements);
            assertEquals(statements, proxy.forwarded.size(), "each of the bridge's statements went through the proxy");
        }
        assertEquals(before, System.getProperties(), "no system property was set or changed");
        assertEquals(selectorBefore, ProxySelector.getDefault());
        assertEquals(authenticatorBefore, Authenticator.getDefault());
        for (String key : new String[] {"http.proxyHost", "https.proxyHost", "http.useProxy", "http.proxyUser",
                "http.nonProxyHosts", "jdk.http.auth.tunneling.disabledSchemes"}) {
            assertEquals(before.getProperty(key), System.getProperty(key), key);
        }
    }

    @FunctionalInterface
    private interface IngestBackendBuild {
        IngestBackend build();
    }

    /** Creates each table through the proxied SQL client, as the real backends do, then records the rows. */
    private static final class TablesThroughProxy implements IngestBackend {
        private final SqlApiClient sql;
        private final RecordingBackend rows;

        TablesThroughProxy(SqlApiClient sql, RecordingBackend rows) {
            this.sql = sql;
            this.rows = rows;
        }

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            KafkaTables.ensure(sql, "PROXYDB.PUBLIC." + table, "recorded by the test", false);
            return rows.open(table, partition);
        }

        @Override
        public CompletionStage<IngestResult> ingest(IngestBatch batch) {
            return rows.ingest(batch);
        }

        @Override
        public void close() {
            rows.close();
        }
    }
}
