package io.ksbridge;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record as a {@link RecordTransform} sees it, after the format: where it comes from (topic, partition, offset,
 * timestamp), the JSON of its value (what becomes {@code RECORD_CONTENT}) and of its key, and its headers (what
 * {@code RECORD_METADATA} shows). Immutable: the {@code with...} methods return a changed copy. Thread-safe.
 */
public final class TransformRecord {
    private static final RecordHeaders NO_HEADERS = emptyHeaders();

    private final RecordCoordinates coordinates;
    private final long timestamp;
    private final LazyJson key;
    private final LazyJson value;
    private final Headers headers;

    private TransformRecord(RecordCoordinates coordinates, long timestamp, LazyJson key, LazyJson value,
            Headers headers) {
        this.coordinates = coordinates;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
    }

    /**
     * A record; for the bridge, and for testing a transform.
     *
     * @param coordinates where the record lives, never null
     * @param timestamp   the record's timestamp in epoch milliseconds, or -1 when it has none
     * @param key         the key's JSON, or null for a null key
     * @param value       the value's JSON, never null (a tombstone kept by {@code behavior.on.null.values=DEFAULT}
     *                    is {@code {}})
     * @param headers     the headers, never null; copied when not read-only already
     */
    public static TransformRecord of(RecordCoordinates coordinates, long timestamp, LazyJson key, LazyJson value,
            Headers headers) {
        return new TransformRecord(Objects.requireNonNull(coordinates, "coordinates must not be null"), timestamp, key,
                Objects.requireNonNull(value, "value must not be null"), readOnly(headers));
    }

    /** Headers as they are, when they cannot change behind the record's back. */
    static Headers readOnly(Headers headers) {
        Objects.requireNonNull(headers, "headers must not be null");
        if (headers instanceof RecordHeaders rh && rh == NO_HEADERS) {
            return headers;
        }
        Header[] all = headers.toArray();
        if (all.length == 0) {
            return NO_HEADERS;
        }
        RecordHeaders copy = new RecordHeaders(all);
        copy.setReadOnly();
        return copy;
    }

    private static RecordHeaders emptyHeaders() {
        RecordHeaders h = new RecordHeaders();
        h.setReadOnly();
        return h;
    }

    /** Topic, partition and offset of the Kafka record, never null. Rows made from this record keep them. */
    public RecordCoordinates coordinates() {
        return coordinates;
    }

    /** The topic, never null. */
    public String topic() {
        return coordinates.topic();
    }

    /** The partition. */
    public int partition() {
        return coordinates.partition();
    }

    /** The offset. */
    public long offset() {
        return coordinates.offset();
    }

    /** The record's timestamp in epoch milliseconds, or -1 when it has none. */
    public long timestamp() {
        return timestamp;
    }

    /** The key's JSON as the key format wrote it, or null for a null key. */
    public LazyJson key() {
        return key;
    }

    /** The value's JSON, never null: what becomes {@code RECORD_CONTENT}. */
    public LazyJson value() {
        return value;
    }

    /** The headers, read-only, never null. */
    public Headers headers() {
        return headers;
    }

    /** The last header named {@code key} as UTF-8 text, or null when there is none or its value is null. */
    public String header(String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** This record with another value. */
    public TransformRecord withValue(LazyJson value) {
        return value == this.value ? this
                : new TransformRecord(coordinates, timestamp, key, Objects.requireNonNull(value, "value must not be null"),
                        headers);
    }

    /** This record with another key (null: no key). */
    public TransformRecord withKey(LazyJson key) {
        return key == this.key ? this : new TransformRecord(coordinates, timestamp, key, value, headers);
    }

    /** This record with other headers (copied). */
    public TransformRecord withHeaders(Headers headers) {
        return new TransformRecord(coordinates, timestamp, key, value, readOnly(headers));
    }

    @Override
    public String toString() {
        return "TransformRecord{" + coordinates + ", timestamp=" + timestamp + "}";
    }
}
