package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.BridgeConfigException;
import java.time.Duration;
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
        assertEquals("database must be an unquoted Snowflake identifier ([A-Za-z_][A-Za-z0-9_$]*), was 'my-db'",
                assertThrows(IllegalArgumentException.class, () -> SnowpipeBackend.builder().database("my-db")).getMessage());
        assertEquals("schema must not be null",
                assertThrows(NullPointerException.class, () -> SnowpipeBackend.builder().schema(null)).getMessage());
        assertEquals("uploadParallelism must be between 1 and 64, was 0",
                assertThrows(IllegalArgumentException.class, () -> SnowpipeBackend.builder().uploadParallelism(0)).getMessage());
        assertEquals("statusPollInterval must be >= PT0.01S, was PT0S", assertThrows(IllegalArgumentException.class,
                () -> SnowpipeBackend.builder().statusPollInterval(Duration.ZERO)).getMessage());
        assertEquals("historyWindow must be <= 14 days (Snowpipe's load history), was PT360H", assertThrows(
                IllegalArgumentException.class, () -> SnowpipeBackend.builder().historyWindow(Duration.ofDays(15))).getMessage());
        assertEquals("closeWait must be between 0 and 10 minutes, was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> SnowpipeBackend.builder().closeWait(Duration.ofSeconds(-1))).getMessage());
        assertEquals("compression must not be null",
                assertThrows(NullPointerException.class, () -> SnowpipeBackend.builder().compression(null)).getMessage());
    }

    @Test
    void names_followTheConnectorsScheme() {
        assertEquals("SNOWFLAKE_KAFKA_CONNECTOR_KSBRIDGE_STAGE_ORDERS", SnowpipeBackend.stageName("KSBRIDGE", "ORDERS"));
        assertEquals("SNOWFLAKE_KAFKA_CONNECTOR_KSBRIDGE_PIPE_ORDERS_3", SnowpipeBackend.pipeName("KSBRIDGE", "ORDERS", 3));
    }

    @Test
    void build_accountWithProxy_refusedNamingTheSettingAndWhy() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        io.ksbridge.snowflake.SnowflakeAccount account = io.ksbridge.snowflake.SnowflakeAccount.builder()
                .url("https://xy12345.snowflakecomputing.com").user("loader")
                .privateKey(io.ksbridge.Secret.of("-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder()
                        .encodeToString(g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"))
                .proxy(io.ksbridge.snowflake.ProxySettings.builder().host("proxy.internal").port(3128)
                        .credentials("squid", io.ksbridge.Secret.of("proxy-pass-1234")).build())
                .build();
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> SnowpipeBackend.builder().account(account).database("DB").schema("PUBLIC").build());
        assertEquals("Invalid value ProxySettings{proxy.internal:3128, user=squid, password=[hidden], nonProxyHosts=[]}"
                + " for setting proxy: the Snowpipe backend cannot use a per-client proxy: the Snowflake ingest SDK takes its"
                + " proxy only from JVM-wide system properties (http.useProxy, http.proxyHost, http.proxyPort, ...), which"
                + " ksbridge never sets. Remove the account's proxy (jvm.proxy.host), or set those system properties on"
                + " the JVM's command line yourself, knowing they apply JVM-wide", e.getMessage());
    }
}
