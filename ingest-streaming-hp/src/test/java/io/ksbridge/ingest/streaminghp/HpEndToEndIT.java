package io.ksbridge.ingest.streaminghp;

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
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200,000 records, two topics of four partitions each, through the real SDK into the emulator, with lost responses, 503s and 429s on
 * the way: every record lands once, read back from what the SDK sent, as an object, and every channel's committed
 * token is its partition's last offset.
 */
@KsbridgeTest
class HpEndToEndIT {
    private static final int PER_TOPIC = 100_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    @Test
    void twoTopicsFourPartitions_withFaults_everyRecordOnceAsObjectsTokensAtLastOffsets() throws Exception {
        String[] topics = {"orders-hp", "payments-hp"};
        HpStreamingService hp = HpStreamingService.of(snowflake);
        for (String topic : topics) {
            kafka.createTopic(topic, 4);
            HpIts.produceIds(kafka, topic, 4, 0, PER_TOPIC);
        }
        // bounded faults on the rows path: lost answers (the SDK resends the same continuation token), 503s, 429s
        snowflake.faults().only("/v2/streaming/data/").dropNext(3).failNext(2);
        hp.throttleNext(2);
        long replayedBefore = hp.replayedRequests();
        long statusBefore = hp.statusRequests();
        long start = System.nanoTime();
        // 200,000 records stay in REST mode only well under the SDK's ~1 MiB-a-flush switch: on a loaded machine its
        // flush thread can fall seconds behind, and one late flush of a 400 kB/s channel went to file mode
        HighPerformanceStreamingBackend backend = HpIts.backend(snowflake, "E2E").maxChannelBytesPerSecond(128_000).build();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .name("hp-e2e")
                .consumerProperties(kafka.consumerProperties("group-hp-e2e"))
                .topics(topics)
                .flushPolicy(FlushPolicy.records(1_000).or(FlushPolicy.age(Duration.ofMillis(200))))
                .commitInterval(Duration.ofMillis(200))
                .backend(backend)
                .build()) {
            bridge.start();
            Await.until("every record committed in Kafka", Duration.ofSeconds(240),
                    () -> HpIts.committedSum(kafka, "group-hp-e2e") == 2L * PER_TOPIC);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        snowflake.faults().reset();
        snowflake.awaitIdle(Duration.ofSeconds(30));
        for (String topic : topics) {
            String table = "DB.E2E." + TableNamer.connectorDefault().tableName(topic);
            ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
            for (Row row : snowflake.table(table).rows()) {
                HpIts.assertRow(row, topic, 4);
            }
            assertEquals(HpIts.expectedTokens(kafka, topic), hp.committedOffsetTokens(table));
        }
        assertTrue(hp.replayedRequests() > replayedBefore, "no lost answer was replayed: the faults did not bite");
        long statuses = hp.statusRequests() - statusBefore;
        System.out.printf("hp e2e: %,d records in %.1f s; %d replayed, %d status requests for 8 channels (%.1f/s)%n",
                2L * PER_TOPIC, seconds, hp.replayedRequests() - replayedBefore, statuses, statuses / seconds);
        // status is batched per pipe (one SDK status cache refresh a second), never one request per channel
        assertTrue(statuses / seconds < 2 * 2 * 2, "too many status requests: " + statuses + " in " + seconds + " s");
    }
}
