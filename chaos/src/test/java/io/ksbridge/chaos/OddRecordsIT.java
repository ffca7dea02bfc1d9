package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input beyond bad records: null keys and values, huge headers, unicode everywhere (topic names included), and
 * the longest topic name Kafka allows, through real bridges with a {@link RecordingBackend}.
 */
@KsbridgeTest
class OddRecordsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaToSnowflakeBridge.Builder ownLoop(String topic, RecordingBackend backend) {
        return KafkaToSnowflakeBridge.builder()
                .name("odd")
                .consumerProperties(kafka.consumerProperties("odd-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(100))
                .backend(backend);
    }

    private static long committed(String group) {
        return kafka.committedOffsets(group).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void nullKeysAndValues_loadedAsTheConnectorDoes_offsetsCommitted() throws Exception {
        String topic = "odd-nulls";
        kafka.createTopic(topic, 1);
        kafka.produce(topic, 0, null, "{\"n\":1}");
        kafka.produce(topic, 0, "k2", null);
        kafka.produce(topic, 0, null, null);
        kafka.produce(topic, 0, "", "{\"n\":4}");
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = ownLoop(topic, backend).build()) {
            bridge.start();
            Await.until("4 rows and the commit", Duration.ofSeconds(30), () -> backend.rowCount() == 4 && committed("odd-" + topic) == 4);
            assertNull(bridge.failure());
        }
        List<RecordingBackend.Row> rows = backend.rows(TableNamer.connectorDefault().tableName(topic));
        assertEquals(4, rows.size());
        assertEquals("{\"n\":1}", rows.get(0).content());
        JsonNode m0 = JSON.readTree(rows.get(0).metadata());
        assertFalse(m0.has("key") && !m0.get("key").isNull(), "a null key is not written as a value: " + m0);
        assertEquals("{}", rows.get(1).content(), "a tombstone is a row with empty content by default");
        assertEquals("k2", JSON.readTree(rows.get(1).metadata()).get("key").asText());
        assertEquals("{}", rows.get(2).content());
        assertEquals("", JSON.readTree(rows.get(3).metadata()).get("key").asText(), "an empty key stays an empty key");
        for (int i = 0; i < 4; i++) {
            assertEquals(i, rows.get(i).offset());
        }
    }

    @Test
    void hugeHeaders_100KiBHeaderLoadsWholeOrGoesToTheDeadLetterTopicWhole() throws Exception {
        String topic = "odd-headers";
        String dlq = "odd-headers-dlq";
        kafka.createTopic(topic, 1);
        kafka.createTopic(dlq, 1);
        String big = "h\u00e9\u65e5".repeat(100 * 1024 / 6); // about 100 KiB of UTF-8
        RecordHeaders headers = new RecordHeaders();
        headers.add("big", utf8(big));
        for (int i = 0; i < 50; i++) {
            headers.add("h" + i, utf8("v" + i));
        }
        headers.add("nullHeader", null);
        kafka.produce(new ProducerRecord<>(topic, 0, utf8("k"), utf8("{\"id\":1}"), headers));
        kafka.produce(topic, 0, "k2", "{\"id\":2}");

        // default maxRecordBytes (16 MiB): the row carries every header
        RecordingBackend loaded = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = ownLoop(topic, loaded).build()) {
            bridge.start();
            Await.until("2 rows", Duration.ofSeconds(30), () -> loaded.rowCount() == 2);
        }
        RecordingBackend.Row row = loaded.rows(TableNamer.connectorDefault().tableName(topic)).get(0);
        JsonNode meta = JSON.readTree(row.metadata());
        assertEquals(big, meta.get("headers").get("big").asText());
        assertEquals("v49", meta.get("headers").get("h49").asText());
        assertTrue(meta.get("headers").has("nullHeader"), meta.get("headers").toString().substring(0, 80));

        // maxRecordBytes 64 KiB: the row (content plus metadata) is too large; the record goes to the DLQ unchanged
        RecordingBackend capped = new RecordingBackend();
        String group = "odd-" + topic + "-capped";
        try (KafkaToSnowflakeBridge bridge = ownLoop(topic, capped).consumerProperties(kafka.consumerProperties(group))
                .maxRecordBytes(64 * 1024).errorPolicy(ErrorPolicy.deadLetter(dlq)).build()) {
            bridge.start();
            Await.until("1 row and the commit", Duration.ofSeconds(30), () -> capped.rowCount() == 1 && committed(group) == 2);
        }
        assertEquals("{\"id\":2}", capped.rows(TableNamer.connectorDefault().tableName(topic)).get(0).content());
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(dlq);
        assertEquals(1, dead.size());
        ConsumerRecord<byte[], byte[]> d = dead.get(0);
        assertEquals("{\"id\":1}", new String(d.value(), StandardCharsets.UTF_8));
        assertEquals(big, new String(d.headers().lastHeader("big").value(), StandardCharsets.UTF_8));
        assertEquals(topic, new String(d.headers().lastHeader("ksbridge.error.topic").value(), StandardCharsets.UTF_8));
        assertEquals("0", new String(d.headers().lastHeader("ksbridge.error.offset").value(), StandardCharsets.UTF_8));
        String reason = new String(d.headers().lastHeader("ksbridge.error.message").value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("65536"), "the reason names the limit: " + reason);
        assertTrue(reason.length() < 2_000, "the reason does not carry the payload: " + reason.length() + " chars");
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> end = kafka.endOffsets(topic);
            c.assign(end.keySet());
            c.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue()) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void unicodeTopicName_hostLoop_connectorTableNameAndEscapedMetadata() throws Exception {
        // Kafka itself only allows [a-zA-Z0-9._-] in topic names, but a host loop can hand the bridge any records
        String topic = "z\u00e4hler-\u65e5\u672c-\uD83D\uDE80";
        TopicPartition tp = new TopicPartition(topic, 0);
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder().name("odd-unicode")
                .flushPolicy(FlushPolicy.records(2)).backend(backend).build()) {
            bridge.rebalanceListener().onPartitionsAssigned(List.of(tp));
            RecordHeaders headers = new RecordHeaders();
            headers.add("\u00fcber\"quote", utf8("\u05e9\u05dc\u05d5\u05dd \u0000 \\ \u2028"));
            List<ConsumerRecord<byte[], byte[]>> list = List.of(
                    new ConsumerRecord<>(topic, 0, 0, 1_700_000_000_000L, TimestampType.CREATE_TIME, 2, 20, utf8("\uD83D\uDD11"),
                            utf8("{\"text\":\"\u00e9\u65e5\uD83D\uDE80\\u0000\"}"), headers, Optional.empty()),
                    new ConsumerRecord<>(topic, 0, 1, 1_700_000_000_001L, TimestampType.CREATE_TIME, -1, 2, null,
                            utf8("{}"), new RecordHeaders(), Optional.empty()));
            bridge.accept(new ConsumerRecords<>(Map.of(tp, list), Map.of()));
            // a host loop: each empty accept() is a turn in which the bridge takes its completions
            Await.until(Duration.ofSeconds(10), () -> {
                bridge.accept(ConsumerRecords.empty());
                return bridge.durableOffsets().getOrDefault(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))
                        .offset() >= 2;
            }, () -> "the two records to become durable: " + bridge.durableOffsets());
        }
        String table = TableNamer.connectorDefault().tableName(topic);
        assertTrue(table.matches("[A-Z_][A-Z0-9_]*"), "a valid unquoted identifier: " + table);
        List<RecordingBackend.Row> rows = backend.rows(table);
        assertEquals(2, rows.size());
        JsonNode content = JSON.readTree(rows.get(0).content());
        assertEquals("\u00e9\u65e5\uD83D\uDE80\u0000", content.get("text").asText());
        JsonNode meta = JSON.readTree(rows.get(0).metadata());
        assertEquals(topic, meta.get("topic").asText());
        assertEquals("\uD83D\uDD11", meta.get("key").asText());
        assertEquals("\u05e9\u05dc\u05d5\u05dd \u0000 \\ \u2028", meta.get("headers").get("\u00fcber\"quote").asText());
    }

    @Test
    void unicodeTopicName_ownLoop_failsNamingTheTopicInsteadOfHanging() throws Exception {
        String topic = "\u65e5\u672c";
        RecordingBackend backend = new RecordingBackend();
        KafkaToSnowflakeBridge bridge = ownLoop(topic, backend).build();
        try {
            bridge.start();
            bridge.awaitTermination(Duration.ofSeconds(30));
        } catch (RuntimeException expected) {
            // start() or awaitTermination() may rethrow the failure; it is checked below
        }
        try {
            assertFalse(bridge.isRunning(), "the bridge stopped");
            Throwable failure = bridge.failure();
            assertNotNull(failure, "the bridge reports why it stopped");
            String text = String.valueOf(failure);
            for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
                text += " / " + t;
            }
            assertTrue(text.contains(topic), "the failure names the topic: " + text);
            assertEquals(0, backend.rowCount());
        } finally {
            bridge.close(Duration.ZERO);
        }
    }

    @Test
    void longestLegalTopicName_ownLoop_loadsIntoTheConnectorsTable() throws Exception {
        String topic = "t." + "a_b-9".repeat(49) + "zz"; // 249 characters, Kafka's maximum
        assertEquals(249, topic.length());
        kafka.createTopic(topic, 2);
        for (int i = 0; i < 10; i++) {
            kafka.produce(topic, i % 2, "k" + i, "{\"i\":" + i + "}");
        }
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = ownLoop(topic, backend).build()) {
            bridge.start();
            Await.until("10 rows", Duration.ofSeconds(30), () -> backend.rowCount() == 10);
        }
        assertEquals(List.of(TableNamer.connectorDefault().tableName(topic)), List.copyOf(backend.tables()));
        assertThrows(IllegalStateException.class, () -> kafka.createTopic(topic + "x", 1), "Kafka's own limit holds");
    }
}
