package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A table loaded through a PIPE the user created, whose COPY picks fields of the record into columns of their own
 * (one parsed from a JSON string, one cast to text): every record lands once, as the pipe selects it, and the
 * channels' tokens are the partitions' last offsets.
 */
@KsbridgeTest
class HpUserPipeIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    @Test
    void userPipe_copySelectsFieldsIntoColumns_everyRecordOnceAsThePipeSelectsIt() throws Exception {
        String topic = "piped";
        kafka.createTopic(topic, 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String value = "{\"id\":" + i + ",\"nested\":{\"n\":" + i + "},\"tagsJson\":\"[\\\"a\\\",\\\"b\\\"]\"}";
            records.add(new ProducerRecord<>(topic, i % 2, null, value.getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produceAll(records);
        try (SqlApiClient sql = SqlApiClient.create(snowflake.account())) {
            sql.execute("CREATE TABLE PIPED_ORDERS (ID NUMBER NOT NULL, TOPIC VARCHAR, NESTED VARIANT, KAFKA_OFFSET NUMBER,"
                    + " \"Tags\" VARIANT)", "DB", "PIPES");
            sql.execute("CREATE PIPE ORDERS_PIPE AS COPY INTO PIPED_ORDERS (ID, TOPIC, NESTED, KAFKA_OFFSET, \"Tags\")"
                    + " FROM (SELECT $1:RECORD_CONTENT:id, $1:RECORD_METADATA:topic::STRING, $1:RECORD_CONTENT:nested,"
                    + " $1:RECORD_METADATA:offset, PARSE_JSON($1:RECORD_CONTENT:tagsJson)"
                    + " FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))", "DB", "PIPES");
        }
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-piped"))
                .topics(topic)
                .tableNamer(io.ksbridge.TableNamer.mapping(Map.of(topic, "PIPED_ORDERS")))
                .flushPolicy(FlushPolicy.records(200).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(HpIts.backend(snowflake, "PIPES").pipe("PIPED_ORDERS", "orders_pipe").build())
                .build()) {
            bridge.start();
            Await.until("every record committed", Duration.ofSeconds(90),
                    () -> HpIts.committedSum(kafka, "group-piped") == 1_000);
        }
        snowflake.awaitIdle(Duration.ofSeconds(10));
        List<Row> rows = snowflake.table("DB.PIPES.PIPED_ORDERS").rows();
        assertEquals(1_000, rows.size());
        TreeSet<Integer> ids = new TreeSet<>();
        for (Row row : rows) {
            int id = row.get("ID").asInt();
            ids.add(id);
            assertEquals(topic, row.get("TOPIC").asText(), row.toString());
            assertTrue(row.get("TOPIC").isTextual(), row.toString());
            JsonNode nested = row.get("NESTED");
            assertTrue(nested.isObject() && nested.path("n").asInt(-1) == id, row.toString());
            assertEquals(id / 2, row.get("KAFKA_OFFSET").asLong(), row.toString());
            // the pipe parsed the JSON text of tagsJson into an array
            JsonNode tags = row.get("Tags");
            assertTrue(tags.isArray() && tags.size() == 2 && "a".equals(tags.get(0).asText()), row.toString());
            assertEquals(5, row.values().size(), "only the pipe's columns: " + row);
        }
        assertEquals(1_000, ids.size());
        assertEquals(0, ids.first());
        assertEquals(999, ids.last());
        assertEquals(Map.of("piped_0", "499", "piped_1", "499"),
                HpStreamingService.of(snowflake).committedOffsetTokens("DB.PIPES.PIPED_ORDERS"));
    }
}
