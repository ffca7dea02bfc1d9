package io.ksbridge;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** The immutable events a {@link BridgeListener} receives. */
public final class BridgeEvents {
    private BridgeEvents() {
    }

    /**
     * A buffer became a batch and went to the backend.
     *
     * @param reason what triggered it: {@code policy}, {@code memory} (the buffer cap), {@code revoke},
     *               {@code close}
     */
    public record Flush(String table, TopicPartition partition, long firstOffset, long lastOffset, int rows, long bytes,
                        String reason) {
    }

    /** The backend made a batch durable: its rows are in Snowflake (or accepted for loading by Snowpipe). */
    public record Durable(String table, TopicPartition partition, long firstOffset, long lastOffset, int rows,
                          long bytes, Duration latency) {
    }

    /** Offsets were committed to Kafka: for each partition, the next offset to read. */
    public record Commit(Map<TopicPartition, Long> offsets) {
        public Commit {
            offsets = Map.copyOf(offsets);
        }
    }

    /**
     * A batch failed for a transient reason and will be retried after {@code delay}; or, with both offsets -1,
     * opening the partition in the backend failed and will be tried again (the partition is paused meanwhile); or,
     * with both offsets the record's, a record could not be converted yet (its format failed retriably: a schema
     * registry unreachable) and will be read again (its partition waits for it).
     */
    public record Retry(String table, TopicPartition partition, long firstOffset, long lastOffset, int attempt,
                        Duration delay, Throwable cause) {

        /** True when this is a retry of opening the partition, not of a batch. */
        public boolean isOpen() {
            return firstOffset < 0 && lastOffset < 0;
        }
    }

    /**
     * A record went to the dead-letter topic.
     *
     * @param reason the error, as written in the {@code ksbridge.error.message} header
     */
    public record DeadLetter(RecordCoordinates record, String deadLetterTopic, String reason) {
        public DeadLetter {
            Objects.requireNonNull(record, "record");
        }
    }

    /** A record was skipped, as {@link ErrorPolicy#skip()} asked. */
    public record Skip(RecordCoordinates record, String reason) {
    }

    /**
     * A record was filtered out by a {@link RecordTransform} (it returned no record): no row, and its offset counts as
     * handled.
     *
     * @param record    the record, never null
     * @param transform the name of the transform (chain) that filtered it, never null
     */
    public record Filtered(RecordCoordinates record, String transform) {
    }

    /** Partitions were paused (memory cap reached) or resumed. */
    public record Backpressure(Set<TopicPartition> partitions, boolean paused, long bufferedBytes) {
        public Backpressure {
            partitions = Set.copyOf(partitions);
        }
    }

    /**
     * How far a partition's durable data is behind Kafka, measured on the polling thread from the consumer's last
     * fetch (no request to the broker). Reported about once a second per assigned partition, by an own-loop bridge,
     * and by a host-loop bridge whose host passed its consumer to {@code rebalanceListener(consumer)}.
     *
     * @param endOffset     the partition's end offset as the consumer last saw it: the high watermark, or the last
     *                      stable offset under {@code isolation.level=read_committed}. While the partition is
     *                      paused (memory cap), the value from before the pause.
     * @param durableOffset the next offset after the partition's durable data; before anything is durable, the
     *                      first offset this bridge read (or its position, when it has read nothing)
     */
    public record PartitionLag(String table, TopicPartition partition, long endOffset, long durableOffset) {
        /** Records in Kafka that are not yet durable in Snowflake: {@code endOffset - durableOffset}, at least 0. */
        public long lag() {
            return Math.max(0, endOffset - durableOffset);
        }
    }

    /** A load the backend had accepted later failed in Snowflake (Snowpipe); the file is kept for inspection. */
    public record LoadFailure(String table, TopicPartition partition, long firstOffset, long lastOffset,
                              String location, String error) {
    }
}
