package io.ksbridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KsbridgeTest
class BridgeEndToEndIT {
    static EmbeddedKafka kafka;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startKafka(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
    }

    @Test
    void run_onTheCallersThread_closeFromAnotherThreadReturnsItAfterCommitting() throws Exception {
        kafka.createTopic("e2e-run", 2);
        ItSupport.produceIds(kafka, "e2e-run", 2, 0, 1_000);
        RecordingBackend backend = new RecordingBackend();
        KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("e2e-run-group"))
                .topics("e2e-run")
                .flushPolicy(FlushPolicy.records(100_000).or(FlushPolicy.age(Duration.ofSeconds(60))))  // only close flushes
                .backend(backend)
                .build();
        Thread host = new Thread(bridge, "host-thread");
        host.start();
        // about 200 bytes a row (content, metadata, key, overhead): wait until all 1,000 are buffered, none loaded
        Await.until("records buffered", Duration.ofSeconds(30), () -> bridge.bufferedBytes() >= 1_000 * 150);
        assertEquals(0, backend.rowCount());
        bridge.close();
        host.join(10_000);
        assertTrue(!host.isAlive(), "run() returned after close()");
        assertTrue(bridge.awaitTermination(Duration.ZERO));
        ExactlyOnce.assertEveryRecordOnce(backend, "E2E_RUN_" + Math.abs("e2e-run".hashCode()), kafka.endOffsets("e2e-run"));
        assertEquals(kafka.endOffsets("e2e-run"), kafka.committedOffsets("e2e-run-group"));
        assertThrows(IllegalStateException.class, bridge::start);
    }

    @Test
    void ownLoop_100kRecordsOnTwoTopics_eachRowOnceWithMetadataAndCommittedOffsetsEqualDurable() throws Exception {
        kafka.createTopic("e2e.orders", 4);
        kafka.createTopic("e2e-payments", 4);
        int perTopic = 50_000;
        for (String topic : List.of("e2e.orders", "e2e-payments")) {
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = 0; i < perTopic; i++) {
                RecordHeaders h = new RecordHeaders();
                h.add("source", "test".getBytes(StandardCharsets.UTF_8));
                batch.add(new ProducerRecord<>(topic, i % 4, 1_700_000_000_000L + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":" + i + ",\"topic\":\"" + topic + "\",\"text\":\"h\u00e9llo\"}").getBytes(StandardCharsets.UTF_8), h));
            }
            kafka.produceAll(batch);
        }
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("e2e-group"))
                .topics("e2e.orders", "e2e-payments")
                .flushPolicy(FlushPolicy.records(5_000).or(FlushPolicy.age(Duration.ofMillis(200))))
                .backend(backend)
                .build()) {
            bridge.start();
            Await.until("all rows", Duration.ofSeconds(60), () -> backend.rowCount() >= 2L * perTopic);
        }
        String ordersTable = "E2E_ORDERS_" + Math.abs("e2e.orders".hashCode());
        String paymentsTable = "E2E_PAYMENTS_" + Math.abs("e2e-payments".hashCode());
        assertEquals(java.util.Set.of(ordersTable, paymentsTable), backend.tables());
        for (String topic : List.of("e2e.orders", "e2e-payments")) {
            String table = topic.equals("e2e.orders") ? ordersTable : paymentsTable;
            List<RecordingBackend.Row> rows = backend.rows(table);
            assertEquals(perTopic, rows.size(), "rows in " + table);
            boolean[] seen = new boolean[perTopic];
            for (RecordingBackend.Row row : rows) {
                JsonNode content = JSON.readTree(row.content());
                int id = content.get("id").asInt();
                assertTrue(!seen[id], "id " + id + " twice in " + table);
                seen[id] = true;
                assertEquals("h\u00e9llo", content.get("text").asText());
                JsonNode meta = JSON.readTree(row.metadata());
                assertEquals(topic, meta.get("topic").asText());
                assertEquals(id % 4, meta.get("partition").asInt());
                assertEquals(row.offset(), meta.get("offset").asLong());
                assertEquals(1_700_000_000_000L + id, meta.get("CreateTime").asLong());
                assertEquals("k" + id, meta.get("key").asText());
                assertEquals("test", meta.get("headers").get("source").asText());
            }
        }
        Map<TopicPartition, Long> committed = kafka.committedOffsets("e2e-group");
        Map<TopicPartition, Long> expected = new HashMap<>();
        expected.putAll(kafka.endOffsets("e2e.orders"));
        expected.putAll(kafka.endOffsets("e2e-payments"));
        assertEquals(expected, committed);
        Map<TopicPartition, Long> covered = new HashMap<>();
        backend.coveredOffsets().forEach((tp, last) -> covered.put(tp, last + 1));
        assertEquals(committed, covered);
        assertEquals(0, backend.repeatedBatchCount());
    }
}
