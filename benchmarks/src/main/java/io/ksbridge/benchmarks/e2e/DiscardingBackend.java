package io.ksbridge.benchmarks.e2e;

import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** Completes every batch at once: measures the engine and the format alone. */
final class DiscardingBackend implements IngestBackend {
    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        return PartitionStart.unknown();
    }

    @Override
    public CompletionStage<IngestResult> ingest(IngestBatch batch) {
        return CompletableFuture.completedFuture(IngestResult.durable());
    }

    @Override
    public String name() {
        return "discard";
    }

    @Override
    public void close() {
    }
}
