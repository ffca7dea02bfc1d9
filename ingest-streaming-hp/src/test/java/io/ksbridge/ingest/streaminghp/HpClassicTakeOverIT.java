package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.streaming.StreamingService;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A user of ksbridge's Classic Streaming backend moves to the high-performance one: the Classic bridge loads the first
 * part of a topic and stops; the high-performance bridge, with {@code takeOverClassicChannels}, starts from the Classic
 * channels' committed tokens (through {@code SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET}), not from Kafka's committed offsets:
 * every record lands once in the one table.
 */
@KsbridgeTest
class HpClassicTakeOverIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    @Test
    void classicLoadsPart_thenHighPerformanceTakesOverItsTokens_everyRecordOnce() throws Exception {
        String topic = "classic2hp";
        String table = "DB.TAKEOVER.CLASSIC2HP";
        kafka.createTopic(topic, 2);
        HpIts.produceIds(kafka, topic, 2, 0, 2_000);
        StreamingBackend classic = StreamingBackend.builder().account(snowflake.account()).database("DB")
                .schema("TAKEOVER").statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5)).build();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-classic"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(200).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(classic)
                .build()) {
            bridge.start();
            Await.until("the Classic bridge committed the first 2,000 records", Duration.ofSeconds(90),
                    () -> HpIts.committedSum(kafka, "group-classic") == 2_000);
        }
        Map<String, String> classicTokens = StreamingService.of(snowflake).committedOffsetTokens(table);
        assertEquals(Map.of("classic2hp_0", "999", "classic2hp_1", "999"), classicTokens);
        HpIts.produceIds(kafka, topic, 2, 2_000, 3_000);
        // the new bridge's group starts with Kafka's committed offsets rolled back to 500 of each partition (a group
        // reset, a copied group): only the Classic tokens can tell it where to go on, not Kafka
        seedGroup("group-hp-takeover", topic, 500);
        HpStreamingService hp = HpStreamingService.of(snowflake);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-hp-takeover"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(200).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(HpIts.backend(snowflake, "TAKEOVER")
                        .takeOverClassicChannels(HighPerformanceStreamingBackend.ClassicChannels.STRICT).build())
                .build()) {
            bridge.start();
            Await.until("the high-performance bridge committed every record", Duration.ofSeconds(90),
                    () -> HpIts.committedSum(kafka, "group-hp-takeover") == 3_000);
        }
        snowflake.awaitIdle(Duration.ofSeconds(10));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(Map.of("classic2hp_0", "1499", "classic2hp_1", "1499"), hp.committedOffsetTokens(table));
    }

    @Test
    void strict_refusesAPartitionWithoutClassicChannel_bestEffortStartsItAsNew() throws Exception {
        String topic = "noclassic";
        kafka.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (HighPerformanceStreamingBackend strict = HpIts.backend(snowflake, "TAKEOVER")
                .takeOverClassicChannels(HighPerformanceStreamingBackend.ClassicChannels.STRICT).build()) {
            IngestException e = assertThrows(IngestException.class, () -> strict.open("NOCLASSIC", tp));
            assertTrue(e.getMessage().contains("Classic channel noclassic_0 of table NOCLASSIC does not exist"),
                    e.getMessage());
            assertTrue(!e.isRetriable(), "a missing Classic channel under STRICT is fatal");
        }
        try (HighPerformanceStreamingBackend lenient = HpIts.backend(snowflake, "TAKEOVER")
                .takeOverClassicChannels(HighPerformanceStreamingBackend.ClassicChannels.BEST_EFFORT).build()) {
            assertEquals(PartitionStart.unknown(), lenient.open("NOCLASSIC", tp));
        }
    }

    private static void seedGroup(String group, String topic, long offset) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new TreeMap<>(
                java.util.Comparator.comparing(TopicPartition::toString));
        for (int p = 0; p < 2; p++) {
            offsets.put(new TopicPartition(topic, p), new org.apache.kafka.clients.consumer.OffsetAndMetadata(offset));
        }
        kafka.admin().alterConsumerGroupOffsets(group, offsets).all().get();
    }
}
