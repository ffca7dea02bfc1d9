package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.RecordFormatException;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestBridges;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schematization on the high-performance backend with JSON records (types inferred, as the connector infers them): a
 * field that appears mid-stream adds a nullable column before its rows; a value its column cannot hold and a record
 * that is not an object are bad records for the error policy, refused before they are appended (the emulator's
 * channel counts no server-side error); under failFast the bridge stops naming the record, nothing committed past it; a
 * crash after a column was added mid-stream, with requests accepted but not yet committed, and a restart land each
 * record once.
 */
@KsbridgeTest
class HpTypedColumnsIT {
    private static final int RECORDS = 100;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    /** Record i: id and name; from 60 on also a flag; 40 has a text id (its column is a NUMBER), 41 is an array. */
    private static String value(int i) {
        if (i == 41) {
            return "[41]";
        }
        String id = i == 40 ? "\"abc\"" : Integer.toString(i);
        return "{\"id\":" + id + ",\"name\":\"n" + i + "\"" + (i >= 60 ? ",\"flag\":" + (i % 2 == 0) : "") + "}";
    }

    private static void produce(String topic, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, 0, null, value(i).getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produceAll(records);
    }

    private static KafkaToSnowflakeBridge bridge(String topic, ErrorPolicy policy) {
        return KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .format(RecordFormat.json())
                .errorPolicy(policy)
                .flushPolicy(FlushPolicy.records(15).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .closeTimeout(Duration.ofSeconds(5))
                .backend(HpIts.backend(snowflake, "HPTYPED").schematization(true).build())
                .build();
    }

    @Test
    void inferredColumns_addedMidStream_badValuesDeadLettered_everyGoodRowOnce() throws Exception {
        String topic = "hp_typed_json";
        String table = "DB.HPTYPED.HP_TYPED_JSON";
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + "-dead", 1);
        long serverErrors = HpStreamingService.of(snowflake).rowErrors();
        produce(topic, 0, 50);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, ErrorPolicy.deadLetter(topic + "-dead"))) {
            bridge.start();
            Await.until("the first 50 committed", Duration.ofSeconds(60),
                    () -> HpIts.committedSum(kafka, "group-" + topic) == 50);
            produce(topic, 50, RECORDS);
            Await.until("all committed", Duration.ofSeconds(60),
                    () -> HpIts.committedSum(kafka, "group-" + topic) == RECORDS);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic),
                (tp, offset) -> offset != 40 && offset != 41);
        Map<String, ColumnDef> columns = new LinkedHashMap<>();
        for (ColumnDef c : snowflake.table(table).columns()) {
            columns.put(c.name(), c);
        }
        assertEquals(List.of("RECORD_METADATA", "ID", "NAME", "FLAG"), List.copyOf(columns.keySet()), columns.toString());
        assertTrue(columns.get("ID").type().startsWith("NUMBER"), columns.toString());
        assertTrue(columns.get("NAME").type().startsWith("VARCHAR"), columns.toString());
        assertEquals("BOOLEAN", columns.get("FLAG").type(), columns.toString());
        assertTrue(columns.get("FLAG").nullable(), "an added column is nullable");
        for (Row r : snowflake.table(table).rows()) {
            int i = r.metadata().get("offset").asInt();
            assertTrue(r.get("ID").isIntegralNumber() && r.get("ID").asInt() == i, r.toString());
            assertEquals("n" + i, r.get("NAME").asText(), r.toString());
            if (i < 60) {
                assertNull(r.get("FLAG"), "written before the column existed: " + r);
            } else {
                assertEquals(i % 2 == 0, r.get("FLAG").booleanValue(), r.toString());
            }
            assertNull(r.get("RECORD_CONTENT"), "no RECORD_CONTENT when schematized: " + r);
        }
        List<String> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consume(topic + "-dead", 2, Duration.ofSeconds(30))) {
            dead.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of(value(40), value(41)), dead);
        assertEquals(serverErrors, HpStreamingService.of(snowflake).rowErrors(),
                "refused before appending: the channel counted no error");
    }

    @Test
    void aValueItsColumnCannotHold_failFast_stopsNamingTheRecord_nothingCommittedPastIt() throws Exception {
        String topic = "hp_typed_failfast";
        kafka.createTopic(topic, 1);
        produce(topic, 0, 40);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, ErrorPolicy.failFast())) {
            bridge.start();
            Await.until("the first 40 committed", Duration.ofSeconds(60),
                    () -> HpIts.committedSum(kafka, "group-" + topic) == 40);
            produce(topic, 40, 41);
            Await.until("the bridge to stop", Duration.ofSeconds(60), () -> bridge.failure() != null);
            Throwable failure = bridge.failure();
            RecordFormatException rfe = failure instanceof RecordFormatException e ? e
                    : (RecordFormatException) failure.getCause();
            assertEquals(40, rfe.coordinates().offset(), String.valueOf(failure));
            assertTrue(rfe.getMessage().contains("column \"DB\".\"HPTYPED\".\"HP_TYPED_FAILFAST\".ID (NUMBER"),
                    rfe.getMessage());
        }
        assertEquals(40L, kafka.committedOffsets("group-" + topic).get(new TopicPartition(topic, 0)));
        assertEquals(40, HpIts.rowCount(snowflake, "DB.HPTYPED.HP_TYPED_FAILFAST"));
    }

    @Test
    void crash_whileAColumnIsAddedMidStream_restartLandsEachRecordOnce() throws Exception {
        String topic = "hp_typed_crash";
        String table = "DB.HPTYPED.HP_TYPED_CRASH";
        kafka.createTopic(topic, 2);
        HpStreamingService hp = HpStreamingService.of(snowflake);
        hp.delayCommits(Duration.ofMillis(400)); // at the crash some requests are accepted but not yet committed
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String v = "{\"id\":" + i + ",\"name\":\"n" + i + "\"" + (i >= 300 ? ",\"flag\":true" : "") + "}";
            records.add(new ProducerRecord<>(topic, i % 2, null, v.getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produceAll(records.subList(0, 400));
        try {
            HighPerformanceStreamingBackend backend = HpIts.backend(snowflake, "HPTYPED").schematization(true).build();
            KafkaToSnowflakeBridge first = crashable(topic, 0, backend);
            first.start();
            Await.until("rows with the new field handed to the SDK", Duration.ofSeconds(90),
                    () -> snowflake.tables().find(table).map(t -> t.column("FLAG") != null).orElse(false)
                            && backend.rowsAppended() >= 320);
            TestBridges.crash(first); // the process dies: what the SDK buffers is lost
        } finally {
            hp.delayCommits(Duration.ZERO);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        kafka.produceAll(records.subList(400, 600));
        try (KafkaToSnowflakeBridge second = crashable(topic, 1,
                HpIts.backend(snowflake, "HPTYPED").schematization(true).build())) {
            second.start();
            Await.until("all committed", Duration.ofSeconds(90), () -> HpIts.committedSum(kafka, "group-" + topic) == 600);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        for (Row r : snowflake.table(table).rows()) {
            int id = r.get("ID").asInt();
            if (id >= 300) {
                assertTrue(r.get("FLAG").booleanValue(), r.toString());
            } else {
                assertNull(r.get("FLAG"), r.toString());
            }
        }
    }

    private static KafkaToSnowflakeBridge crashable(String topic, int run, HighPerformanceStreamingBackend backend) {
        return KafkaToSnowflakeBridge.builder()
                .name("hp-typed-crash-" + run)
                .consumerProperties(HpIts.crashableConsumer(kafka, "group-" + topic))
                .topics(topic)
                .format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(40).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(backend)
                .build();
    }
}
