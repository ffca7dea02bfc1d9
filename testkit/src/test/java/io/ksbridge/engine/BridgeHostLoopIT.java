package io.ksbridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeClosedException;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RetryPolicy;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The host's own consumer loop hands records over and commits what the bridge reports durable; retries and fatal errors. */
@KsbridgeTest
class BridgeHostLoopIT {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties(group));
        props.put("enable.auto.commit", false);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Test
    void hostLoop_acceptAndCommitDurable_everyRecordOnceAndCommitNeverAheadOfDurable() throws Exception {
        String topic = "host";
        kafka.createTopic(topic, 3);
        int total = 30_000;
        ItSupport.produceIds(kafka, topic, 3, 0, total);
        RecordingBackend backend = new RecordingBackend().delay(Duration.ofMillis(20));
        KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .flushPolicy(FlushPolicy.records(1_000).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend)
                .build();
        int violations = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("host-group")) {
            consumer.subscribe(List.of(topic), bridge.rebalanceListener(consumer));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (backend.rowCount() < total && System.nanoTime() < deadline) {
                bridge.accept(consumer.poll(Duration.ofMillis(50)));
                Map<TopicPartition, OffsetAndMetadata> durable = bridge.durableOffsets();
                Map<TopicPartition, Long> covered = backend.coveredOffsets();
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : durable.entrySet()) {
                    Long last = covered.get(e.getKey());
                    if (e.getValue().offset() > 0 && (last == null || e.getValue().offset() > last + 1)) {
                        violations++;
                    }
                }
                consumer.commitSync(durable);
            }
            bridge.close();
            consumer.commitSync(bridge.durableOffsets());
        }
        assertEquals(0, violations, "durable offsets ran ahead of the backend");
        ExactlyOnce.assertEveryRecordOnce(backend, "HOST", kafka.endOffsets(topic));
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("host-group"));
        assertThrows(BridgeClosedException.class, () -> bridge.accept(ConsumerRecords.empty()));
    }

    @Test
    void hostLoop_backendAheadOfKafka_seekTargetsReportedAndHeldRecordsDropped() throws Exception {
        String topic = "host-ahead";
        kafka.createTopic(topic, 2);
        ItSupport.produceIds(kafka, topic, 2, 0, 2_000);
        RecordingBackend store = new RecordingBackend();
        // A first host loads everything and crashes before committing anything to Kafka.
        KafkaToSnowflakeBridge first = KafkaToSnowflakeBridge.builder()
                .flushPolicy(FlushPolicy.records(250)).backend(RecordingBackend.sharing(store)).build();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("ahead-group")) {
            consumer.subscribe(List.of(topic), first.rebalanceListener(consumer));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (store.rowCount() < 2_000 && System.nanoTime() < deadline) {
                first.accept(consumer.poll(Duration.ofMillis(50)));
            }
            io.ksbridge.testkit.TestBridges.crash(first);
        }
        assertEquals(Map.of(), kafka.committedOffsets("ahead-group"));

        // A second host uses the listener that does not seek: the bridge reports targets and drops what is held.
        KafkaToSnowflakeBridge second = KafkaToSnowflakeBridge.builder()
                .flushPolicy(FlushPolicy.records(250)).backend(RecordingBackend.sharing(store)).build();
        Map<TopicPartition, Long> targets = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("ahead-group")) {
            consumer.subscribe(List.of(topic), second.rebalanceListener());
            ItSupport.produceIds(kafka, topic, 2, 2_000, 2_100);
            Map<TopicPartition, Long> end = kafka.endOffsets(topic);
            // the last 100 records are fewer than a flush (250): they land at close(), once the host has read them all
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!readTo(consumer, end) && System.nanoTime() < deadline) {
                second.accept(consumer.poll(Duration.ofMillis(50)));
                if (targets.isEmpty()) {
                    targets.putAll(second.seekTargets());
                }
            }
            assertTrue(readTo(consumer, end), "the second host read to the end within 30 s: " + consumer.assignment());
            second.close();
            consumer.commitSync(second.durableOffsets());
        }
        assertEquals(Map.of(new TopicPartition(topic, 0), 1_000L, new TopicPartition(topic, 1), 1_000L), targets);
        ExactlyOnce.assertEveryRecordOnce(store, "HOST_AHEAD_" + Math.abs(topic.hashCode()), kafka.endOffsets(topic));
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("ahead-group"));
    }

    @Test
    void transientFailures_areRetriedWithBackoffAndReported_noDuplicates() throws Exception {
        String topic = "retries";
        kafka.createTopic(topic, 2);
        ItSupport.produceIds(kafka, topic, 2, 0, 5_000);
        RecordingBackend backend = new RecordingBackend().failNextRetriably(3);
        List<BridgeEvents.Retry> retries = new CopyOnWriteArrayList<>();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("retry-group"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(100))))
                .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)))
                .backend(backend)
                .listener(new BridgeListener() {
                    @Override
                    public void onRetry(BridgeEvents.Retry event) {
                        retries.add(event);
                    }
                })
                .build()) {
            bridge.start();
            Await.until("all rows", Duration.ofSeconds(30), () -> backend.rowCount() >= 5_000);
        }
        assertEquals(3, retries.size());
        assertTrue(retries.get(0).cause().getMessage().startsWith("injected transient failure for batch RETRIES/retries-"));
        ExactlyOnce.assertEveryRecordOnce(backend, "RETRIES", kafka.endOffsets(topic));
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("retry-group"));
    }

    @Test
    void fatalFailure_stopsTheBridgeAndCommitsNothingPastDurable() throws Exception {
        String topic = "fatal";
        kafka.createTopic(topic, 1);
        ItSupport.produceIds(kafka, topic, 1, 0, 1_000);
        RecordingBackend backend = new RecordingBackend();
        KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("fatal-group"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(100))
                .backend(backend)
                .build();
        bridge.start();
        Await.until("some rows", Duration.ofSeconds(30), () -> backend.rowCount() >= 300);
        backend.failNextFatally(1);
        ItSupport.produceIds(kafka, topic, 1, 1_000, 1_200);
        IngestException e = assertThrows(IngestException.class, () -> bridge.awaitTermination(Duration.ofSeconds(30)));
        assertTrue(e.getMessage().startsWith("injected fatal failure for batch FATAL/fatal-0/"), e.getMessage());
        long committed = kafka.committedOffsets("fatal-group").getOrDefault(new TopicPartition(topic, 0), 0L);
        long durable = backend.coveredOffsets().get(new TopicPartition(topic, 0)) + 1;
        assertTrue(committed <= durable, "committed " + committed + " past durable " + durable);
        bridge.close();
    }

    /** Whether {@code consumer} owns every partition of {@code end} and its position is at that partition's end. */
    private static boolean readTo(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        if (!consumer.assignment().containsAll(end.keySet())) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
