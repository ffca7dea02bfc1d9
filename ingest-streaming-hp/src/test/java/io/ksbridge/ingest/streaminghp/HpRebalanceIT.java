package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three bridges join one group while loading, then two leave: channels move between owners (each taking a channel
 * over reopens it, so the old handle's requests are refused) and every record lands once.
 */
@KsbridgeTest
class HpRebalanceIT {
    private static final int RECORDS = 24_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge bridge(String topic, int n) {
        return KafkaToSnowflakeBridge.builder()
                .name("hp-member-" + n)
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(HpIts.backend(snowflake, "HPREBALANCE").build())
                .build();
    }

    @Test
    void threeBridgesJoinAndLeave_channelsMoveAndEveryRecordLandsOnce() throws Exception {
        String topic = "hp-rebalancing";
        String table = "DB.HPREBALANCE." + TableNamer.connectorDefault().tableName(topic);
        kafka.createTopic(topic, 6);
        HpStreamingService hp = HpStreamingService.of(snowflake);
        long opensBefore = hp.channelOpens();
        List<KafkaToSnowflakeBridge> members = new ArrayList<>();
        int step = RECORDS / 4;
        for (int n = 0; n < 3; n++) {
            HpIts.produceIds(kafka, topic, 6, n * step, (n + 1) * step);
            KafkaToSnowflakeBridge b = bridge(topic, n);
            b.start();
            members.add(b);
            int landed = (n + 1) * step / 2;
            Await.until("member " + n + " joined and rows land", Duration.ofSeconds(90),
                    () -> HpIts.rowCount(snowflake, table) >= landed);
        }
        // two leave while the last quarter is loading
        HpIts.produceIds(kafka, topic, 6, 3 * step, RECORDS);
        members.remove(0).close();
        members.remove(0).close();
        Await.until("every offset committed", Duration.ofSeconds(120), () -> HpIts.committedSum(kafka, "group-" + topic) == RECORDS);
        members.remove(0).close();
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(HpIts.expectedTokens(kafka, topic), hp.committedOffsetTokens(table));
        long opens = hp.channelOpens() - opensBefore;
        System.out.printf("hp rebalance: %d channel opens for 6 partitions, %d requests of fenced handles refused%n",
                opens, hp.fencedRequests());
        org.junit.jupiter.api.Assertions.assertTrue(opens > 6, "the channels never moved: " + opens + " opens");
    }
}
