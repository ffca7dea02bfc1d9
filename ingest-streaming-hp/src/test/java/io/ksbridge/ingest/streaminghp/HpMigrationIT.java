package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A user of Snowflake's Kafka connector v4 moves over: the bridge finds the connector's channels
 * ({@code <connector>_<topic>_<partition>}) on the table's default pipe and resumes after their committed tokens, with
 * no replay and no gap.
 */
@KsbridgeTest
class HpMigrationIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    @Test
    void fromConnectorV4_channelsFoundByNameAndResumedAfterTheirTokens() throws Exception {
        String topic = "v4orders";
        String table = "DB.MIGRATE.V4ORDERS";
        kafka.createTopic(topic, 2);
        HpIts.produceIds(kafka, topic, 2, 0, 400);
        snowflake.tables().create(table, List.of(ColumnDef.variant("RECORD_METADATA"), ColumnDef.variant("RECORD_CONTENT")),
                false);
        // what connector v4 left: its channels committed offsets 0..99 of each partition (their rows are already in
        // the table as far as the connector is concerned: we only model the tokens)
        try (SnowflakeStreamingIngestClient connector = SnowflakeStreamingIngestClientFactory
                .builder("CONNECTOR", "DB", "MIGRATE", "V4ORDERS-STREAMING")
                .setProperties(HighPerformanceStreamingBackend.clientProperties(snowflake.account())).build()) {
            connector.openChannel("orders_connector_v4orders_0", "99").getChannel().close();
            connector.openChannel("orders_connector_v4orders_1", "99").getChannel().close();
        }
        HpStreamingService hp = HpStreamingService.of(snowflake);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-v4"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(HpIts.backend(snowflake, "MIGRATE").connectorName("orders_connector").build())
                .build()) {
            bridge.start();
            Await.until("offsets committed", Duration.ofSeconds(60), () -> HpIts.committedSum(kafka, "group-v4") == 400);
        }
        snowflake.awaitIdle(Duration.ofSeconds(10));
        // offsets 100..199 of each partition, once: nothing the connector committed was loaded again
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic), (tp, offset) -> offset >= 100);
        assertEquals(java.util.Map.of("orders_connector_v4orders_0", "199", "orders_connector_v4orders_1", "199"),
                hp.committedOffsetTokens(table));
    }

    @Test
    void connectorV4TableNames_quotedCaseSensitiveTopic_landsInTheTableV4Made() throws Exception {
        String topic = "My-Orders";
        kafka.createTopic(topic, 2);
        HpIts.produceIds(kafka, topic, 2, 0, 200);
        // connector v4 made (and loads) "My-Orders", verbatim and case-sensitive
        snowflake.tables().create("DB.MIGRATE.\"My-Orders\"", List.of(ColumnDef.variant("RECORD_METADATA"),
                ColumnDef.variant("RECORD_CONTENT")), false);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-v4-names"))
                .topics(topic)
                .tableNamer(io.ksbridge.TableNamer.connectorV4())
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(HpIts.backend(snowflake, "MIGRATE").build())
                .build()) {
            bridge.start();
            Await.until("offsets committed", Duration.ofSeconds(60), () -> HpIts.committedSum(kafka, "group-v4-names") == 200);
        }
        snowflake.awaitIdle(Duration.ofSeconds(10));
        ExactlyOnce.assertEveryRecordOnce(snowflake, "DB.MIGRATE.\"My-Orders\"", kafka.endOffsets(topic));
        assertTrue(snowflake.tables().names().stream().noneMatch(n -> n.startsWith("DB.MIGRATE.MY_ORDERS")),
                "a v3-style table was made: " + snowflake.tables().names());
    }
}
