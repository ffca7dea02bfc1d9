package io.ksbridge;

import java.time.Duration;
import java.util.Objects;

/**
 * An immutable snapshot of one partition's buffer, measured by the engine, from which a
 * {@link FlushPolicy} decides.
 *
 * @param table     the Snowflake table the buffer goes to, never null
 * @param topic     the Kafka topic, never null
 * @param partition the Kafka partition
 * @param records   the number of records buffered (rows, plus records that produce no row), &ge; 0
 * @param bytes     the bytes buffered (row content and metadata), &ge; 0
 * @param age       time since the oldest buffered record arrived, never null, zero when empty
 */
public record BufferStats(String table, String topic, int partition, long records, long bytes, Duration age) {
    public BufferStats {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(age, "age");
    }
}
