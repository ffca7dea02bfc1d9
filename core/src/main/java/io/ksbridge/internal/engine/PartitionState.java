package io.ksbridge.internal.engine;

import io.ksbridge.ingest.IngestRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Buffer and offset bookkeeping of one assigned partition, which is also its one lane (table) in the backend. With a
 * {@link io.ksbridge.TableRouter} the partition's state holds its {@link RoutedOffsets} instead, and each table the
 * partition feeds is a lane of its own, another {@code PartitionState} of the same partition (whose partition-level
 * fields are then unused). Owned by the polling thread.
 */
final class PartitionState {
    final TopicPartition tp;
    final String table;

    /** Records below this offset are already handled (or held by the backend) and are dropped. -1: not known yet. */
    long nextOffset = -1;
    /** The next offset after everything durable; what Kafka may be told. -1: not known yet. */
    long durableNext = -1;
    /** The first offset read since the partition was opened, -1 before any. */
    long firstRead = -1;
    /** The last durable offset committed to Kafka (next offset to read), -1 when none. */
    long committedNext = -1;
    /** Routing: the partition's lanes and offsets; null without a router. */
    RoutedOffsets routes;
    /** A lane of a routed partition: records below this offset are already in its table. */
    long dropBelow = -1;
    /** The offset of the first record in the open buffer. */
    long firstInBuffer = -1;

    // the open buffer
    long rangeStart = -1;
    long rangeEnd = -1;
    long records;
    long bytes;
    long firstAppendNanos;
    List<IngestRow> rows = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> sources = new ArrayList<>();
    List<Future<?>> deadLetters = new ArrayList<>();

    /** Batches flushed and not yet durable at the head, in offset order. */
    final ArrayDeque<InFlight> batches = new ArrayDeque<>();

    /** Set while a retriable format failure (a schema registry down) holds the partition back. */
    long backoffUntilNanos;
    int formatAttempts;

    PartitionState(TopicPartition tp, String table) {
        this.tp = tp;
        this.table = table;
    }

    boolean bufferEmpty() {
        return records == 0;
    }

    boolean hasRetryWaiting() {
        for (InFlight f : batches) {
            if (f.state == InFlight.State.RETRY_WAIT) {
                return true;
            }
        }
        return false;
    }

    /** True while a batch is with the backend or waits for a retry. */
    boolean hasPending() {
        for (InFlight f : batches) {
            if (f.state == InFlight.State.SUBMITTED || f.state == InFlight.State.RETRY_WAIT) {
                return true;
            }
        }
        return false;
    }

    void addRow(IngestRow row, ConsumerRecord<byte[], byte[]> source, long size, long nowNanos) {
        touch(source.offset(), nowNanos);
        rows.add(row);
        sources.add(source);
        bytes += size;
    }

    /** A record that produced no row (dead-lettered, skipped, ignored) still extends the range. */
    void addNoRow(long offset, long nowNanos) {
        touch(offset, nowNanos);
    }

    private void touch(long offset, long nowNanos) {
        if (firstRead < 0) {
            firstRead = offset;
        }
        if (records == 0) {
            firstAppendNanos = nowNanos;
            firstInBuffer = offset;
            if (rangeStart < 0) {
                rangeStart = offset;
            }
        }
        records++;
        rangeEnd = offset;
        nextOffset = offset + 1;
    }

    /** The lowest offset buffered or in flight (not yet durable) in this lane, -1 when none. */
    long lowestPending() {
        InFlight head = batches.peekFirst();
        if (head != null) {
            return head.firstRecord;
        }
        return records == 0 ? -1 : firstInBuffer;
    }

    /** The offset Kafka may be told for this partition, -1 when not known yet. */
    long commitNext() {
        if (routes != null) {
            long c = routes.committable();
            if (c > durableNext) {
                durableNext = c;
            }
        }
        return durableNext;
    }

    /** What Kafka is told: {@link #commitNext()} and, routed, the tables the partition fed. */
    OffsetAndMetadata toCommit() {
        return routes == null ? new OffsetAndMetadata(durableNext) : new OffsetAndMetadata(durableNext, routes.metadata());
    }

    void resetBuffer() {
        rangeStart = rangeEnd + 1;
        records = 0;
        bytes = 0;
        rows = new ArrayList<>();
        sources = new ArrayList<>();
        deadLetters = new ArrayList<>();
    }
}
