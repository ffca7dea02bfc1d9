package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.MetadataOptions;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * {@code RECORD_METADATA} as the Snowflake connector (v3.5.4, {@code RecordService}) writes it: field names and
 * order, each {@code snowflake.metadata.*} flag, headers, keys, escaping. Expected JSON is written out literally.
 */
class MetadataWriterTest {

    private static final long TS = 1_700_000_000_000L;
    private static final byte[] KEY_JSON = utf8("\"k1\"");

    private static ConsumerRecord<byte[], byte[]> record(long timestamp, TimestampType type, RecordHeaders headers) {
        return new ConsumerRecord<>("orders", 3, 42L, timestamp, type, -1, -1, null, utf8("{}"), headers,
                Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> record() {
        return record(TS, TimestampType.CREATE_TIME, new RecordHeaders());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String render(MetadataOptions options, ConsumerRecord<byte[], byte[]> rec, Integer schemaId,
                                 byte[] keyJson, Integer keySchemaId) {
        byte[] out = new MetadataWriter(options, false).render(rec, schemaId, keyJson, keySchemaId);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void render_allDefaults_connectorFieldOrder() {
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000,\"key\":\"k1\"}",
                render(MetadataOptions.all(), record(), null, KEY_JSON, null));
    }

    @Test
    void render_logAppendTime_namedAfterTimestampType() {
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"LogAppendTime\":1700000000000}",
                render(MetadataOptions.all(), record(TS, TimestampType.LOG_APPEND_TIME, new RecordHeaders()), null, null,
                        null));
    }

    @Test
    void render_noTimestampType_timeOmitted() {
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3}",
                render(MetadataOptions.all(), record(-1, TimestampType.NO_TIMESTAMP_TYPE, new RecordHeaders()), null,
                        null, null));
    }

