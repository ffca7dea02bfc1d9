package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.config.BackendSettings;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.BackendDefaults;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestAccounts;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StreamingBackendBuilderTest {
    static final String PEM = SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate());

    private static SnowflakeAccount account(String url) {
        return SnowflakeAccount.builder().url(url).allowInsecureHttp().user("loader").role("INGEST").privateKey(Secret.of(PEM)).build();
    }

    @Test
    void build_nothingSet_listsEveryMissingSetting() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> StreamingBackend.builder().build());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting account: the Snowflake account is required\n"
                + "  - Invalid value null for setting database: the database of the target tables is required\n"
                + "  - Invalid value null for setting schema: the schema of the target tables is required", e.getMessage());
    }

    @Test
    void setters_badValues_failAtOnceNamingTheSetting() {
        assertEquals("account must not be null",
                assertThrows(NullPointerException.class, () -> StreamingBackend.builder().account(null)).getMessage());
        assertEquals("database must be a Snowflake identifier, unquoted ([A-Za-z_][A-Za-z0-9_$]*, resolved upper case) or"
                + " double-quoted (\"My-Name\", kept as written), was 'my-db'",
                assertThrows(IllegalArgumentException.class, () -> StreamingBackend.builder().database("my-db")).getMessage());
        assertEquals("schema must not be null",
                assertThrows(NullPointerException.class, () -> StreamingBackend.builder().schema(null)).getMessage());
        assertEquals("clientName must not be blank",
                assertThrows(IllegalArgumentException.class, () -> StreamingBackend.builder().clientName(" ")).getMessage());
        assertEquals("maxClientLag must be between 1 s and 10 min, was 500 ms", assertThrows(
                IllegalArgumentException.class, () -> StreamingBackend.builder().maxClientLag(Duration.ofMillis(500)))
                .getMessage());
        assertEquals("maxClientLag must be between 1 s and 10 min, was 11 min", assertThrows(
                IllegalArgumentException.class, () -> StreamingBackend.builder().maxClientLag(Duration.ofMinutes(11)))
                .getMessage());
        assertEquals("onError must not be null",
                assertThrows(NullPointerException.class, () -> StreamingBackend.builder().onError(null)).getMessage());
        assertEquals("statusPollInterval must be between 10 ms and 10 min, was 1 ms", assertThrows(
                IllegalArgumentException.class, () -> StreamingBackend.builder().statusPollInterval(Duration.ofMillis(1)))
                .getMessage());
        assertEquals("closeTimeout must be between 0 and 10 min, was -1 s", assertThrows(IllegalArgumentException.class,
                () -> StreamingBackend.builder().closeTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("writerThreads must be between 1 and 64, was 0",
                assertThrows(IllegalArgumentException.class, () -> StreamingBackend.builder().writerThreads(0)).getMessage());
    }

    @Test
    void build_defaults_shownWithNamesUpperCasedAndNoSecret() {
        StreamingBackend backend = StreamingBackend.builder().account(account("https://xy12345.snowflakecomputing.com"))
                .database("raw").schema("kafka").build();
        assertEquals("StreamingBackend{account=https://xy12345.snowflakecomputing.com, database=RAW, schema=KAFKA,"
                + " clientName=null, maxClientLag=PT1S, onError=from ErrorPolicy}", backend.toString());
        assertEquals("streaming", backend.name());
        assertTrue(backend.stampsPushTime());
        String builder = StreamingBackend.builder().account(account("https://xy12345.snowflakecomputing.com")).toString();
        assertFalse(builder.contains("PRIVATE KEY") || builder.contains(PEM.substring(40, 80)), builder);
        backend.close();
        backend.close(); // idempotent
    }

    @Test
    void clientProperties_emulatorUrl_ipWithPortAndTheKeyAsBase64Pkcs8() {
        SnowflakeAccount account = account("http://127.0.0.1:8085");
        Properties p = StreamingBackend.clientProperties(account);
        assertEquals("http://127.0.0.1:8085", p.get("url"));
        assertEquals("LOADER", p.get("user"));
        assertEquals("INGEST", p.get("role"));
        assertEquals(Base64.getEncoder().encodeToString(account.privateKey().getEncoded()), p.get("private_key"));
        assertFalse(p.containsKey("account"));
        assertEquals("https://xy12345.eu-west-1.snowflakecomputing.com:443",
                StreamingBackend.clientProperties(account("https://xy12345.eu-west-1.snowflakecomputing.com")).get("url"));
    }

    @Test
    void channelName_isTheConnectorsTopicUnderscorePartition() {
        assertEquals("orders_3", StreamingBackend.channelName(new TopicPartition("orders", 3)));
        assertEquals("pay-ments_0", StreamingBackend.channelName(new TopicPartition("pay-ments", 0)));
    }

    @Test
    void build_requiredOnly_defaultsAreBackendSettingsAndBridgeConfigs() {
        StreamingBackend backend = StreamingBackend.builder().account(account("https://xy12345.snowflakecomputing.com"))
                .database("DB").schema("S").build();
        BackendDefaults.assertDefaults(BridgeConfig.IngestionMethod.SNOWPIPE_STREAMING, backend.settings(),
                Set.of("account", "database", "schema", "clientName", "onError"));
        BridgeConfig connector = BridgeConfig.from(Map.of(BridgeConfig.INGESTION_METHOD, "SNOWPIPE_STREAMING"));
        assertEquals(BackendSettings.STREAMING_MAX_CLIENT_LAG.durationDefault(), connector.streamingMaxClientLag());
        assertEquals(BackendSettings.STREAMING_SCHEMATIZATION.defaultValue(), connector.enableSchematization());
        backend.close();
    }

    @Test
    @SuppressWarnings("deprecation")
    void deprecatedCommitPollInterval_setsStatusPollInterval() {
        StreamingBackend backend = StreamingBackend.builder().account(account("https://xy12345.snowflakecomputing.com"))
                .database("DB").schema("S").commitPollInterval(Duration.ofMillis(40)).build();
        assertTrue(backend.settings().toString().contains("statusPollInterval=PT0.04S"), backend.settings().toString());
        assertEquals("statusPollInterval must be between 10 ms and 10 min, was 1 ms", assertThrows(
                IllegalArgumentException.class, () -> StreamingBackend.builder().commitPollInterval(Duration.ofMillis(1)))
                .getMessage());
        backend.close();
    }

    @Test
    void build_accountWithProxy_refusedNamingTheSettingAndWhy() {
        SnowflakeAccount account = TestAccounts.withProxy();
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> StreamingBackend.builder().account(account).database("DB").schema("PUBLIC").build());
        assertEquals("Invalid value ProxySettings{proxy.internal:3128, user=squid, password=[hidden], nonProxyHosts=[]}"
                + " for setting proxy: the Streaming backend cannot use a per-client proxy: the Snowflake ingest SDK takes its"
                + " proxy only from JVM-wide system properties (http.useProxy, http.proxyHost, http.proxyPort, ...), which"
                + " ksbridge never sets. Remove the account's proxy (jvm.proxy.host), or set those system properties on"
                + " the JVM's command line yourself, knowing they apply JVM-wide", e.getMessage());
    }
}
