package io.ksbridge.ingest.snowpipe;

import io.ksbridge.ingest.IngestRow;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes rows as NDJSON, one {@code {"RECORD_CONTENT":...,"RECORD_METADATA":...}} object a line (or with the
 * connector's field names, {@link Layout#CONNECTOR}), by copying the rows' rendered JSON bytes (no JSON trees),
 * through the compressor.
 */
final class NdjsonFiles {
    private static final byte[] CLOSE = "}\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The field names a file's rows carry, which the pipe's {@code SELECT $1:<content>, $1:<metadata>} must match:
     * a row whose fields the pipe does not select loads as two NULL columns, without an error.
     */
    enum Layout {
        /** ksbridge's own pipes: {@code $1:RECORD_METADATA, $1:RECORD_CONTENT}. */
        KSBRIDGE("RECORD_CONTENT", "RECORD_METADATA"),
        /** Pipes the Snowflake Kafka connector created: {@code $1:meta, $1:content}. */
        CONNECTOR("content", "meta");

        final byte[] open;
        final byte[] meta;

        Layout(String content, String metadata) {
            this.open = ("{\"" + content + "\":").getBytes(StandardCharsets.US_ASCII);
            this.meta = (",\"" + metadata + "\":").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private NdjsonFiles() {
    }

    static byte[] write(List<IngestRow> rows, Compression compression) {
        return write(rows, compression, Layout.KSBRIDGE);
    }

    static byte[] write(List<IngestRow> rows, Compression compression, Layout layout) {
        long estimate = 64;
        for (IngestRow row : rows) {
            estimate += row.sizeInBytes();
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, estimate / 4 + 64));
        // rows are written in small pieces (four per row); the compressors cross into native code on every write, so
        // they get 64 KiB at a time instead
        try (OutputStream out = new BufferedOutputStream(compression.wrap(buffer), 1 << 16)) {
            for (IngestRow row : rows) {
                out.write(layout.open);
                out.write(row.content());
                if (row.metadata() != null) {
                    out.write(layout.meta);
                    out.write(row.metadata());
                }
                out.write(CLOSE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compress a batch in memory", e);
        }
        return buffer.toByteArray();
    }

    /** Writes lines already rendered (schematized rows, {@link SnowpipeColumns}) through the compressor. */
    static byte[] writeLines(List<byte[]> lines, Compression compression) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 + lines.size() * 64);
        try (OutputStream out = new BufferedOutputStream(compression.wrap(buffer), 1 << 16)) {
            for (byte[] line : lines) {
                out.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compress a batch in memory", e);
        }
        return buffer.toByteArray();
    }
}
