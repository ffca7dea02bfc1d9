package io.ksbridge.internal.engine;

import io.ksbridge.ingest.IngestBatch;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One batch of one partition, from flush until it is durable. Owned by the polling thread. */
final class InFlight {
    /**
     * SUBMITTED: with the backend. RETRY_WAIT: failed transiently, waits for its backoff. DURABLE: done. FAILED: the
     * bridge stops because of it; it stays in its partition's queue so no offset moves past it.
     */
    enum State { SUBMITTED, RETRY_WAIT, DURABLE, FAILED }

    final PartitionState partition;
    IngestBatch batch;
    /** The records behind the rows, same order, kept for dead-lettering rows Snowflake rejects. */
    List<ConsumerRecord<byte[], byte[]>> sources;
    final long bytes;
    final long flushedNanos;
    /** The offset of the batch's first record (its range may start lower: offsets of no row, or of other tables). */
    final long firstRecord;
    State state;
    int attempts;
    long dueNanos;
    /** When the current attempt was handed over; its deadline runs from here. */
    long submittedNanos;
    /** The half-way warning of the current attempt was logged. */
    boolean warned;
    boolean abandoned;
    boolean released;

    InFlight(PartitionState partition, IngestBatch batch, List<ConsumerRecord<byte[], byte[]>> sources, long bytes,
             long flushedNanos) {
        this.partition = partition;
        this.batch = batch;
        this.sources = sources;
        this.bytes = bytes;
        this.flushedNanos = flushedNanos;
        this.firstRecord = partition.firstInBuffer >= 0 ? partition.firstInBuffer : batch.firstOffset();
    }
}
