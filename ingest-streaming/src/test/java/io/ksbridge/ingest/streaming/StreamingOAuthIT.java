package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.Secret;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.snowflake.AccessTokenProvider;
import io.ksbridge.snowflake.OAuthTokenClient;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Streaming backend signs in with OAuth: the connector's {@code snowflake.authenticator=oauth} keys become an
 * account whose refresh-token client's settings go to the ingest SDK, which fetches its own tokens from the
 * emulator's token endpoint and sends them on every Streaming call; the backend's DDL goes over the SQL API with
 * ksbridge's own token. A real broker, the real SDK, exactly once, and no secret or access token in the log.
 * Providers the SDK cannot take are refused at build.
 */
@KsbridgeTest
class StreamingOAuthIT {
    private static final String SECRET = "stream-client-secret-9931";
    private static final String REFRESH = "stream-refresh-token-heron";

    /** Copies what is written to two streams (the console and a capture). */
    static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        Tee(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }

    /** The last retry or failure the bridge reported, for the timeout messages. */
    static final class Trouble implements io.ksbridge.BridgeListener {
        volatile String last = "none";

        @Override
        public void onRetry(io.ksbridge.BridgeEvents.Retry event) {
            last = "retry " + event;
        }

        @Override
        public void onFailure(Throwable cause) {
            last = "failure " + cause;
        }
    }

