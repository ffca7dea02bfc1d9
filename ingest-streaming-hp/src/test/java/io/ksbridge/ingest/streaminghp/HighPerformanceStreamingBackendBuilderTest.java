package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HighPerformanceStreamingBackendBuilderTest {
    static final String PEM;

    static {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            PEM = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPrivate()
                    .getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static SnowflakeAccount account(String url) {
        return SnowflakeAccount.builder().url(url).user("loader").role("INGEST").privateKey(Secret.of(PEM)).build();
    }

    @Test
    void build_nothingSet_listsEveryMissingSetting() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> HighPerformanceStreamingBackend.builder().build());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting account: the Snowflake account is required\n"
                + "  - Invalid value null for setting database: the database of the target tables is required\n"
                + "  - Invalid value null for setting schema: the schema of the target tables is required", e.getMessage());
    }

    @Test
    void setters_badValues_failAtOnceNamingTheSetting() {
        assertEquals("account must not be null", assertThrows(NullPointerException.class,
                () -> HighPerformanceStreamingBackend.builder().account(null)).getMessage());
        assertEquals("database must be an unquoted Snowflake identifier ([A-Za-z_][A-Za-z0-9_$]*), was 'my-db'",
                assertThrows(IllegalArgumentException.class,
                        () -> HighPerformanceStreamingBackend.builder().database("my-db")).getMessage());
        assertEquals("connectorName must not be blank", assertThrows(IllegalArgumentException.class,
                () -> HighPerformanceStreamingBackend.builder().connectorName(" ")).getMessage());
        assertEquals("callTimeout must be between PT1S and PT1H, was PT0.5S", assertThrows(IllegalArgumentException.class,
                () -> HighPerformanceStreamingBackend.builder().callTimeout(Duration.ofMillis(500))).getMessage());
        assertEquals("commitPollInterval must be between PT0.01S and PT10S, was PT11S", assertThrows(
                IllegalArgumentException.class, () -> HighPerformanceStreamingBackend.builder()
                        .commitPollInterval(Duration.ofSeconds(11))).getMessage());
        assertEquals("closeTimeout must be between PT0S and PT10M, was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> HighPerformanceStreamingBackend.builder().closeTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("writerThreads must be between 1 and 32, was 0", assertThrows(IllegalArgumentException.class,
                () -> HighPerformanceStreamingBackend.builder().writerThreads(0)).getMessage());
        assertEquals("maxChannelBytesPerSecond must be >= 0, was -1", assertThrows(IllegalArgumentException.class,
                () -> HighPerformanceStreamingBackend.builder().maxChannelBytesPerSecond(-1)).getMessage());
    }

    @Test
    void channelName_defaultAndConnectorV4_matchTheConnectorsNames() {
        TopicPartition tp = new TopicPartition("orders", 3);
        HighPerformanceStreamingBackend classic = HighPerformanceStreamingBackend.builder()
                .account(account("https://xy12345.snowflakecomputing.com")).database("RAW").schema("KAFKA").build();
        HighPerformanceStreamingBackend v4 = HighPerformanceStreamingBackend.builder().connectorName("my_connector")
                .account(account("https://xy12345.snowflakecomputing.com")).database("RAW").schema("KAFKA").build();
        assertEquals("orders_3", classic.channelName(tp));
        assertEquals("my_connector_orders_3", v4.channelName(tp));
        assertEquals("\"ORDERS-STREAMING\"", HighPerformanceStreamingBackend.defaultPipe("ORDERS"));
        assertEquals("\"my-topic-STREAMING\"", HighPerformanceStreamingBackend.defaultPipe("\"my-topic\""));
        assertEquals("ORDERS", HighPerformanceStreamingBackend.tableIdentifier("orders"));
        assertEquals("\"My-Orders\"", HighPerformanceStreamingBackend.tableIdentifier("\"My-Orders\""));
        assertEquals("table 'my-topic' is not a Snowflake identifier (unquoted [A-Za-z_][A-Za-z0-9_$]*, or quoted as"
                + " TableNamer.connectorV4() names tables); map the topic to a valid table name with TableNamer",
                assertThrows(io.ksbridge.IngestException.class,
                        () -> HighPerformanceStreamingBackend.tableIdentifier("my-topic")).getMessage());
    }

    @Test
    void clientProperties_realAccount_httpsHostAccountAndNoSecretInToString() {
        SnowflakeAccount a = account("https://myorg-myaccount.snowflakecomputing.com");
        Properties p = HighPerformanceStreamingBackend.clientProperties(a);
        assertEquals("https://myorg-myaccount.snowflakecomputing.com:443", p.getProperty("url"));
        assertEquals("MYORG-MYACCOUNT", p.getProperty("account"));
        assertEquals("LOADER", p.getProperty("user"));
        assertEquals("INGEST", p.getProperty("role"));
        HighPerformanceStreamingBackend backend = HighPerformanceStreamingBackend.builder().account(a).database("RAW")
                .schema("KAFKA").build();
        assertFalse(backend.toString().contains(p.getProperty("private_key")), backend.toString());
        assertFalse(backend.toString().contains("PRIVATE KEY"), backend.toString());
    }

    @Test
    void classicTakeOver_channelNamesAndSettingsChecked() {
        TopicPartition tp = new TopicPartition("orders", 3);
        assertEquals("orders_3", new ClassicTakeOver(HighPerformanceStreamingBackend.ClassicChannels.STRICT, null)
                .classicChannel(tp));
        assertEquals("v3conn_orders_3", new ClassicTakeOver(HighPerformanceStreamingBackend.ClassicChannels.BEST_EFFORT,
                "v3conn").classicChannel(tp));
        assertEquals("'DB.S.\"it''s\"'", ClassicTakeOver.literal("DB.S.\"it's\""));
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> HighPerformanceStreamingBackend
                .builder().account(account("https://xy12345.snowflakecomputing.com")).database("RAW").schema("KAFKA")
                .classicConnectorName("v3conn").build());
        assertEquals(1, e.problems().size(), e.getMessage());
        assertEquals("classicConnectorName", e.problems().get(0).setting(), e.getMessage());
        assertEquals("takeOverClassicChannels must not be null", assertThrows(NullPointerException.class,
                () -> HighPerformanceStreamingBackend.builder().takeOverClassicChannels(null)).getMessage());
        assertEquals("classicConnectorName must not be blank", assertThrows(IllegalArgumentException.class,
                () -> HighPerformanceStreamingBackend.builder().classicConnectorName(" ")).getMessage());
    }

    @Test
    void schematization_withAPipeOfYourOwn_refusedNamingBoth_andShownWhenOn() {
        SnowflakeAccount a = account("https://myorg-acct.snowflakecomputing.com");
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> HighPerformanceStreamingBackend.builder()
                .account(a).database("DB").schema("S").pipe("orders", "orders_pipe").schematization(true).build());
        assertEquals("Invalid value true for setting schematization: columns from the records' fields go through each"
                + " table's default pipe, but pipe(table, pipe) sets a pipe of your own for [ORDERS]; use one or the"
                + " other", e.getMessage());
        HighPerformanceStreamingBackend on = HighPerformanceStreamingBackend.builder().account(a).database("DB")
                .schema("S").schematization(true).build();
        org.junit.jupiter.api.Assertions.assertTrue(on.toString().endsWith(", schematization=true}"), on.toString());
        HighPerformanceStreamingBackend off = HighPerformanceStreamingBackend.builder().account(a).database("DB")
                .schema("S").build();
        assertFalse(off.toString().contains("schematization"), "off by default: " + off);
    }
}
