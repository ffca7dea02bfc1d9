package io.ksbridge.ingest.snowpipe;

import static io.ksbridge.ingest.snowpipe.SnowpipeIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Partitions move between two bridges of one consumer group while loading: every record lands once. */
@KsbridgeTest
class SnowpipeRebalanceIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge bridge(String name, String topic) {
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("REBALANCE")
                .statusPollInterval(Duration.ofMillis(50)).build();
        return KafkaToSnowflakeBridge.builder()
                .name(name)
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(300).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(backend)
                .build();
    }

    @Test
    void rebalance_secondBridgeJoinsThenFirstLeaves_eachRecordOnceAndStageEmpty() throws Exception {
        String topic = "moving";
        int records = 24_000;
        String table = "DB.REBALANCE." + TableNamer.connectorDefault().tableName(topic);
        String stage = "DB.REBALANCE." + SnowpipeBackend.stageName("KSBRIDGE", TableNamer.connectorDefault().tableName(topic));
        kafka.createTopic(topic, 4);
        SnowpipeIts.produceIds(kafka, topic, 4, 0, records / 3);
        KafkaToSnowflakeBridge a = bridge("a", topic);
        a.start();
        Await.until("rows from bridge a", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= records / 6);
        try (KafkaToSnowflakeBridge b = bridge("b", topic)) {
            b.start();
            SnowpipeIts.produceIds(kafka, topic, 4, records / 3, 2 * records / 3);
            Await.until("rows while both run", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= records / 2);
            a.close();
            SnowpipeIts.produceIds(kafka, topic, 4, 2 * records / 3, records);
            Await.until("all rows", Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= records);
            Await.until("the stage to empty", Duration.ofSeconds(30), () -> snowflake.stageFiles(stage).isEmpty());
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == records);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30)); // whatever was submitted has loaded: anything extra is there now
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(records, rowCount(snowflake, table));
    }
}
