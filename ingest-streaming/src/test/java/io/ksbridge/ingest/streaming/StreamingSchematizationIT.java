package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static io.ksbridge.ingest.streaming.StreamingIts.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Schematization: top-level fields become columns; a new field adds a column before its rows are written. */
@KsbridgeTest
class StreamingSchematizationIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static void produce(String topic, int from, int to, boolean extra) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String value = "{\"id\":" + i + ",\"name\":\"n" + i + "\"" + (extra ? ",\"extra\":{\"k\":" + i + "},\"flag\":true" : "")
                    + "}";
            records.add(new ProducerRecord<>(topic, 0, utf8("k" + i), utf8(value)));
        }
        kafka.produceAll(records);
    }

    @Test
    void schematization_newFieldsInLaterRecords_addColumnsAndEveryRowReadsBack() throws Exception {
        String topic = "evolving";
        String table = "DB.SCHEMA_EVOLUTION.EVOLVING";
        kafka.createTopic(topic, 1);
        produce(topic, 0, 100, false);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(40).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(StreamingIts.backend(snowflake, "SCHEMA_EVOLUTION").schematization(true).build())
                .build()) {
            bridge.start();
            Await.until("the first 100 rows", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= 100);
            produce(topic, 100, 200, true);
            Await.until("all 200 rows", Duration.ofSeconds(30), () -> rowCount(snowflake, table) >= 200);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30)); // the bridge closed (its SDK flushed): anything extra is here now
        List<String> columns = snowflake.table(table).columns().stream().map(ColumnDef::name).toList();
        assertEquals(List.of("RECORD_METADATA", "ID", "NAME", "EXTRA", "FLAG"), columns);
        assertEquals(List.of("VARIANT", "NUMBER", "VARCHAR", "VARIANT", "BOOLEAN"),
                snowflake.table(table).columns().stream().map(ColumnDef::type).toList());
        List<Row> rows = new ArrayList<>(snowflake.table(table).rows());
        assertEquals(200, rows.size());
        rows.sort(Comparator.comparingLong(r -> r.get("ID").asLong()));
        for (int i = 0; i < 200; i++) {
            Row row = rows.get(i);
            assertEquals(i, row.get("ID").asLong(), "exactly once, in order: " + row);
            assertEquals("n" + i, row.get("NAME").asText());
            assertEquals(i, row.metadata().get("offset").asLong());
            if (i < 100) {
                assertNull(row.get("EXTRA"), row.toString());
                assertNull(row.get("FLAG"), row.toString());
            } else {
                assertEquals(i, row.get("EXTRA").get("k").asInt(), row.toString());
                assertEquals(true, row.get("FLAG").asBoolean(), row.toString());
            }
        }
        assertEquals("199", StreamingIts.streaming(snowflake).committedOffsetToken(table, "evolving_0").orElseThrow());
    }
}
