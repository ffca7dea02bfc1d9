package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.testkit.BackendDefaults;
import io.ksbridge.testkit.TestAccounts;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnowpipeBackendBuilderTest {
    @Test
    void build_nothingSet_listsEveryMissingSetting() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> SnowpipeBackend.builder().build());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting account: the Snowflake account is required\n"
                + "  - Invalid value null for setting database: the database of the target tables is required\n"
                + "  - Invalid value null for setting schema: the schema of the target tables is required", e.getMessage());
    }

    @Test
    void build_oauthAccount_refusedNamingTheAccountAndWhySnowpipeCannotTakeIt() {
        for (io.ksbridge.snowflake.AccessTokenProvider tokens : java.util.List.of(
                io.ksbridge.snowflake.AccessTokenProvider.fixed(io.ksbridge.Secret.of("fixed-token-value")),
                io.ksbridge.snowflake.OAuthTokenClient.refreshToken(java.net.URI.create(
                        "https://myorg-myaccount.snowflakecomputing.com/oauth/token-request"), "loader",
                        io.ksbridge.Secret.of("client-secret-value"), io.ksbridge.Secret.of("refresh-token-value")).build())) {
            io.ksbridge.snowflake.SnowflakeAccount account = io.ksbridge.snowflake.SnowflakeAccount.builder()
                    .url("https://myorg-myaccount.snowflakecomputing.com").user("loader").oauth(tokens).build();
            BridgeConfigException e = assertThrows(BridgeConfigException.class,
                    () -> SnowpipeBackend.builder().account(account).database("DB").schema("PUBLIC").build());
            assertEquals("Invalid value oauth for setting account: the Snowpipe backend signs in with a key pair only:"
                    + " Snowpipe's REST API (insertFiles, insertReport, loadHistoryScan) accepts key-pair JWTs, not OAuth"
                    + " access tokens, and the ingest SDK's SimpleIngestManager takes only a private key. Configure the"
                    + " account with privateKey (snowflake.authenticator=snowflake_jwt with snowflake.private.key), or load"
                    + " with the Streaming backend (snowflake.ingestion.method=SNOWPIPE_STREAMING), which takes OAuth with a"
                    + " refresh token", e.getMessage());
        }
    }

    @Test
    void setters_badValues_failAtOnceNamingTheSetting() {
        assertEquals("database must be a Snowflake identifier, unquoted ([A-Za-z_][A-Za-z0-9_$]*, resolved upper case) or"
                + " double-quoted (\"My-Name\", kept as written), was 'my-db'",
                assertThrows(IllegalArgumentException.class, () -> SnowpipeBackend.builder().database("my-db")).getMessage());
        assertEquals("schema must not be null",
                assertThrows(NullPointerException.class, () -> SnowpipeBackend.builder().schema(null)).getMessage());
        assertEquals("writerThreads must be between 1 and 64, was 0",
                assertThrows(IllegalArgumentException.class, () -> SnowpipeBackend.builder().writerThreads(0)).getMessage());
        assertEquals("statusPollInterval must be between 10 ms and 10 min, was 0", assertThrows(IllegalArgumentException.class,
                () -> SnowpipeBackend.builder().statusPollInterval(Duration.ZERO)).getMessage());
        assertEquals("historyWindow must be between 1 min and 14 days, was 15 days", assertThrows(
                IllegalArgumentException.class, () -> SnowpipeBackend.builder().historyWindow(Duration.ofDays(15))).getMessage());
        assertEquals("closeTimeout must be between 0 and 10 min, was -1 s", assertThrows(IllegalArgumentException.class,
                () -> SnowpipeBackend.builder().closeTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("compression must not be null",
                assertThrows(NullPointerException.class, () -> SnowpipeBackend.builder().compression(null)).getMessage());
    }

    @Test
    void build_requiredOnly_defaultsAreBackendSettingsAndBridgeConfigs() {
        SnowpipeBackend backend = SnowpipeBackend.builder().account(TestAccounts.keyPair()).database("DB").schema("S").build();
        BackendDefaults.assertDefaults(BridgeConfig.IngestionMethod.SNOWPIPE, backend.settings(),
                Set.of("account", "database", "schema", "uploader"));
    }

    @Test
    @SuppressWarnings("deprecation")
    void deprecatedNames_setTheNewSettings() {
        SnowpipeBackend backend = SnowpipeBackend.builder().account(TestAccounts.keyPair()).database("DB").schema("S")
                .uploadParallelism(7).closeWait(Duration.ofSeconds(3)).build();
        assertEquals("SnowpipeBackend.Settings[7, PT3S]", "SnowpipeBackend.Settings[" + component(backend, "writerThreads")
                + ", " + component(backend, "closeTimeout") + "]");
        assertEquals("uploadParallelism is writerThreads: writerThreads must be between 1 and 64, was 0",
                "uploadParallelism is writerThreads: " + assertThrows(IllegalArgumentException.class,
                        () -> SnowpipeBackend.builder().uploadParallelism(0)).getMessage());
    }

    private static Object component(SnowpipeBackend backend, String name) {
        try {
            java.lang.reflect.Method m = backend.settings().getClass().getDeclaredMethod(name);
            m.setAccessible(true);
            return m.invoke(backend.settings());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void names_followTheConnectorsScheme() {
        assertEquals("SNOWFLAKE_KAFKA_CONNECTOR_KSBRIDGE_STAGE_ORDERS", SnowpipeBackend.stageName("KSBRIDGE", "ORDERS"));
        assertEquals("SNOWFLAKE_KAFKA_CONNECTOR_KSBRIDGE_PIPE_ORDERS_3", SnowpipeBackend.pipeName("KSBRIDGE", "ORDERS", 3));
    }

    @Test
    void build_accountWithProxy_refusedNamingTheSettingAndWhy() {
        io.ksbridge.snowflake.SnowflakeAccount account = TestAccounts.withProxy();
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> SnowpipeBackend.builder().account(account).database("DB").schema("PUBLIC").build());
        assertEquals("Invalid value ProxySettings{proxy.internal:3128, user=squid, password=[hidden], nonProxyHosts=[]}"
                + " for setting proxy: the Snowpipe backend cannot use a per-client proxy: the Snowflake ingest SDK takes its"
                + " proxy only from JVM-wide system properties (http.useProxy, http.proxyHost, http.proxyPort, ...), which"
                + " ksbridge never sets. Remove the account's proxy (jvm.proxy.host), or set those system properties on"
                + " the JVM's command line yourself, knowing they apply JVM-wide", e.getMessage());
    }
}