    @Test
    void render_createTimeMinusOne_timeOmitted() {
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3}",
                render(MetadataOptions.all(), record(-1, TimestampType.CREATE_TIME, new RecordHeaders()), null, null,
                        null));
    }

    @Test
    void render_schemaIds_schemaIdAfterTimeKeySchemaIdAfterKey() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", utf8("v"));
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000,\"schema_id\":7,"
                        + "\"key\":{\"id\":1},\"key_schema_id\":9,\"headers\":{\"h\":\"v\"}}",
                render(MetadataOptions.all(), record(TS, TimestampType.CREATE_TIME, headers), 7, utf8("{\"id\":1}"), 9));
    }

    @Test
    void render_keySchemaIdWithoutKey_omitted() {
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000}",
                render(MetadataOptions.all(), record(), null, null, 9));
    }

    @Test
    void render_pushTimeStamped_placeholderThenMillisBeforeKey() {
        MetadataWriter w = new MetadataWriter(MetadataOptions.all(), true);
        byte[] meta = w.render(record(), 5, KEY_JSON, null);
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000,\"schema_id\":5,"
                + "\"SnowflakeConnectorPushTime\":0000000000000,\"key\":\"k1\"}", new String(meta, StandardCharsets.UTF_8));
        int at = w.pushTimeAt();
        assertEquals(new String(meta, StandardCharsets.UTF_8).indexOf("0000000000000"), at);
        new io.ksbridge.ingest.IngestRow(0, new byte[] {0}, meta, at).stampPushTime(1_700_000_000_123L);
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000,\"schema_id\":5,"
                + "\"SnowflakeConnectorPushTime\":1700000000123,\"key\":\"k1\"}", new String(meta, StandardCharsets.UTF_8));
    }

    @Test
    void render_pushTimeOnlyField_placeholderFirst() throws Exception {
        MetadataOptions onlyPush = MetadataOptions.all().withTopic(false).withOffsetAndPartition(false)
                .withCreateTime(false);
        MetadataWriter w = new MetadataWriter(onlyPush, true);
        byte[] meta = w.render(record(), null, null, null);
        assertEquals(30, w.pushTimeAt());
        new io.ksbridge.ingest.IngestRow(0, new byte[] {0}, meta, w.pushTimeAt()).stampPushTime(1_700_000_000_999L);
        assertEquals("{\"SnowflakeConnectorPushTime\":1700000000999}", new String(meta, StandardCharsets.UTF_8));
        assertEquals(1_700_000_000_999L, new ObjectMapper().readTree(meta).get("SnowflakeConnectorPushTime").asLong());
    }

    @Test
    void render_backendDoesNotStampPushTime_fieldAbsent() {
        MetadataWriter w = new MetadataWriter(MetadataOptions.all(), false);
        String meta = new String(w.render(record(), null, null, null), StandardCharsets.UTF_8);
        assertFalse(meta.contains("SnowflakeConnectorPushTime"), meta);
        assertEquals(-1, w.pushTimeAt());
    }

    @Test
    void render_connectorPushTimeFlagOff_fieldAbsentEvenForStreaming() {
        MetadataWriter w = new MetadataWriter(MetadataOptions.all().withConnectorPushTime(false), true);
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000}",
                new String(w.render(record(), null, null, null), StandardCharsets.UTF_8));
        assertEquals(-1, w.pushTimeAt());
    }

    @Test
    void render_topicFlagOff_topicOmitted() {
        assertEquals("{\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000,\"key\":\"k1\"}",
                render(MetadataOptions.all().withTopic(false), record(), null, KEY_JSON, null));
    }

    @Test
    void render_offsetAndPartitionFlagOff_bothOmitted() {
        assertEquals("{\"topic\":\"orders\",\"CreateTime\":1700000000000}",
                render(MetadataOptions.all().withOffsetAndPartition(false), record(), null, null, null));
    }

    @Test
    void render_createTimeFlagOff_timeOmitted() {
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3}",
                render(MetadataOptions.all().withCreateTime(false), record(), null, null, null));
    }

    @Test
    void render_everyFlagOffNoKeyNoHeaders_emptyObject() {
        MetadataOptions off = MetadataOptions.all().withTopic(false).withOffsetAndPartition(false).withCreateTime(false)
                .withConnectorPushTime(false);
        assertEquals("{}", render(off, record(), null, null, null));
    }

    @Test
    void enabled_none_falseSoEngineWritesNoMetadata() {
        assertFalse(new MetadataWriter(MetadataOptions.none(), true).enabled());
        assertFalse(new MetadataWriter(MetadataOptions.none().withTopic(true), true).enabled());
        assertTrue(new MetadataWriter(MetadataOptions.all(), false).enabled());
    }

    @Test
    void render_headers_objectWithStringsAndNulls() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", utf8("abc-123"));
        headers.add(new RecordHeader("empty", new byte[0]));
        headers.add(new RecordHeader("gone", null));
        headers.add("n", utf8("42"));
        assertEquals("{\"topic\":\"orders\",\"offset\":42,\"partition\":3,\"CreateTime\":1700000000000,"
                        + "\"headers\":{\"trace\":\"abc-123\",\"empty\":\"\",\"gone\":null,\"n\":42}}",
                render(MetadataOptions.all(), record(TS, TimestampType.CREATE_TIME, headers), null, null, null));
    }

    @Test
    void render_headerValues_typedAsTheConnectorsHeaderConverterTypesThem() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("int", utf8("007"));
        headers.add("neg", utf8("-12"));
        headers.add("big", utf8("123456789012345678901234567890"));
        headers.add("dec", utf8("3.25"));
        headers.add("exp", utf8("1e3"));
        headers.add("t", utf8("TRUE"));
        headers.add("f", utf8("false"));
        headers.add("arr", utf8("[1,\"a\"]"));
        headers.add("obj", utf8("{\"k\":{\"n\":1}}"));
        headers.add("broken", utf8("{\"k\":"));
        headers.add("word", utf8("truthy"));
        headers.add("ver", utf8("1.2.3"));
        headers.add("bin", new byte[] {(byte) 0xFF, 0x00});
        assertEquals("{\"headers\":{\"int\":7,\"neg\":-12,\"big\":123456789012345678901234567890,\"dec\":3.25,"
                        + "\"exp\":1E3,\"t\":true,\"f\":false,\"arr\":[1,\"a\"],\"obj\":{\"k\":{\"n\":1}},"
                        + "\"broken\":\"{\\\"k\\\":\",\"word\":\"truthy\",\"ver\":\"1.2.3\",\"bin\":\"\ufffd\\u0000\"}}",
                render(MetadataOptions.all().withTopic(false).withOffsetAndPartition(false).withCreateTime(false),
                        record(TS, TimestampType.CREATE_TIME, headers), null, null, null));
    }

    @Test
    void render_duplicateHeaderKeys_lastValueWinsAtFirstPosition() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("a", utf8("1"));
        headers.add("b", utf8("2"));
        headers.add("a", utf8("3"));
        assertEquals("{\"headers\":{\"a\":3,\"b\":2}}",
                render(MetadataOptions.all().withTopic(false).withOffsetAndPartition(false).withCreateTime(false),
                        record(TS, TimestampType.CREATE_TIME, headers), null, null, null));
    }

    @Test
    void render_headersWithoutOtherFields_noLeadingComma() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("x", utf8("y"));
        MetadataOptions off = MetadataOptions.all().withTopic(false).withOffsetAndPartition(false).withCreateTime(false);
        assertEquals("{\"key\":\"k1\",\"headers\":{\"x\":\"y\"}}",
                render(off, record(TS, TimestampType.CREATE_TIME, headers), null, KEY_JSON, null));
    }

    @Test
    void render_unicodeAndControlCharacters_escapedValidJson() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ключ", utf8("値 \u0001\u001f\n\r\t\b\f\"\\/ \uD83D\uDE00"));
        headers.add("bad-utf8", new byte[] {(byte) 0xC3, (byte) 0x28});
        byte[] meta = new MetadataWriter(MetadataOptions.all().withOffsetAndPartition(false).withCreateTime(false), false)
                .render(record(TS, TimestampType.CREATE_TIME, headers), null, null, null);
        String expected = "{\"topic\":\"orders\",\"headers\":{\"ключ\":\"値 \\u0001\\u001f\\n\\r\\t\\b\\f\\\"\\\\/ \uD83D\uDE00\","
                + "\"bad-utf8\":\"\uFFFD(\"}}";
        assertArrayEquals(utf8(expected), meta);
        JsonNode tree = new ObjectMapper().readTree(meta);
        assertEquals("値 \u0001\u001f\n\r\t\b\f\"\\/ \uD83D\uDE00", tree.get("headers").get("ключ").asText());
    }

    @Test
    void render_loneSurrogateInHeaderKey_escapedNotBroken() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("k\uD800", utf8("v")));
        byte[] meta = new MetadataWriter(MetadataOptions.all().withTopic(false).withOffsetAndPartition(false)
                .withCreateTime(false), false).render(record(TS, TimestampType.CREATE_TIME, headers), null, null, null);
        assertEquals("{\"headers\":{\"k\\ud800\":\"v\"}}", new String(meta, StandardCharsets.US_ASCII));
    }

    @Test
    void render_calledTwice_noStateLeaksBetweenRecords() {
        MetadataWriter w = new MetadataWriter(MetadataOptions.all(), true);
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", utf8("v"));
        w.render(record(TS, TimestampType.CREATE_TIME, headers), 1, KEY_JSON, 2);
        byte[] second = w.render(new ConsumerRecord<>("t", 0, 0L, null, null), null, null, null);
        assertEquals("{\"topic\":\"t\",\"offset\":0,\"partition\":0,\"SnowflakeConnectorPushTime\":0000000000000}",
                new String(second, StandardCharsets.UTF_8));
    }
}
