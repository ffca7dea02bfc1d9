package io.ksbridge.transforms.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.MetadataOptions;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Connect's own MaskField, ReplaceField (include, exclude, renames) and InsertField, configured with the connector's
 * transforms.* keys through BridgeConfig, on records produced to the in-process broker.
 */
@KsbridgeTest
class ConnectTransformsIT {
    private static final String MASK = "org.apache.kafka.connect.transforms.MaskField$Value";
    private static final String REPLACE = "org.apache.kafka.connect.transforms.ReplaceField$Value";
    private static final String INSERT = "org.apache.kafka.connect.transforms.InsertField$Value";

    private static List<RecordingBackend.Row> run(EmbeddedKafka kafka, String topic, Map<String, String> transforms,
            int expected) throws Exception {
        kafka.createTopic(topic, 1);
        ProducerRecord<byte[], byte[]> a = new ProducerRecord<>(topic, 0, "k1".getBytes(StandardCharsets.UTF_8),
                "{\"id\":1,\"ssn\":\"123-45-6789\",\"name\":\"Zoë \\\"Z\\\"\",\"internal\":{\"x\":[1,2]},\"amount\":12.50}"
                        .getBytes(StandardCharsets.UTF_8));
        a.headers().add("source", "web".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> b = new ProducerRecord<>(topic, 0, null,
                "{\"id\":2,\"ssn\":null,\"name\":\"B\",\"internal\":null,\"amount\":7}".getBytes(StandardCharsets.UTF_8));
        kafka.produceAll(List.of(a, b));
        Map<String, String> props = new LinkedHashMap<>(transforms);
        props.put("topics", topic);
        RecordingBackend backend = new RecordingBackend();
        KafkaToSnowflakeBridge.Builder builder = BridgeConfig.from(props).applyTo(KafkaToSnowflakeBridge.builder());
        try (KafkaToSnowflakeBridge bridge = builder.consumerProperties(kafka.consumerProperties("g-" + topic))
                .flushPolicy(FlushPolicy.age(Duration.ofMillis(50)))
                .metadata(MetadataOptions.all())
                .backend(backend)
                .build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(60), () -> backend.rowCount() == expected,
                    () -> expected + " rows, have " + backend.rowCount());
            Await.until(Duration.ofSeconds(60), () -> Long.valueOf(2).equals(
                    kafka.committedOffsets("g-" + topic).get(new TopicPartition(topic, 0))), () -> "offset 2 committed");
        }
        List<RecordingBackend.Row> rows = new java.util.ArrayList<>(backend.rows(backend.tables().iterator().next()));
        rows.sort(Comparator.comparingLong(RecordingBackend.Row::offset));
        return rows;
    }

    /**
     * Same JSON, field order aside: Connect's schemaless MaskField and ReplaceField copy the map into a HashMap, so
     * the order they give back is the HashMap's, as with the connector. Numbers compared as written.
     */
    private static void assertJson(String expected, String actual) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        assertEquals(m.readTree(expected), m.readTree(actual), actual);
    }

    @Test
    void maskField_valueFields_maskedAsConnectMasksThem(EmbeddedKafka kafka) throws Exception {
        List<RecordingBackend.Row> rows = run(kafka, "smt-mask", Map.of("transforms", "m",
                "transforms.m.type", MASK, "transforms.m.fields", "ssn,amount"), 2);
        assertJson("{\"id\":1,\"ssn\":\"\",\"name\":\"Zoë \\\"Z\\\"\",\"internal\":{\"x\":[1,2]},\"amount\":0}", rows.get(0).content());
        assertJson("{\"id\":2,\"ssn\":null,\"name\":\"B\",\"internal\":null,\"amount\":0}", rows.get(1).content());
        assertTrue(rows.get(0).metadata().contains("\"headers\":{\"source\":\"web\"}"), rows.get(0).metadata());
        assertTrue(rows.get(0).metadata().contains("\"key\":\"k1\""), rows.get(0).metadata());
    }

    @Test
    void replaceField_excludeAndRenames(EmbeddedKafka kafka) throws Exception {
        List<RecordingBackend.Row> rows = run(kafka, "smt-replace", Map.of("transforms", "r",
                "transforms.r.type", REPLACE, "transforms.r.exclude", "internal,ssn",
                "transforms.r.renames", "name:full_name,id:order_id"), 2);
        assertJson("{\"order_id\":1,\"full_name\":\"Zoë \\\"Z\\\"\",\"amount\":12.50}", rows.get(0).content());
        assertJson("{\"order_id\":2,\"full_name\":\"B\",\"amount\":7}", rows.get(1).content());
    }

    @Test
    void replaceField_include(EmbeddedKafka kafka) throws Exception {
        List<RecordingBackend.Row> rows = run(kafka, "smt-include", Map.of("transforms", "r",
                "transforms.r.type", REPLACE, "transforms.r.include", "id,name"), 2);
        assertJson("{\"id\":1,\"name\":\"Zoë \\\"Z\\\"\"}", rows.get(0).content());
    }

    @Test
    void insertField_topicOffsetStatic_thenKsbridgeDrop(EmbeddedKafka kafka) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("transforms", "ins,drop");
        props.put("transforms.ins.type", INSERT);
        props.put("transforms.ins.topic.field", "kafka_topic");
        props.put("transforms.ins.offset.field", "kafka_offset");
        props.put("transforms.ins.static.field", "src");
        props.put("transforms.ins.static.value", "kafka");
        props.put("transforms.drop.type", "drop");
        props.put("transforms.drop.fields", "internal,ssn,name");
        List<RecordingBackend.Row> rows = run(kafka, "smt-insert", props, 2);
        assertJson("{\"id\":1,\"amount\":12.50,\"kafka_topic\":\"smt-insert\",\"kafka_offset\":0,\"src\":\"kafka\"}", rows.get(0).content());
        assertJson("{\"id\":2,\"amount\":7,\"kafka_topic\":\"smt-insert\",\"kafka_offset\":1,\"src\":\"kafka\"}", rows.get(1).content());
    }
}
