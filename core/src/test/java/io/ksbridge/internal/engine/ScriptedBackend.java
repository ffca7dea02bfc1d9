package io.ksbridge.internal.engine;

import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** Records every batch handed over, in arrival order; the test completes each one. */
class ScriptedBackend implements IngestBackend {
    final List<IngestBatch> arrivals = new ArrayList<>();
    final List<CompletableFuture<IngestResult>> results = new ArrayList<>();
    final boolean ordered;

    ScriptedBackend(boolean ordered) {
        this.ordered = ordered;
    }

    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        return PartitionStart.at(0);
    }

    @Override
    public synchronized CompletionStage<IngestResult> ingest(IngestBatch batch) {
        CompletableFuture<IngestResult> f = new CompletableFuture<>();
        arrivals.add(batch);
        results.add(f);
        return f;
    }

    @Override
    public boolean durableInOffsetOrder() {
        return ordered;
    }

    synchronized List<String> order() {
        List<String> ids = new ArrayList<>();
        for (IngestBatch b : arrivals) {
            ids.add(b.firstOffset() + "-" + b.lastOffset() + "#" + b.attempt());
        }
        return ids;
    }

    synchronized CompletableFuture<IngestResult> result(int arrival) {
        return results.get(arrival);
    }

    @Override
    public void close() {
    }
}
