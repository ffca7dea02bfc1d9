package io.ksbridge.ingest;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * An immutable batch for one table from one Kafka partition: the rows, in offset order, and the range of
 * offsets the batch covers. The range can be wider than the rows' offsets: records that produced no row
 * (dead-lettered, skipped, ignored tombstones, compacted or transaction-marker offsets) still belong to it, so
 * a backend that stores a position (an offset token, a file name) stores {@link #lastOffset()}.
 *
 * <p>A batch that is retried is the same batch: same rows, same range, same {@link #id()}. Backends make
 * re-ingesting it idempotent.
 *
 * @param table       the target table (unqualified, as {@link io.ksbridge.TableNamer} returned it), never null
 * @param partition   the Kafka topic and partition, never null
 * @param firstOffset the first offset the batch covers
 * @param lastOffset  the last offset the batch covers, &ge; firstOffset
 * @param rows        the rows, in offset order, may be empty; never null
 * @param attempt     1 for the first attempt, then 2, 3, … for retries
 */
public record IngestBatch(String table, TopicPartition partition, long firstOffset, long lastOffset, List<IngestRow> rows,
                          int attempt) {
    public IngestBatch {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(partition, "partition");
        rows = List.copyOf(rows);
        if (lastOffset < firstOffset) {
            throw new IllegalArgumentException("lastOffset " + lastOffset + " < firstOffset " + firstOffset);
        }
    }

    /** A stable id for this batch, the same on every attempt: {@code table/topic-partition/first-last}. */
    public String id() {
        return table + "/" + partition + "/" + firstOffset + "-" + lastOffset;
    }

    /** The sum of {@link IngestRow#sizeInBytes()} over the rows. */
    public long sizeInBytes() {
        long total = 0;
        for (IngestRow row : rows) {
            total += row.sizeInBytes();
        }
        return total;
    }

    /** The same batch, for attempt {@code attempt}. */
    public IngestBatch withAttempt(int attempt) {
        return new IngestBatch(table, partition, firstOffset, lastOffset, rows, attempt);
    }

    @Override
    public String toString() {
        return "IngestBatch{" + id() + ", rows=" + rows.size() + ", attempt=" + attempt + "}";
    }
}
