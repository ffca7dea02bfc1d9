package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.luben.zstd.ZstdInputStream;
import io.ksbridge.ingest.IngestRow;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class NdjsonFilesTest {
    private static final List<IngestRow> ROWS = List.of(
            new IngestRow(5, "{\"id\":1,\"s\":\"h\u00e9\"}".getBytes(StandardCharsets.UTF_8),
                    "{\"topic\":\"t\",\"offset\":5}".getBytes(StandardCharsets.UTF_8)),
            new IngestRow(6, "[1,2]".getBytes(StandardCharsets.UTF_8), null));
    private static final String EXPECTED = "{\"RECORD_CONTENT\":{\"id\":1,\"s\":\"h\u00e9\"},\"RECORD_METADATA\":{\"topic\":\"t\","
            + "\"offset\":5}}\n{\"RECORD_CONTENT\":[1,2]}\n";

    @Test
    void write_gzip_linesCopiedVerbatimAndMetadataOmittedWhenNull() throws Exception {
        byte[] file = NdjsonFiles.write(ROWS, Compression.GZIP);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(file))) {
            assertEquals(EXPECTED, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void write_zstd_sameLines() throws Exception {
        byte[] file = NdjsonFiles.write(ROWS, Compression.ZSTD);
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(file))) {
            assertEquals(EXPECTED, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void write_connectorLayout_theConnectorsFieldNames() throws Exception {
        // what a pipe the Snowflake connector created selects: $1:meta, $1:content
        byte[] file = NdjsonFiles.write(ROWS, Compression.GZIP, NdjsonFiles.Layout.CONNECTOR);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(file))) {
            assertEquals(EXPECTED.replace("RECORD_CONTENT", "content").replace("RECORD_METADATA", "meta"),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void write_sameRowsTwice_sameBytes() {
        for (Compression c : Compression.values()) {
            assertArrayEquals(NdjsonFiles.write(ROWS, c), NdjsonFiles.write(ROWS, c), c.name());
        }
    }

    @Test
    void write_noRows_validEmptyFile() throws Exception {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(NdjsonFiles.write(List.of(), Compression.GZIP)))) {
            assertEquals(0, in.readAllBytes().length);
        }
    }
}
