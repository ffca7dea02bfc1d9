package io.ksbridge.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder's validation, message by message. */
class SnowflakeToKafkaBridgeBuilderTest {
    private static SnowflakeAccount account(boolean warehouse) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        SnowflakeAccount.Builder b = SnowflakeAccount.builder().url("https://myorg-myaccount.snowflakecomputing.com").user("U")
                .role("R").privateKey(Secret.of(SnowflakeEmulator.pem(g.generateKeyPair().getPrivate())));
        if (warehouse) {
            b.warehouse("WH");
        }
        return b.build();
    }

    @Test
    void build_listsEveryMissingSetting() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> SnowflakeToKafkaBridge.builder().build());
        assertEquals(List.of("name", "account", "producerProperties.bootstrap.servers", "table"),
                e.problems().stream().map(BridgeConfigException.Problem::setting).toList());
        assertEquals("Invalid value null for setting name: a name is required: it makes the transactional id, the election"
                + " group and the offsets topic", e.problems().get(0).toString());
    }

    @Test
    void build_refusesProducerSettingsTheBridgeOwns_andAnAccountWithoutWarehouse() throws Exception {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> SnowflakeToKafkaBridge.builder().name("x")
                .account(account(false)).table(TableSpec.of("D.S.T"))
                .producerProperties(Map.of("bootstrap.servers", "k:9092", "transactional.id", "mine", "enable.idempotence", "false",
                        "acks", "1", "transaction.timeout.ms", "1000")).build());
        assertEquals(List.of("account.warehouse", "producerProperties.transactional.id", "producerProperties.enable.idempotence",
                "producerProperties.acks", "producerProperties.transaction.timeout.ms"),
                e.problems().stream().map(BridgeConfigException.Problem::setting).toList());
        assertTrue(e.getMessage().contains("Invalid value mine for setting producerProperties.transactional.id: the bridge sets"
                + " transactional.id itself (exactly once depends on it); remove it"), e.getMessage());
    }

    @Test
    void build_refusesTwiceTheSameTable_andATopicThatIsTheOffsetsTopic() throws Exception {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> SnowflakeToKafkaBridge.builder().name("x")
                .account(account(true)).producerProperties(Map.of("bootstrap.servers", "k:9092"))
                .table(TableSpec.of("d.s.t")).table(TableSpec.of("D.S.T")).table(TableSpec.of("D.S.U").topic("ksbridge-x-offsets"))
                .build());
        assertEquals(List.of("Invalid value D.S.T for setting table: the table is configured twice",
                "Invalid value D.S.U for setting table: its topic is the offsets topic ksbridge-x-offsets; give it another"),
                e.problems().stream().map(Object::toString).toList());
    }

    @Test
    void setters_checkTheirValue() {
        SnowflakeToKafkaBridge.Builder b = SnowflakeToKafkaBridge.builder();
        assertEquals("name must be 1-100 letters, digits, '.', '_' or '-', was 'a b'",
                assertThrows(IllegalArgumentException.class, () -> b.name("a b")).getMessage());
        assertEquals("maxTransactionRows must be >= 2, was 1",
                assertThrows(IllegalArgumentException.class, () -> b.maxTransactionRows(1)).getMessage());
        assertEquals("pollInterval must be > 0, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.pollInterval(Duration.ZERO)).getMessage());
        assertEquals("transactionTimeout must be between 1s and 15m, was PT16M",
                assertThrows(IllegalArgumentException.class, () -> b.transactionTimeout(Duration.ofMinutes(16))).getMessage());
        assertEquals("maxTransactionBytes must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> b.maxTransactionBytes(0)).getMessage());
        assertEquals("format must not be null", assertThrows(NullPointerException.class, () -> b.format(null)).getMessage());
        assertEquals("table must be DB.SCHEMA.TABLE, was T", assertThrows(IllegalArgumentException.class, () -> TableSpec.of("T"))
                .getMessage());
        assertEquals("stagingSchema must be DB.SCHEMA, was X",
                assertThrows(IllegalArgumentException.class, () -> ChangeSource.stream().stagingSchema("X")).getMessage());
    }

    @Test
    void toString_hidesTheKey() throws Exception {
        SnowflakeToKafkaBridge bridge = SnowflakeToKafkaBridge.builder().name("x").account(account(true))
                .producerProperties(Map.of("bootstrap.servers", "127.0.0.1:1")).table(TableSpec.of("D.S.T")).build();
        String shown = bridge.toString();
        assertTrue(shown.contains("name=x") && shown.contains("D.S.T"), shown);
        assertFalse(shown.contains("PRIVATE KEY"), shown);
        bridge.close();
    }

    @Test
    void tableSpec_defaults() {
        TableSpec t = TableSpec.of("raw.public.\"Orders\"");
        assertEquals("RAW.PUBLIC.Orders", t.table());
        assertEquals("raw.public.orders", t.topic());
        assertEquals(List.of("ID", "Mixed"), t.keyColumns("id", "\"Mixed\"").keyColumns());
    }
}
