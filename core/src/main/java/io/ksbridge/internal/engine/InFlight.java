package io.ksbridge.internal.engine;

import io.ksbridge.ingest.IngestBatch;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One batch of one partition, from flush until it is durable. Owned by the polling thread. */
final class InFlight {
    enum State { SUBMITTED, RETRY_WAIT, DURABLE }

    final PartitionState partition;
    IngestBatch batch;
    /** The records behind the rows, same order, kept for dead-lettering rows Snowflake rejects. */
    List<ConsumerRecord<byte[], byte[]>> sources;
    final long bytes;
    final long flushedNanos;
    State state;
    int attempts;
    long dueNanos;
    boolean abandoned;
    boolean released;

    InFlight(PartitionState partition, IngestBatch batch, List<ConsumerRecord<byte[], byte[]>> sources, long bytes,
             long flushedNanos) {
        this.partition = partition;
        this.batch = batch;
        this.sources = sources;
        this.bytes = bytes;
        this.flushedNanos = flushedNanos;
    }
}
