package io.ksbridge;

import org.apache.kafka.common.header.Headers;

/**
 * Where the bytes a {@link RecordFormat} converts come from. Valid only during the
 * {@link RecordFormat#write} call that receives it. Not thread-safe.
 */
public interface FormatContext {
    /** The record's topic, never null. */
    String topic();

    /** The record's partition. */
    int partition();

    /** The record's offset. */
    long offset();

    /** True when the bytes are the record's key, false for its value. */
    boolean isKey();

    /** The record's headers, never null (may be empty). Read-only. */
    Headers headers();

    /** The record's coordinates, never null. */
    default RecordCoordinates coordinates() {
        return new RecordCoordinates(topic(), partition(), offset());
    }
}
