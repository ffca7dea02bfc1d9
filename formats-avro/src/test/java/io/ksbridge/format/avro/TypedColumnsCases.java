package io.ksbridge.format.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.format.registry.SchemaRegistryClient;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SchemaRegistry;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.emulator.SnowflakeText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The typed-column cases every backend with schematization passes, on the emulator (each backend's IT gives its
 * backend and a name prefix): a decimal
 * lands in NUMBER(10,2), a date in DATE, a timestamp in TIMESTAMP_LTZ(3), each value exact; a second schema version
 * adding a field mid-stream adds a nullable column before its rows land; a version that changes a field's type stops
 * the bridge naming the field, the column's type and the schema's, with nothing committed past what landed.
 */
abstract class TypedColumnsCases {
    private static final String V1 = """
            {"type":"record","name":"Payment","fields":[{"name":"id","type":"int"},
            {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
            {"name":"day","type":{"type":"int","logicalType":"date"}},
            {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
            {"name":"note","type":["null","string"],"default":null}]}""";
    private static final String V2 = V1.replace("\"default\":null}]}",
            "\"default\":null},{\"name\":\"currency\",\"type\":[\"null\",\"string\"],\"default\":null}]}");
    private static final String V3 = V1.replace(
            "{\"name\":\"amount\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,\"scale\":2}}",
            "{\"name\":\"amount\",\"type\":\"string\"}");
    private static final Instant AT = Instant.parse("2024-02-29T12:00:00.123Z");

    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;
    static SchemaRegistry registry;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
        registry = SchemaRegistry.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static byte[] payment(int schemaId, Schema schema, int id, Object amount) throws IOException {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("amount", amount);
        r.put("day", (int) LocalDate.of(1969, 12, 31).plusDays(id).toEpochDay());
        r.put("at", AT.toEpochMilli() + id);
        r.put("note", id % 2 == 0 ? null : "n" + id);
        if (schema.getField("currency") != null) {
            r.put("currency", "EUR");
        }
        return AvroSamples.wire(schemaId, AvroSamples.binary(schema, r));
    }

    /** The unscaled bytes of {@code cents / 100} as Avro's decimal logical type writes them. */
    private static ByteBuffer decimal(int cents) {
        return ByteBuffer.wrap(java.math.BigInteger.valueOf(cents).toByteArray());
    }

