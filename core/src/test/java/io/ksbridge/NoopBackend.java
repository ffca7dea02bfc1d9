package io.ksbridge;

import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/** A backend for tests that only build bridges: it is never started, so none of its methods may be called. */
public final class NoopBackend implements IngestBackend {
    private final String name;

    public NoopBackend(String name) {
        this.name = name;
    }

    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        throw new UnsupportedOperationException("NoopBackend is for builder tests only");
    }

    @Override
    public CompletionStage<IngestResult> ingest(IngestBatch batch) {
        throw new UnsupportedOperationException("NoopBackend is for builder tests only");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
    }
}
