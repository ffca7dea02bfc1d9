package io.ksbridge.ingest.snowpipe;

import static io.ksbridge.ingest.snowpipe.SnowpipeIts.assertExactlyOnce;
import static io.ksbridge.ingest.snowpipe.SnowpipeIts.await;
import static io.ksbridge.ingest.snowpipe.SnowpipeIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Partitions move between two bridges of one consumer group while loading: every record lands once. */
class SnowpipeRebalanceIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        snowflake = SnowflakeEmulator.start();
    }

    @AfterAll
    static void stop() {
        snowflake.close();
        kafka.close();
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
        await("rows from bridge a", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= records / 6);
        try (KafkaToSnowflakeBridge b = bridge("b", topic)) {
            b.start();
            SnowpipeIts.produceIds(kafka, topic, 4, records / 3, 2 * records / 3);
            await("rows while both run", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= records / 2);
            a.close();
            SnowpipeIts.produceIds(kafka, topic, 4, 2 * records / 3, records);
            await("all rows", Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= records);
            await("the stage to empty", Duration.ofSeconds(30), () -> snowflake.stageFiles(stage).isEmpty());
            await("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == records);
            Thread.sleep(300);
        }
        assertExactlyOnce(snowflake, table, records);
        assertEquals(records, rowCount(snowflake, table));
    }
}