    private static void produce(String topic, List<byte[]> values) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            records.add(new ProducerRecord<>(topic, 0, null, values.get(i)));
        }
        kafka.produceAll(records);
    }

    /** The backend under test, schematization on, loading into {@code DB.<schema>}. */
    abstract IngestBackend backend(SnowflakeEmulator snowflake, String schema);

    /** What starts this IT's topic names (lower case) and schema names (upper case), so the ITs never share one. */
    abstract String prefix();

    private KafkaToSnowflakeBridge bridge(String topic, String schema) {
        SchemaRegistryClient client = SchemaRegistryClient.builder().url(registry.url())
                .requestTimeout(Duration.ofSeconds(2)).build();
        return KafkaToSnowflakeBridge.builder()
                .name(topic)
                .consumerProperties(kafka.consumerProperties(topic + "-group"))
                .topics(topic)
                .format(AvroFormat.withSchemaRegistry(client))
                .flushPolicy(FlushPolicy.records(25).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend(snowflake, schema))
                .build();
    }

    /** This IT's schema for a case: the prefix, upper case and without underscores, then {@code name}. */
    private String schema(String name) {
        return upper(prefix()).replace("_", "") + name;
    }

    private static String upper(String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    private static int rows(String table) {
        return snowflake.tables().find(table).map(t -> t.rowCount()).orElse(0);
    }

    @Test
    void schemaTypes_valuesExact_andAFieldAddedMidStreamAddsANullableColumnFirst() throws Exception {
        String topic = prefix() + "typed_payments";
        String schema = schema("TYPED");
        String table = "DB." + schema + "." + upper(topic);
        kafka.createTopic(topic, 1);
        Schema v1 = new Schema.Parser().parse(V1);
        Schema v2 = new Schema.Parser().parse(V2);
        int v1Id = registry.register(topic + "-value", "AVRO", V1);
        int v2Id = registry.register(topic + "-value", "AVRO", V2);
        List<byte[]> first = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            first.add(payment(v1Id, v1, i, decimal(-99_999_999 + i * 1_000_003)));
        }
        produce(topic, first);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, schema)) {
            bridge.start();
            Await.until("the first 60 rows", Duration.ofSeconds(60), () -> rows(table) >= 60);
            List<byte[]> second = new ArrayList<>();
            for (int i = 60; i < 120; i++) {
                second.add(payment(v2Id, v2, i, decimal(i * 101)));
            }
            produce(topic, second);
            Await.until("all 120 rows", Duration.ofSeconds(60), () -> rows(table) >= 120);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));

        Map<String, String> types = new LinkedHashMap<>();
        for (ColumnDef c : snowflake.table(table).columns()) {
            types.put(c.name(), c.type());
        }
        assertEquals("NUMBER(10,0)", types.get("ID"), types.toString());
        assertEquals("NUMBER(10,2)", types.get("AMOUNT"), types.toString());
        assertEquals("DATE", types.get("DAY"), types.toString());
        assertEquals("TIMESTAMP_LTZ(3)", types.get("AT"), types.toString());
        assertEquals("VARCHAR", types.get("NOTE"), types.toString());
        assertEquals("VARCHAR", types.get("CURRENCY"), "added by the second schema version: " + types);
        assertTrue(snowflake.table(table).column("CURRENCY").nullable(), "an added column is nullable");

        Map<Integer, Row> byId = new HashMap<>();
        for (Row r : snowflake.table(table).rows()) {
            assertNull(byId.put(r.get("ID").asInt(), r), "row " + r.get("ID") + " twice");
        }
        assertEquals(120, byId.size());
        for (int i = 0; i < 120; i++) {
            Row r = byId.get(i);
            int cents = i < 60 ? -99_999_999 + i * 1_000_003 : i * 101;
            assertEquals(BigDecimal.valueOf(cents, 2), r.get("AMOUNT").decimalValue(), "row " + i);
            assertEquals(SnowflakeText.encode("DATE", LocalDate.of(1969, 12, 31).plusDays(i)), r.get("DAY").asText());
            assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", AT.plusMillis(i)), r.get("AT").asText());
            if (i % 2 == 0) {
                assertNull(r.get("NOTE"), r.toString());
            } else {
                assertEquals("n" + i, r.get("NOTE").asText());
            }
            if (i < 60) {
                assertNull(r.get("CURRENCY"), "written before the column existed: " + r);
            } else {
                assertEquals("EUR", r.get("CURRENCY").asText());
            }
        }
    }

    @Test
    void aVersionChangingAFieldsType_stopsTheBridgeNamingFieldAndTypes_nothingCommittedPastWhatLanded() throws Exception {
        String topic = prefix() + "retyped_payments";
        String schema = schema("RETYPED");
        String table = "DB." + schema + "." + upper(topic);
        kafka.createTopic(topic, 1);
        Schema v1 = new Schema.Parser().parse(V1);
        Schema v3 = new Schema.Parser().parse(V3);
        int v1Id = registry.register(topic + "-value", "AVRO", V1);
        int v3Id = registry.register(topic + "-v3", "AVRO", V3); // a registry's compatibility check would refuse it
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            values.add(payment(v1Id, v1, i, decimal(i)));
        }
        produce(topic, values);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, schema)) {
            bridge.start();
            Await.until("the first 30 rows", Duration.ofSeconds(60), () -> rows(table) >= 30);
            produce(topic, List.of(payment(v3Id, v3, 30, "12.50")));
            Await.until("the bridge to stop", Duration.ofSeconds(60), () -> bridge.failure() != null);
            String message = String.valueOf(bridge.failure().getMessage());
            assertTrue(message.contains("its schema declares AMOUNT VARCHAR, but column \"DB\".\"" + schema + "\".\""
                    + upper(topic) + "\".AMOUNT is NUMBER(10,2)"), message);
            assertTrue(message.contains(topic + "-0@30"), "names the record: " + message);
        }
        assertEquals(30, rows(table));
        long committed = kafka.committedOffsets(topic + "-group")
                .getOrDefault(new org.apache.kafka.common.TopicPartition(topic, 0), 0L);
        assertTrue(committed <= 30, "nothing committed past the record that stopped it: " + committed);
    }
}
