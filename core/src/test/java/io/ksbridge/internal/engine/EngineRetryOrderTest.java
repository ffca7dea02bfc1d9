package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.RetryPolicy;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, the engine's half: a retried batch reaches the backend again before any later batch, in arrival order,
 * even when a later batch was handed over before the failure was known; and a backend that promises durable
 * outcomes in offset order is checked. Host-loop bridge driven by {@code accept}: no broker, no timing.
 */
class EngineRetryOrderTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private static KafkaToSnowflakeBridge bridge(ScriptedBackend backend) {
        KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(10))
                .retryPolicy(RetryPolicy.exponential(Duration.ofNanos(1), Duration.ofNanos(1)))
                .closeTimeout(Duration.ofMillis(200))
                .backend(backend)
                .build();
        bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
        return bridge;
    }

    private static ConsumerRecords<byte[], byte[]> records(long from, long to) {
        return Polls.records(TP, from, to);
    }

    private static ConsumerRecords<byte[], byte[]> none() {
        return Polls.none();
    }

    @Test
    void retry_laterBatchStillWithBackend_retriedBatchWaitsForItsOutcome() {
        ScriptedBackend backend = new ScriptedBackend(false);
        try (KafkaToSnowflakeBridge bridge = bridge(backend)) {
            bridge.accept(records(0, 10)); // A = 0-9
            bridge.accept(records(10, 20)); // B = 10-19, both with the backend
            assertEquals(List.of("0-9#1", "10-19#1"), backend.order());

            backend.result(0).complete(IngestResult.retry(new IngestException("A failed", true)));
            bridge.accept(records(20, 30)); // A is due at once, C = 20-29 is buffered
            bridge.accept(none());
            assertEquals(List.of("0-9#1", "10-19#1"), backend.order(),
                    "A must not go again while B, handed over before A failed, is still with the backend");

            backend.result(1).complete(IngestResult.retry(new IngestException("follows A", true)));
            bridge.accept(none());
            bridge.accept(none());
            assertEquals(List.of("0-9#1", "10-19#1", "0-9#2", "10-19#2", "20-29#1"), backend.order(),
                    "the retried batches again, in order, then the new one");

            backend.result(2).complete(IngestResult.durable());
            backend.result(3).complete(IngestResult.durable());
            backend.result(4).complete(IngestResult.durable());
            bridge.accept(none());
            assertEquals(30, bridge.durableOffsets().get(TP).offset());
        }
    }

    @Test
    void retry_laterBatchDurableMeanwhile_retriedAfterItsOutcome() {
        ScriptedBackend backend = new ScriptedBackend(false); // files: B may be durable before A
        try (KafkaToSnowflakeBridge bridge = bridge(backend)) {
            bridge.accept(records(0, 10));
            bridge.accept(records(10, 20));
            backend.result(0).complete(IngestResult.retry(new IngestException("A failed", true)));
            backend.result(1).complete(IngestResult.durable());
            bridge.accept(none());
            assertEquals(List.of("0-9#1", "10-19#1", "0-9#2"), backend.order());
            assertEquals(0, bridge.durableOffsets().getOrDefault(TP, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))
                    .offset(), "nothing durable before A");
            backend.result(2).complete(IngestResult.durable());
            bridge.accept(none());
            assertEquals(20, bridge.durableOffsets().get(TP).offset());
        }
    }

    @Test
    void orderedBackend_laterBatchDurableBeforeEarlierOne_bridgeStopsNamingBoth() {
        ScriptedBackend backend = new ScriptedBackend(true);
        try (KafkaToSnowflakeBridge bridge = bridge(backend)) {
            bridge.accept(records(0, 10));
            bridge.accept(records(10, 20));
            backend.result(1).complete(IngestResult.durable()); // B durable while A is still with the backend
            AssertionError e = assertThrows(AssertionError.class, () -> bridge.accept(none()), "an Error, not wrapped");
            String message = e.getMessage();
            assertTrue(message.contains("ORDERS/orders-0/10-19") && message.contains("ORDERS/orders-0/0-9"), message);
            assertTrue(bridge.durableOffsets().getOrDefault(TP, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))
                    .offset() == 0, "no offset past A");
        }
    }
}
