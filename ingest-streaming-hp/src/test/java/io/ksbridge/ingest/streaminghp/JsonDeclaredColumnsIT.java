package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.format.TypedColumns;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.emulator.SnowflakeText;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Typed columns for JSON on each backend with schematization (Snowpipe, Streaming Classic, high-performance): with a
 * declared column list ({@link RecordFormat#json(TypedColumns)}) a decimal lands in NUMBER(10,2) exact (not a VARIANT
 * guess), an ISO date in DATE, an ISO timestamp with an offset in TIMESTAMP_LTZ(3), undeclared fields keep inferred
 * types, and a value its column cannot hold goes to the dead-letter topic; metadata fields inserted by a transform
 * get typed columns (a CreateTime TIMESTAMP_LTZ(3), not a number) and a masked declared decimal becomes VARCHAR; a
 * column another writer added first with another type stops the partition naming field and types, nothing committed
 * past what landed; a NOT NULL column that records leave empty is made nullable, as the connector does. The emulator
 * converts each value to its column's type with its own code, so a wrong rendering is refused there.
 */
@KsbridgeTest
class JsonDeclaredColumnsIT {
    private static final int RECORDS = 90;
    private static final Instant AT = Instant.parse("2024-02-29T12:00:00.123Z");
    private static final TypedColumns COLUMNS = TypedColumns.declared(Map.of(
            "amount", "DECIMAL(10,2)", "day", "DATE", "at", "TIMESTAMP_LTZ(3)"));
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static BigDecimal amount(int i) {
        return BigDecimal.valueOf(-99_999_999L + i * 1_000_003L, 2);
    }

    /** Record i; 20 has a text amount, 21 an amount with 11 digits before the point, 22 a day as d/m/y. */
    private static String value(int i) {
        String amount = i == 20 ? "\"lots\"" : i == 21 ? "12345678901.5" : amount(i).toPlainString();
        String day = i == 22 ? "29/02/2024" : LocalDate.of(2024, 2, 29).plusDays(i).toString();
        return "{\"id\":" + i + ",\"amount\":" + amount + ",\"day\":\"" + day + "\",\"at\":\""
                + AT.plusMillis(i).atOffset(java.time.ZoneOffset.ofHours(2)) + "\",\"name\":\"n" + i + "\"}";
    }

    private static IngestBackend backend(String kind, String schema) {
        return switch (kind) {
            case "snowpipe" -> SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                    .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                    .schematization(true).build();
            case "streaming" -> StreamingBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                    .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                    .schematization(true).build();
            default -> HpIts.backend(snowflake, schema).schematization(true).build();
        };
    }

    /** One case on one backend: its topic, schema and table, never shared with another case or backend. */
    private record Case(String kind, String topic, String schema, String table) {
        static Case of(String name, String kind) {
            String topic = "json_" + name + "_" + kind;
            String schema = ("JSON" + name + kind).toUpperCase(java.util.Locale.ROOT).replace("_", "");
            return new Case(kind, topic, schema, "DB." + schema + "." + topic.toUpperCase(java.util.Locale.ROOT));
        }

        /** A bridge on this case's topic and backend, flushing every {@code records} records or 100 ms. */
        KafkaToSnowflakeBridge.Builder bridge(int records) {
            return KafkaToSnowflakeBridge.builder()
                    .name(topic)
                    .consumerProperties(kafka.consumerProperties("group-" + topic))
                    .topics(topic)
                    .flushPolicy(FlushPolicy.records(records).or(FlushPolicy.age(Duration.ofMillis(100))))
                    .commitInterval(Duration.ofMillis(200))
                    .backend(backend(kind, schema));
        }

        /** Produces the values of records {@code from} to {@code to} (exclusive), in order, to partition {@code i % partitions}. */
        void produce(int from, int to, int partitions, java.util.function.IntFunction<String> value) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = from; i < to; i++) {
                records.add(new ProducerRecord<>(topic, i % partitions, AT.toEpochMilli() + i, null,
                        value.apply(i).getBytes(StandardCharsets.UTF_8)));
            }
            kafka.produceAll(records);
        }

        long committed() {
            return HpIts.committedSum(kafka, "group-" + topic);
        }

        Map<String, String> types() {
            Map<String, String> types = new LinkedHashMap<>();
            for (ColumnDef c : snowflake.table(table).columns()) {
                types.put(c.name(), c.type());
            }
            return types;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"snowpipe", "streaming", "streaming_hp"})
    void declaredTypes_valuesExact_misfitsDeadLettered_everyOtherRecordOnce(String kind) throws Exception {
        Case c = Case.of("declared", kind);
        kafka.createTopic(c.topic(), 1);
        kafka.createTopic(c.topic() + "-dead", 1);
        c.produce(0, RECORDS, 1, JsonDeclaredColumnsIT::value);
        try (KafkaToSnowflakeBridge bridge = c.bridge(25).format(RecordFormat.json(COLUMNS))
                .errorPolicy(ErrorPolicy.deadLetter(c.topic() + "-dead")).build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(90), () -> c.committed() == RECORDS || bridge.failure() != null,
                    () -> "every record committed, or a failure (" + c.committed() + " committed, emulator pending: "
                            + snowflake.pendingWork() + ")");
            assertEquals(null, bridge.failure());
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        String table = c.table();
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(c.topic()), (tp, offset) -> offset < 20 || offset > 22);
        Map<String, String> types = c.types();
        assertEquals("NUMBER(10,2)", types.get("AMOUNT"), types.toString());
        assertEquals("DATE", types.get("DAY"), types.toString());
        assertEquals("TIMESTAMP_LTZ(3)", types.get("AT"), types.toString());
        assertTrue(types.get("ID").startsWith("NUMBER"), "undeclared, inferred: " + types);
        assertTrue(types.get("NAME").startsWith("VARCHAR"), "undeclared, inferred: " + types);
        for (Row r : snowflake.table(table).rows()) {
            int i = r.get("ID").asInt();
            assertEquals(amount(i), r.get("AMOUNT").decimalValue(), "row " + i + ": " + r);
            assertEquals(SnowflakeText.encode("DATE", LocalDate.of(2024, 2, 29).plusDays(i)), r.get("DAY").asText(),
                    r.toString());
            assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", AT.plusMillis(i)), r.get("AT").asText(), r.toString());
            assertEquals("n" + i, r.get("NAME").asText(), r.toString());
        }
        List<String> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consume(c.topic() + "-dead", 3, Duration.ofSeconds(30))) {
            dead.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of(value(20), value(21), value(22)), dead);
    }

    @ParameterizedTest
    @ValueSource(strings = {"snowpipe", "streaming", "streaming_hp"})
    void metadataFieldsAsTypedColumns_maskedDecimalBecomesText_recordMetadataStays(String kind) throws Exception {
        Case c = Case.of("metadata", kind);
        kafka.createTopic(c.topic(), 2);
        c.produce(0, 40, 2, i -> "{\"id\":" + i + ",\"card\":" + (4_000_000_000_000_000L + i) + "}");
        io.ksbridge.RecordTransform shape = io.ksbridge.Transforms.mask("card")
                .andThen(io.ksbridge.Transforms.insertMetadata("kafka_offset", io.ksbridge.Transforms.MetadataField.OFFSET))
                .andThen(io.ksbridge.Transforms.insertMetadata("kafka_partition", io.ksbridge.Transforms.MetadataField.PARTITION))
                .andThen(io.ksbridge.Transforms.insertMetadata("kafka_ts", io.ksbridge.Transforms.MetadataField.TIMESTAMP));
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>(); // for a timeout's message
        try (KafkaToSnowflakeBridge bridge = c.bridge(15)
                .format(RecordFormat.json(TypedColumns.declared(Map.of("card", "NUMBER(16,0)"))))
                .transform(shape).listener(new io.ksbridge.BridgeListener() {
                    @Override
                    public void onAssigned(java.util.Set<org.apache.kafka.common.TopicPartition> partitions) {
                        events.add("assigned " + partitions);
                    }

                    @Override
                    public void onFlush(io.ksbridge.BridgeEvents.Flush e) {
                        events.add("flush " + e.partition() + " " + e.firstOffset() + ".." + e.lastOffset());
                    }

                    @Override
                    public void onDurable(io.ksbridge.BridgeEvents.Durable e) {
                        events.add("durable " + e);
                    }

                    @Override
                    public void onRetry(io.ksbridge.BridgeEvents.Retry e) {
                        events.add("retry " + e);
                    }

                    @Override
                    public void onBackpressure(io.ksbridge.BridgeEvents.Backpressure e) {
                        events.add("backpressure " + e);
                    }
                }).build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(90), () -> c.committed() == 40 || bridge.failure() != null,
                    () -> "every record committed, or a failure (" + c.committed() + " committed, emulator pending: "
                            + snowflake.pendingWork() + ") durable " + bridge.durableOffsets() + " rows "
                            + snowflake.tables().find(c.table()).map(t -> t.rowCount()).orElse(-1) + " tokens "
                            + (c.kind().equals("streaming_hp") ? HpStreamingService.of(snowflake).committedOffsetTokens(c.table()) : "")
                            + "; events " + events + "; threads:" + dump());
            assertEquals(null, bridge.failure());
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        String table = c.table();
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(c.topic()), (tp, offset) -> true);
        Map<String, String> types = c.types();
        assertEquals("NUMBER(19,0)", types.get("KAFKA_OFFSET"), types.toString());
        assertEquals("NUMBER(10,0)", types.get("KAFKA_PARTITION"), types.toString());
        assertEquals("TIMESTAMP_LTZ(3)", types.get("KAFKA_TS"), "CreateTime as a timestamp, not a number: " + types);
        assertEquals("VARCHAR", types.get("CARD"), "masked: text, though the format declared NUMBER(16,0): " + types);
        assertEquals("VARIANT", types.get("RECORD_METADATA"), types.toString());
        for (Row r : snowflake.table(table).rows()) {
            int i = r.get("ID").asInt();
            assertEquals(r.metadata().get("offset").asLong(), r.get("KAFKA_OFFSET").asLong(), r.toString());
            assertEquals(i % 2, r.get("KAFKA_PARTITION").asInt(), r.toString());
            assertEquals(r.metadata().get("partition").asInt(), r.get("KAFKA_PARTITION").asInt(), r.toString());
            assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", AT.plusMillis(i)), r.get("KAFKA_TS").asText(), r.toString());
            assertEquals("****", r.get("CARD").asText(), r.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"snowpipe", "streaming", "streaming_hp"})
    void anotherWriterAddsTheColumnWithAnotherType_stopsNamingFieldAndTypes_nothingCommittedPastWhatLanded(String kind)
            throws Exception {
        Case c = Case.of("clash", kind);
        String table = c.table();
        kafka.createTopic(c.topic(), 1);
        java.util.function.IntFunction<String> value = i -> "{\"id\":" + i + (i >= 20 ? ",\"note\":\"n" + i + "\"" : "") + "}";
        c.produce(0, 20, 1, value);
        try (KafkaToSnowflakeBridge bridge = c.bridge(10)
                .format(RecordFormat.json(TypedColumns.declared(Map.of("id", "NUMBER(10,0)", "note", "VARCHAR"))))
                .errorPolicy(ErrorPolicy.failFast()).build()) {
            bridge.start();
            Await.until("the first 20 committed", Duration.ofSeconds(90), () -> c.committed() == 20);
            // another writer adds NOTE first, as a number: the bridge's ADD COLUMN IF NOT EXISTS then changes nothing
            snowflake.table(table).addColumn(new ColumnDef("NOTE", "NUMBER(38,0)", true), false);
            c.produce(20, 30, 1, value);
            Await.until("the bridge to stop", Duration.ofSeconds(90), () -> bridge.failure() != null);
            String message = String.valueOf(bridge.failure().getMessage());
            assertTrue(message.contains("its schema declares NOTE VARCHAR, but column") && message.contains(
                    "NOTE is NUMBER(38,0)") && message.contains("@20"), message);
        }
        assertEquals(20L, kafka.committedOffsets("group-" + c.topic()).get(new org.apache.kafka.common.TopicPartition(c.topic(), 0)));
        snowflake.awaitIdle(Duration.ofSeconds(30));
        assertEquals(20, snowflake.table(table).rowCount(), "nothing of the second batch landed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"snowpipe", "streaming", "streaming_hp"})
    void aNotNullColumnRowsLeaveEmpty_madeNullableAsTheConnectorDoes_everyRowLands(String kind) throws Exception {
        Case c = Case.of("notnull", kind);
        String table = c.table();
        kafka.createTopic(c.topic(), 1);
        // the user's table: NOTE is NOT NULL, and every third record has no note
        snowflake.tables().create(table, List.of(new ColumnDef("RECORD_METADATA", "VARIANT", true),
                new ColumnDef("ID", "NUMBER(38,0)", false), new ColumnDef("NOTE", "VARCHAR", false)), false);
        c.produce(0, 30, 1, i -> "{\"id\":" + i + (i % 3 == 0 ? "" : ",\"note\":\"n" + i + "\"") + "}");
        try (KafkaToSnowflakeBridge bridge = c.bridge(10).errorPolicy(ErrorPolicy.failFast()).build()) {
            bridge.start();
            Await.until("every record committed, or a failure", Duration.ofSeconds(90),
                    () -> c.committed() == 30 || bridge.failure() != null);
            assertEquals(null, bridge.failure());
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(c.topic()), (tp, offset) -> true);
        assertTrue(snowflake.table(table).column("NOTE").nullable(), "NOTE made nullable");
        assertTrue(!snowflake.table(table).column("ID").nullable(), "ID, always filled, stays NOT NULL");
        for (Row r : snowflake.table(table).rows()) {
            int i = r.get("ID").asInt();
            if (i % 3 == 0) {
                assertEquals(null, r.get("NOTE"), r.toString());
            } else {
                assertEquals("n" + i, r.get("NOTE").asText(), r.toString());
            }
        }
    }

    /** The bridge's, the emulator's and the consumer coordinator's threads, for a wait that timed out. */
    private static String dump() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, st) -> {
            String n = t.getName();
            if (!n.startsWith("ksbridge") && !n.contains("snowflake") && !n.contains("coordinator")) {
                return;
            }
            b.append("\n--- ").append(n).append(' ').append(t.getState());
            for (int i = 0; i < Math.min(12, st.length); i++) {
                b.append("\n    at ").append(st[i]);
            }
        });
        return b.toString();
    }
}
