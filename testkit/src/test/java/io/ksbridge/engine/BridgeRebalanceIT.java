package io.ksbridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import io.ksbridge.testkit.TestBridges;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consumer-group membership changes and crashes: every record lands once. */
@KsbridgeTest
class BridgeRebalanceIT {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
    }

    private static KafkaToSnowflakeBridge bridge(String name, String group, String topic, RecordingBackend backend,
                                                 BridgeListener listener) {
        return KafkaToSnowflakeBridge.builder()
                .name(name)
                .consumerProperties(kafka.consumerProperties(group))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(700).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend)
                .listener(listener)
                .build();
    }

    @Test
    void consumerGroup_memberJoinsAndAnotherLeavesWhileProducing_everyRecordExactlyOnce() throws Exception {
        String topic = "rebalance";
        kafka.createTopic(topic, 6);
        RecordingBackend store = new RecordingBackend();
        AtomicInteger revocations = new AtomicInteger();
        BridgeListener counting = new BridgeListener() {
            @Override
            public void onRevoked(Set<TopicPartition> partitions) {
                revocations.incrementAndGet();
            }
        };
        int total = 60_000;
        KafkaToSnowflakeBridge a = bridge("a", "group-r", topic, RecordingBackend.sharing(store), counting);
        KafkaToSnowflakeBridge b = bridge("b", "group-r", topic, RecordingBackend.sharing(store), counting);
        KafkaToSnowflakeBridge c = bridge("c", "group-r", topic, RecordingBackend.sharing(store), counting);
        a.start();
        b.start();
        ItSupport.produceIds(kafka, topic, 6, 0, 20_000);
        Await.until("first third", Duration.ofSeconds(60), () -> store.rowCount() >= 10_000);
        c.start();                                          // a third member joins
        ItSupport.produceIds(kafka, topic, 6, 20_000, 40_000);
        Await.until("second third", Duration.ofSeconds(60), () -> store.rowCount() >= 30_000);
        a.close();                                          // one leaves
        ItSupport.produceIds(kafka, topic, 6, 40_000, total);
        Await.until("all rows", Duration.ofSeconds(60), () -> store.rowCount() >= total);
        b.close();
        c.close();

        String table = "REBALANCE";
        ExactlyOnce.assertEveryRecordOnce(store, table, kafka.endOffsets(topic));
        assertTrue(revocations.get() >= 2, "expected rebalances, saw " + revocations.get() + " revocations");
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("group-r"));
        assertEquals(0, store.repeatedBatchCount());
    }

    @Test
    void crashes_fiveAbruptStopsAndRestartsWhileProducing_nothingLostNothingTwice() throws Exception {
        String topic = "crashes";
        kafka.createTopic(topic, 4);
        RecordingBackend store = new RecordingBackend();
        int total = 50_000;
        int step = total / 5;
        int backendAheadOfKafka = 0;
        for (int round = 0; round < 5; round++) {
            ItSupport.produceIds(kafka, topic, 4, round * step, (round + 1) * step);
            KafkaToSnowflakeBridge bridge = bridge("crash-" + round, "group-c", topic, RecordingBackend.sharing(store),
                    BridgeListener.noop());
            bridge.start();
            long target = (long) (round + 0.5) * step;
            Await.until("rows before crash " + round, Duration.ofSeconds(60), () -> store.rowCount() >= target);
            TestBridges.crash(bridge);                      // no flush, no commit
            assertTrue(!bridge.isRunning());
            Map<TopicPartition, Long> committed = kafka.committedOffsets("group-c");
            for (Map.Entry<TopicPartition, Long> e : ItSupport.plusOne(store.coveredOffsets()).entrySet()) {
                if (e.getValue() > committed.getOrDefault(e.getKey(), 0L)) {
                    backendAheadOfKafka++;
                }
            }
        }
        assertTrue(backendAheadOfKafka > 0, "the crashes never left Snowflake ahead of Kafka's commit: the test proves nothing");
        // Kafka's committed offsets lag behind what the backend holds: a plain at-least-once restart would double rows.
        KafkaToSnowflakeBridge last = bridge("final", "group-c", topic, RecordingBackend.sharing(store), BridgeListener.noop());
        last.start();
        Await.until("all rows", Duration.ofSeconds(60), () -> store.rowCount() >= total);
        // The restarted bridge learns from the backend where Snowflake's data ends and commits it to Kafka.
        Await.until("committed offsets caught up", Duration.ofSeconds(60),
                () -> kafka.committedOffsets("group-c").equals(kafka.endOffsets(topic)));
        last.close();
        ExactlyOnce.assertEveryRecordOnce(store, "CRASHES", kafka.endOffsets(topic));
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("group-c"));
    }
}
