package io.ksbridge.ingest;

import java.util.OptionalLong;

/**
 * What a backend already holds for a partition when it is assigned: the next Kafka offset to read, when
 * the backend knows it (Streaming: committed offset token + 1; Snowpipe: the last offset its staged or loaded
 * files cover + 1). The bridge resumes there instead of at Kafka's committed offset, which turns
 * at-least-once into exactly-once.
 *
 * @param nextOffset the next offset to read, or empty when the backend does not know
 */
public record PartitionStart(OptionalLong nextOffset) {
    private static final PartitionStart UNKNOWN = new PartitionStart(OptionalLong.empty());

    /** The backend holds nothing it can vouch for: resume from Kafka's committed offset. */
    public static PartitionStart unknown() {
        return UNKNOWN;
    }

    /** Resume at {@code nextOffset}. */
    public static PartitionStart at(long nextOffset) {
        if (nextOffset < 0) {
            throw new IllegalArgumentException("nextOffset must be >= 0, was " + nextOffset);
        }
        return new PartitionStart(OptionalLong.of(nextOffset));
    }
}
