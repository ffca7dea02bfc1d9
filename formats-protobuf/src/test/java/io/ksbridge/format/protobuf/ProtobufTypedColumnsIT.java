package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.DynamicMessage;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SchemaRegistry;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.emulator.SnowflakeText;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Typed columns from a Protobuf schema (through the registry) on Snowpipe and on high-performance Streaming, with
 * schematization: every scalar type's column as {@code ProtoColumnsGoldenTest} maps it (NUMBER(10/19/20,0), FLOAT,
 * BOOLEAN, VARCHAR for strings, enums and Durations, BINARY, OBJECT and ARRAY for messages, maps and repeated fields,
 * TIMESTAMP_LTZ(9) for a Timestamp), with the emulator converting each value by the column's type with its own code,
 * so a wrong rendering is refused there; each record lands once with its exact values.
 */
@KsbridgeTest
class ProtobufTypedColumnsIT {
    private static final int RECORDS = 12;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;
    static SchemaRegistry registry;
    static int schemaId;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) throws Exception {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
        registry = SchemaRegistry.start();
        schemaId = ProtoSamples.registerOrder(registry, "proto_typed-value");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static IngestBackend backend(String kind, String schema) {
        if (kind.equals("snowpipe")) {
            return SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                    .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                    .schematization(true).build();
        }
        return HighPerformanceStreamingBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .commitPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(30))
                // the emulator serves the SDK's REST mode only: stay under its ~1 MiB-a-flush switch to file mode
                .maxChannelBytesPerSecond(400_000)
                .schematization(true).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"snowpipe", "streaming_hp"})
    void everyProtobufType_itsColumnType_valuesExact_eachRecordOnce(String kind) throws Exception {
        String topic = "proto_typed_" + kind;
        String schema = "PROTOTYPED" + kind.toUpperCase(java.util.Locale.ROOT).replace("_", "");
        String table = "DB." + schema + "." + topic.toUpperCase(java.util.Locale.ROOT);
        kafka.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            DynamicMessage order = ProtoSamples.order().toBuilder()
                    .setField(ProtoSamples.f(ProtoSamples.ORDER_TYPE, "i32"), i + 1).build(); // proto3 leaves out a 0
            records.add(new ProducerRecord<>(topic, 0, null, ProtoSamples.wire(schemaId, new int[] {0}, order.toByteArray())));
        }
        kafka.produceAll(records);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .name(topic)
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .format(ProtobufFormat.withSchemaRegistry(registry.url()))
                .flushPolicy(FlushPolicy.records(5).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend(kind, schema))
                .build()) {
            bridge.start();
            Await.until("every record committed", Duration.ofSeconds(90), () -> kafka.committedOffsets("group-" + topic)
                    .values().stream().mapToLong(Long::longValue).sum() == RECORDS);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));

        Map<String, String> types = new LinkedHashMap<>();
        for (ColumnDef c : snowflake.table(table).columns()) {
            types.put(c.name(), c.type());
        }
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("I32", "NUMBER(10,0)");
        expected.put("I64", "NUMBER(19,0)");
        expected.put("U64", "NUMBER(20,0)");
        expected.put("F64", "NUMBER(20,0)");
        expected.put("FL", "FLOAT");
        expected.put("DB", "FLOAT");
        expected.put("FLAG", "BOOLEAN");
        expected.put("ORDERID", "VARCHAR");
        expected.put("RAW", "BINARY");
        expected.put("STATUS", "VARCHAR");
        expected.put("LINE", "OBJECT");
        expected.put("LINES", "ARRAY");
        expected.put("TOTALS", "OBJECT");
        expected.put("CREATEDAT", "TIMESTAMP_LTZ(9)");
        expected.put("TTL", "VARCHAR");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), types.get(e.getKey()), e.getKey() + " in " + types);
        }
        ObjectMapper json = new ObjectMapper();
        Set<Integer> seen = new HashSet<>();
        for (Row r : snowflake.table(table).rows()) {
            int i = r.get("I32").asInt();
            assertTrue(seen.add(i), "record " + i + " twice");
            assertEquals(new BigDecimal("-1234567890123"), r.get("I64").decimalValue(), r.toString());
            assertEquals(new BigDecimal("18446744073709551615"), r.get("U64").decimalValue(), r.toString());
            assertEquals(3.14, r.get("FL").asDouble(), 1e-6, r.toString());
            assertEquals(true, r.get("FLAG").asBoolean(), r.toString());
            assertEquals("o-1 <b> \u00e9 \"q\"\n", r.get("ORDERID").asText(), r.toString());
            assertEquals("000102FF", r.get("RAW").asText(), r.toString());
            assertEquals("SHIPPED", r.get("STATUS").asText(), r.toString());
            com.fasterxml.jackson.databind.JsonNode line = r.get("LINE");
            assertEquals(json.readTree("{\"sku\":\"A\",\"qty\":2}"), line.isTextual() ? json.readTree(line.asText()) : line,
                    r.toString());
            assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", Instant.parse("2021-01-01T00:00:00.123Z")),
                    r.get("CREATEDAT").asText(), r.toString());
            assertEquals("90.500s", r.get("TTL").asText(), r.toString());
        }
        assertEquals(RECORDS, seen.size(), "every record once: " + seen);
    }
}
