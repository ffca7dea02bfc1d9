package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.ingest.IngestRow;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the SDK's own NDJSON writer makes of an encoded row: the same JSON values in both modes, objects as objects.
 * Also measures the Java-side CPU of each mode (printed; the design notes keep the figures).
 */
class RowEncoderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The SDK's writer ({@code Utils.NDJSON_OBJECT_WRITER}), exactly what {@code appendRows} serializes rows with. */
    private static byte[] sdkNdjson(List<Map<String, Object>> rows) throws Exception {
        Field f = Class.forName("com.snowflake.ingest.streaming.Utils").getField("NDJSON_OBJECT_WRITER");
        f.setAccessible(true);
        com.snowflake.shaded.jackson.databind.ObjectWriter writer = (com.snowflake.shaded.jackson.databind.ObjectWriter) f.get(null);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var seq = writer.writeValues(out)) {
            seq.writeAll(rows);
        }
        return out.toByteArray();
    }

    private static IngestRow row(String content, String metadata) {
        return new IngestRow(5, content.getBytes(StandardCharsets.UTF_8),
                metadata == null ? null : metadata.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode line(byte[] ndjson) throws Exception {
        String text = new String(ndjson, StandardCharsets.UTF_8).trim();
        assertTrue(!text.contains("\n"), "one NDJSON line: " + text);
        return MAPPER.readTree(text);
    }

    @Test
    void encode_rawAndParsed_sdkWritesTheSameObjects() throws Exception {
        IngestRow r = row("{\"a\":1,\"b\":{\"c\":[1,2,\"x\"]},\"s\":\"q\\\"uote\"}", "{\"topic\":\"t\",\"offset\":5}");
        JsonNode raw = line(sdkNdjson(List.of(new RowEncoder(RowEncoder.Mode.RAW, 1 << 20).encode(r))));
        JsonNode parsed = line(sdkNdjson(List.of(new RowEncoder(RowEncoder.Mode.PARSED, 1 << 20).encode(r))));
        assertEquals(parsed, raw);
        assertTrue(raw.get("RECORD_CONTENT").isObject(), raw.toString());
        assertEquals(MAPPER.readTree(r.contentString()), raw.get("RECORD_CONTENT"));
        assertEquals(MAPPER.readTree(r.metadataString()), raw.get("RECORD_METADATA"));
    }

    @Test
    void encode_valueWithLineBreaksBetweenTokens_staysOneNdjsonLine() throws Exception {
        IngestRow r = row("{\n  \"a\": 1\r\n}", null);
        JsonNode out = line(sdkNdjson(List.of(new RowEncoder(RowEncoder.Mode.RAW, 1 << 20).encode(r))));
        assertEquals(1, out.get("RECORD_CONTENT").get("a").asInt());
    }

    @Test
    void encode_scalarContent_staysAScalar() throws Exception {
        JsonNode out = line(sdkNdjson(List.of(new RowEncoder(RowEncoder.Mode.RAW, 1 << 20).encode(row("\"text\"", null)))));
        assertEquals("text", out.get("RECORD_CONTENT").asText());
    }

    @Test
    void encode_invalidJson_isRefusedWithWhy() {
        RowEncoder.Refused e = assertThrows(RowEncoder.Refused.class,
                () -> new RowEncoder(RowEncoder.Mode.RAW, 1 << 20).encode(row("{\"a\":", null)));
        assertTrue(e.getMessage().startsWith("RECORD_CONTENT is not valid JSON: "), e.getMessage());
    }

    @Test
    void encode_twoValues_isRefused() {
        RowEncoder.Refused e = assertThrows(RowEncoder.Refused.class,
                () -> new RowEncoder(RowEncoder.Mode.RAW, 1 << 20).encode(row("{} {}", null)));
        assertEquals("RECORD_CONTENT holds more than one JSON value", e.getMessage());
    }

    @Test
    void encode_overTheRowLimit_isRefusedNamingTheLimit() {
        RowEncoder.Refused e = assertThrows(RowEncoder.Refused.class,
                () -> new RowEncoder(RowEncoder.Mode.RAW, 10).encode(row("{\"a\":\"0123456789\"}", null)));
        assertEquals("the row is 18 bytes of JSON, over the 10-byte limit of a Snowpipe Streaming row", e.getMessage());
    }
}
