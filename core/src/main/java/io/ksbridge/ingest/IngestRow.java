package io.ksbridge.ingest;

import java.nio.charset.StandardCharsets;

/**
 * One row for Snowflake: the VARIANT JSON of {@code RECORD_CONTENT} and {@code RECORD_METADATA}, already
 * rendered, and the Kafka offset it came from. Immutable by contract: the arrays are shared, never change
 * them.
 */
public final class IngestRow {
    private final long offset;
    private final byte[] content;
    private final byte[] metadata;
    private final long bytes;
    private final int pushTimeAt;
    private final io.ksbridge.format.TypedColumns columns;

    /**
     * @param offset   the Kafka offset of the record
     * @param content  UTF-8 JSON of {@code RECORD_CONTENT}, one line, never null
     * @param metadata UTF-8 JSON of {@code RECORD_METADATA}, one line, or null when metadata is off
     */
    public IngestRow(long offset, byte[] content, byte[] metadata) {
        this(offset, content, metadata, -1);
    }

    /**
     * A row whose metadata holds a {@code SnowflakeConnectorPushTime} placeholder of {@link #PUSH_TIME_DIGITS} digits
     * at {@code pushTimeAt}, for the backend to fill in when it sends the row ({@link #stampPushTime}).
     *
     * @param offset     the Kafka offset of the record
     * @param content    UTF-8 JSON of {@code RECORD_CONTENT}, one line, never null
     * @param metadata   UTF-8 JSON of {@code RECORD_METADATA}, one line, or null when metadata is off
     * @param pushTimeAt where the placeholder's digits start in {@code metadata}, or -1 when it has none
     */
    public IngestRow(long offset, byte[] content, byte[] metadata, int pushTimeAt) {
        this(offset, content, metadata, pushTimeAt, null);
    }

    /**
     * A row whose value's format declared the typed columns of its schema ({@link io.ksbridge.JsonOutput#columns}),
     * for a backend that writes typed columns.
     *
     * @param columns the columns of the schema the value was written with, or null when its format declared none
     */
    public IngestRow(long offset, byte[] content, byte[] metadata, int pushTimeAt, io.ksbridge.format.TypedColumns columns) {
        this.columns = columns;
        this.offset = offset;
        this.content = java.util.Objects.requireNonNull(content, "content");
        this.metadata = metadata;
        this.bytes = 48L + content.length + (metadata == null ? 0 : metadata.length);
        if (pushTimeAt >= 0 && (metadata == null || pushTimeAt + PUSH_TIME_DIGITS > metadata.length)) {
            throw new IllegalArgumentException("push-time placeholder at " + pushTimeAt + " is outside the metadata");
        }
        this.pushTimeAt = pushTimeAt;
    }

    /** Width of the push-time placeholder: epoch milliseconds have 13 digits until the year 2286. */
    public static final int PUSH_TIME_DIGITS = 13;

    /** True when the metadata carries a push-time placeholder (the backend asked for it: {@code stampsPushTime()}). */
    public boolean hasPushTime() {
        return pushTimeAt >= 0;
    }

    /**
     * Writes {@code millis} into the metadata's push-time placeholder; nothing when it has none. The one exception to
     * "do not modify": a backend that {@linkplain IngestBackend#stampsPushTime stamps push time} calls it when it
     * hands the row to Snowflake (each attempt again), on its writing thread, before it reads {@link #metadata()}.
     *
     * @param millis the push time, epoch milliseconds
     */
    public void stampPushTime(long millis) {
        if (pushTimeAt < 0) {
            return;
        }
        long v = millis;
        for (int i = pushTimeAt + PUSH_TIME_DIGITS - 1; i >= pushTimeAt; i--) {
            metadata[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
    }

    /** The Kafka offset of the record this row comes from. */
    public long offset() {
        return offset;
    }

    /** UTF-8 JSON of {@code RECORD_CONTENT}, never null. Do not modify. */
    public byte[] content() {
        return content;
    }

    /**
     * The typed columns the value's format declared for its schema (Avro, Protobuf), or null when it declared none (JSON,
     * strings). A backend writing typed columns types these fields from them and infers the others.
     */
    public io.ksbridge.format.TypedColumns columns() {
        return columns;
    }

    /** UTF-8 JSON of {@code RECORD_METADATA}, or null when metadata is switched off. Do not modify. */
    public byte[] metadata() {
        return metadata;
    }

    /** {@code RECORD_CONTENT} as a String (allocates). */
    public String contentString() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /** {@code RECORD_METADATA} as a String (allocates), or null. */
    public String metadataString() {
        return metadata == null ? null : new String(metadata, StandardCharsets.UTF_8);
    }

    /** The bytes this row holds in memory, as counted against {@code maxBufferedBytes}. */
    public long sizeInBytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "IngestRow{offset=" + offset + ", contentBytes=" + content.length + "}";
    }
}