    @Test
    void bridge_connectorOAuthProperties_loadsExactlyOnceWithTheSdksOwnTokens(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        snowflake.oauth().register("stream-loader", Secret.of(SECRET), Secret.of(REFRESH));
        String topic = "oauth_orders";
        kafka.createTopic(topic, 2);
        StreamingIts.produceIds(kafka, topic, 2, 0, 2_000);
        BridgeConfig config = BridgeConfig.from(Map.of(
                "snowflake.url.name", snowflake.url(),
                "ksbridge.snowflake.allow.insecure.http", "true",
                "snowflake.user.name", SnowflakeEmulator.USER,
                "snowflake.role.name", SnowflakeEmulator.ROLE,
                "snowflake.ingestion.method", "SNOWPIPE_STREAMING",
                "snowflake.authenticator", "oauth",
                "snowflake.oauth.client.id", "stream-loader",
                "snowflake.oauth.client.secret", SECRET,
                "snowflake.oauth.refresh.token", REFRESH,
                "snowflake.oauth.token.endpoint", snowflake.oauthTokenEndpoint().toString()));
        SnowflakeAccount account = config.account();
        assertEquals(SnowflakeAccount.Authentication.OAUTH, account.authentication());
        long streamingBefore = snowflake.requestCount("/v1/streaming/");
        String table = "DB.OAUTH.OAUTH_ORDERS";
        StreamingBackend backend = StreamingBackend.builder().account(account).database("DB").schema("OAUTH")
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5)).build();
        assertFalse(backend.toString().contains("heron") || backend.toString().contains("9931"), backend.toString());
        Trouble trouble = new Trouble();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        java.io.PrintStream out = System.out;
        System.setErr(new java.io.PrintStream(new Tee(err, log), true, "UTF-8"));
        System.setOut(new java.io.PrintStream(new Tee(out, log), true, "UTF-8"));
        try (KafkaToSnowflakeBridge bridge = config.applyTo(KafkaToSnowflakeBridge.builder())
                .consumerProperties(kafka.consumerProperties("oauth-streaming"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(300))))
                .backend(backend)
                .listener(trouble)
                .build()) {
            bridge.start();
            io.ksbridge.testkit.Await.until(Duration.ofSeconds(90), () -> rowCount(snowflake, table) >= 2_000,
                    () -> "2,000 rows; last trouble: " + trouble.last);
            io.ksbridge.testkit.Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("oauth-streaming").values()
                    .stream().mapToLong(Long::longValue).sum() == 2_000);
            bridge.close();
            org.slf4j.LoggerFactory.getLogger(StreamingOAuthIT.class).warn("OAUTH-LOG-CAPTURE-CHECK");
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        String logged = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(logged.contains("OAUTH-LOG-CAPTURE-CHECK"), "the capture sees what slf4j writes");
        assertFalse(logged.contains(SECRET) || logged.contains(REFRESH), "a client secret or refresh token in the log");
        assertFalse(logged.contains("ver:1-hint:emu-"), "an access token the emulator issued in the log");
        io.ksbridge.testkit.ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        // the SDK's OAuthManager and ksbridge's own client (DDL over the SQL API) each exchanged the refresh token
        assertTrue(snowflake.oauth().issuedCount("stream-loader") >= 2, "tokens issued: "
                + snowflake.oauth().issuedCount("stream-loader"));
        assertTrue(snowflake.requestCount("/v1/streaming/") > streamingBefore, "the SDK's Streaming calls were accepted");
        assertTrue(snowflake.requestCount("/oauth/token-request") >= 2);
    }

    @Test
    void bridge_revokedTokens_sdkGets401AndRefreshesWithItsRefreshToken(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        snowflake.oauth().register("revoking-loader", Secret.of(SECRET), Secret.of(REFRESH));
        String topic = "oauth_revoked";
        kafka.createTopic(topic, 1);
        StreamingIts.produceIds(kafka, topic, 1, 0, 300);
        SnowflakeAccount account = snowflake.oauthAccount(OAuthTokenClient.refreshToken(snowflake.oauthTokenEndpoint(),
                "revoking-loader", Secret.of(SECRET), Secret.of(REFRESH)).build());
        String table = "DB.OAUTH.OAUTH_REVOKED";
        Trouble trouble = new Trouble();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("oauth-revoked"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(300))))
                .backend(StreamingBackend.builder().account(account).database("DB").schema("OAUTH")
                        .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5)).build())
                .listener(trouble)
                .build()) {
            bridge.start();
            io.ksbridge.testkit.Await.until(Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= 300,
                    () -> "300 rows; last trouble: " + trouble.last);
            long issued = snowflake.oauth().issuedCount("revoking-loader");
            snowflake.oauth().revokeTokens("revoking-loader");
            StreamingIts.produceIds(kafka, topic, 1, 300, 600);
            io.ksbridge.testkit.Await.until("600 rows after the revocation", Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= 600);
            assertTrue(snowflake.oauth().issuedCount("revoking-loader") > issued, "a new token after the 401");
            io.ksbridge.testkit.Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("oauth-revoked").values()
                    .stream().mapToLong(Long::longValue).sum() == 600);
        }
        io.ksbridge.testkit.ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
    }

    @Test
    void build_providersTheSdkCannotTake_refusedNamingTheAccountSetting(SnowflakeEmulator snowflake) {
        snowflake.oauth().register("cc-only", Secret.of(SECRET), null);
        BridgeConfigException cc = assertThrows(BridgeConfigException.class, () -> StreamingBackend.builder()
                .account(snowflake.oauthAccount(OAuthTokenClient.clientCredentials(snowflake.oauthTokenEndpoint(), "cc-only",
                        Secret.of(SECRET)).build())).database("DB").schema("OAUTH").build());
        assertEquals("Invalid value oauth client_credentials for setting account: the ingest SDK's Streaming client"
                + " (snowflake-ingest-sdk) fetches its own OAuth access tokens, with the refresh-token grant only (its"
                + " oauth_client_id, oauth_client_secret, oauth_refresh_token and oauth_token_endpoint properties), and takes"
                + " no token from outside, so it cannot use the client-credentials grant. Give the client a refresh token"
                + " (OAuthTokenClient.refreshToken, or snowflake.oauth.refresh.token), or sign in with a key pair",
                cc.getMessage());
        BridgeConfigException fixed = assertThrows(BridgeConfigException.class, () -> StreamingBackend.builder()
                .account(snowflake.oauthAccount(AccessTokenProvider.fixed(Secret.of("a-fixed-token-value"))))
                .database("DB").schema("OAUTH").build());
        assertTrue(fixed.getMessage().startsWith("Invalid value oauth for setting account: the ingest SDK's Streaming"
                + " client"), fixed.getMessage());
        assertTrue(fixed.getMessage().endsWith("Use OAuthTokenClient.refreshToken(endpoint, clientId, clientSecret,"
                + " refreshToken) (or the connector's snowflake.oauth.* keys with a refresh token), or sign in with a key"
                + " pair"), fixed.getMessage());
        assertFalse(fixed.getMessage().contains("a-fixed-token-value"));
    }
}
