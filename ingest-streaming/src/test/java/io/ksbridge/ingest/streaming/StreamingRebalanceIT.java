package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestBridges;
import io.ksbridge.testkit.streaming.StreamingService;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three bridges in one consumer group join and leave while loading: every record lands once. */
@KsbridgeTest
class StreamingRebalanceIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge bridge(String name, String topic) {
        return KafkaToSnowflakeBridge.builder()
                .name(name)
                .consumerProperties(StreamingIts.crashableConsumer(kafka, "group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(300).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(StreamingIts.backend(snowflake, "REBALANCE").build())
                .build();
    }

    @Test
    void rebalance_threeBridgesJoinAndLeave_eachRecordOnceAndOldOwnersNeverLand() throws Exception {
        String topic = "moving";
        int records = 30_000;
        int partitions = 6;
        String table = "DB.REBALANCE." + TableNamer.connectorDefault().tableName(topic);
        StreamingService streaming = StreamingService.of(snowflake);
        kafka.createTopic(topic, partitions);
        StreamingIts.produceIds(kafka, topic, partitions, 0, records / 3);
        KafkaToSnowflakeBridge a = bridge("a", topic);
        a.start();
        Await.until("rows from bridge a", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= records / 6);
        KafkaToSnowflakeBridge b = bridge("b", topic);
        b.start();
        StreamingIts.produceIds(kafka, topic, partitions, records / 3, 2 * records / 3);
        try (KafkaToSnowflakeBridge c = bridge("c", topic)) {
            c.start();
            Await.until("rows while three run", Duration.ofSeconds(40), () -> rowCount(snowflake, table) >= records / 2);
            a.close(); // leaves cleanly
            StreamingIts.produceIds(kafka, topic, partitions, 2 * records / 3, records);
            Await.until("rows after a left", Duration.ofSeconds(40), () -> rowCount(snowflake, table) >= 3 * records / 4);
            TestBridges.crash(b); // dies: c takes its partitions over and invalidates b's channels
            Await.until("all rows", Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= records);
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == records);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30)); // c closed (its SDK flushed), b's client is closed: all is here now
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(records, rowCount(snowflake, table));
        assertEquals(StreamingIts.expectedTokens(kafka, topic), streaming.committedOffsetTokens(table));
        int moved = 0;
        for (String channel : streaming.committedOffsetTokens(table).keySet()) {
            if (streaming.clientSequencer(table, channel) >= 1) {
                moved++;
            }
        }
        assertTrue(moved >= partitions / 2, "channels reopened by a new owner: " + moved);
        Map<String, String> tokens = streaming.committedOffsetTokens(table);
        System.out.printf("rebalance: %d channels, %d reopened by a new owner, %d registrations from stale owners refused,"
                + " tokens %s%n", tokens.size(), moved, streaming.staleRegistrations(), tokens);
    }
}
