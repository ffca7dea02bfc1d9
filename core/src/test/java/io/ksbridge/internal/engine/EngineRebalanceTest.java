package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Host loop without a consumer ({@code rebalanceListener()}): the offsets it reports across revoke and reassign. */
class EngineRebalanceTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    /** Every batch durable at once; a partition resumes where its last durable batch ended. */
    static final class DurableBackend implements IngestBackend {
        long next;

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            return PartitionStart.at(next);
        }

        @Override
        public CompletionStage<IngestResult> ingest(IngestBatch batch) {
            next = batch.lastOffset() + 1;
            return CompletableFuture.completedFuture(IngestResult.durable());
        }

        @Override
        public void close() {
        }
    }

    private static ConsumerRecords<byte[], byte[]> records(long from, long to) {
        return Polls.records(TP, from, to);
    }

    private static ConsumerRecords<byte[], byte[]> none() {
        return Polls.none();
    }

    @Test
    void revokeThenReassign_hostLoop_offsetsNeverStale() {
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder().format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(10)).backend(new DurableBackend()).build()) {
            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            bridge.accept(records(0, 10));
            bridge.accept(none());
            assertEquals(Map.of(TP, new OffsetAndMetadata(10)), bridge.durableOffsets());

            bridge.accept(records(10, 15)); // buffered: revoking flushes it
            bridge.rebalanceListener().onPartitionsRevoked(List.of(TP));
            assertEquals(Map.of(TP, new OffsetAndMetadata(15)), bridge.durableOffsets(),
                    "the revoked partition's last durable offset, for the host's commit");
            assertFalse(bridge.durableOffsets().containsKey(TP),
                    "a partition no longer owned is not reported again: its new owner commits it");

            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            bridge.accept(records(15, 25));
            bridge.accept(none());
            assertEquals(Map.of(TP, new OffsetAndMetadata(25)), bridge.durableOffsets(),
                    "given back: the live offset, not the one from before the revoke");
        }
    }

    @Test
    void revokeThenReassignBeforeTheHostCommits_liveOffsetWins() {
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder().format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(10)).backend(new DurableBackend()).build()) {
            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            bridge.accept(records(0, 10));
            bridge.rebalanceListener().onPartitionsRevoked(List.of(TP));
            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            bridge.accept(records(10, 20));
            bridge.accept(none());
            assertEquals(Map.of(TP, new OffsetAndMetadata(20)), bridge.durableOffsets());
        }
    }
}
