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
 * Writes rows as NDJSON, one {@code {"RECORD_CONTENT":...,"RECORD_METADATA":...}} object a line, by copying the
 * rows' rendered JSON bytes (no JSON trees), through the compressor.
 */
final class NdjsonFiles {
    private static final byte[] OPEN = "{\"RECORD_CONTENT\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META = ",\"RECORD_METADATA\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "}\n".getBytes(StandardCharsets.US_ASCII);

    private NdjsonFiles() {
    }

    static byte[] write(List<IngestRow> rows, Compression compression) {
        long estimate = 64;
        for (IngestRow row : rows) {
            estimate += row.sizeInBytes();
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, estimate / 4 + 64));
        // rows are written in small pieces (four per row); the compressors cross into native code on every write, so
        // they get 64 KiB at a time instead
        try (OutputStream out = new BufferedOutputStream(compression.wrap(buffer), 1 << 16)) {
            for (IngestRow row : rows) {
                out.write(OPEN);
                out.write(row.content());
                if (row.metadata() != null) {
                    out.write(META);
                    out.write(row.metadata());
                }
                out.write(CLOSE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compress a batch in memory", e);
        }
        return buffer.toByteArray();
    }
}
