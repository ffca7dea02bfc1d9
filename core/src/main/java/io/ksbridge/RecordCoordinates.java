package io.ksbridge;

import java.util.Objects;

/**
 * Where a Kafka record lives: topic, partition and offset. Used in errors and events so that a
 * record can always be found again. Never carries payload bytes.
 *
 * @param topic     the topic, never null
 * @param partition the partition, &ge; 0
 * @param offset    the offset, &ge; 0
 */
public record RecordCoordinates(String topic, int partition, long offset) {
    public RecordCoordinates {
        Objects.requireNonNull(topic, "topic must not be null");
    }

    /** {@code topic-partition@offset}, for example {@code orders-3@1042}. */
    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
