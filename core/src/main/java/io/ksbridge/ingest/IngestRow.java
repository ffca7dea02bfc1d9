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

    /**
     * @param offset   the Kafka offset of the record
     * @param content  UTF-8 JSON of {@code RECORD_CONTENT}, one line, never null
     * @param metadata UTF-8 JSON of {@code RECORD_METADATA}, one line, or null when metadata is off
     */
    public IngestRow(long offset, byte[] content, byte[] metadata) {
        this.offset = offset;
        this.content = java.util.Objects.requireNonNull(content, "content");
        this.metadata = metadata;
        this.bytes = 48L + content.length + (metadata == null ? 0 : metadata.length);
    }

    /** The Kafka offset of the record this row comes from. */
    public long offset() {
        return offset;
    }

    /** UTF-8 JSON of {@code RECORD_CONTENT}, never null. Do not modify. */
    public byte[] content() {
        return content;
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
