package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
import io.ksbridge.RetryPolicy;
import io.ksbridge.format.registry.SchemaRegistryClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import io.ksbridge.testkit.SchemaRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real broker, the in-process registry and a bridge: Protobuf rows, schema ids, poison records, an outage. */
@KsbridgeTest
class ProtobufBridgeIT {
    private static final long TIME = 1_700_000_000_000L;

    static EmbeddedKafka kafka;
    static SchemaRegistry registry;
    static int orderId;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
        registry = SchemaRegistry.start();
        orderId = ProtoSamples.registerOrder(registry, "refunds-value");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** Refund n in Confluent's wire format (message index [1] of shop/order.proto). Keys are raw Line messages. */
    static byte[] refund(int n) {
        try {
            return ProtoSamples.wire(orderId, new int[] {1}, ProtoSamples.refund("o-" + n, n).toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void produceRefunds(String topic, int partitions, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, i % partitions, TIME + i,
                    ProtoSamples.line("sku-" + i, i + 1).toByteArray(), refund(i)));
        }
        kafka.produceAll(records);
    }

    static KafkaToSnowflakeBridge.Builder bridge(String topic, RecordingBackend backend) {
        SchemaRegistryClient client = SchemaRegistryClient.builder().url(registry.url())
                .requestTimeout(Duration.ofSeconds(2)).build();
        return KafkaToSnowflakeBridge.builder()
                .name(topic)
                .consumerProperties(kafka.consumerProperties(topic + "-group"))
                .topics(topic)
                .format(ProtobufFormat.withSchemaRegistry(client))
                .keyFormat(ProtobufFormat.of(ProtoSamples.LINE_TYPE))
                .flushPolicy(FlushPolicy.records(50).or(FlushPolicy.age(Duration.ofMillis(100))))
                .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(200)))
                .backend(backend);
    }

    static long committed(String topic) {
        return kafka.committedOffsets(topic + "-group").entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic)).mapToLong(Map.Entry::getValue).sum();
    }

    static Map<Integer, RecordingBackend.Row> byAmount(RecordingBackend backend, String table) {
        Map<Integer, RecordingBackend.Row> out = new TreeMap<>();
        for (RecordingBackend.Row row : backend.rows(table)) {
            String c = row.content();
            int n = c.contains("\"amount\"") ? Integer.parseInt(c.replaceAll("^.*\"amount\":\"(\\d+)\".*$", "$1")) : 0;
            if (out.put(n, row) != null) {
                throw new AssertionError("refund " + n + " landed twice");
            }
        }
        return out;
    }

    @Test
    void protobufValuesAndKeys_twoPartitions_everyRowWithContentKeyAndSchemaId() throws Exception {
        String topic = "proto_refunds";
        kafka.createTopic(topic, 2);
        produceRefunds(topic, 2, 150);
        kafka.produce(new ProducerRecord<>(topic, 1, TIME, null,
                ProtoSamples.wire(orderId, new int[] {0}, ProtoSamples.order().toByteArray())));
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> committed(topic) == 151, () -> "all committed");
        }
        List<RecordingBackend.Row> rows = backend.rows("PROTO_REFUNDS");
        assertEquals(151, rows.size());
        RecordingBackend.Row order = rows.stream().filter(r -> r.content().startsWith("{\"i32\"")).findFirst()
                .orElseThrow();
        assertEquals(ProtoSamples.ORDER_JSON, order.content());
        assertEquals("{\"topic\":\"proto_refunds\",\"offset\":75,\"partition\":1,\"CreateTime\":" + TIME
                + ",\"schema_id\":" + orderId + "}", order.metadata());
        Map<Integer, RecordingBackend.Row> refunds = new TreeMap<>();
        for (RecordingBackend.Row r : rows) {
            if (r != order) {
                int n = r.content().contains("\"amount\"")
                        ? Integer.parseInt(r.content().replaceAll("^.*\"amount\":\"(\\d+)\".*$", "$1")) : 0;
                refunds.put(n, r);
            }
        }
        assertEquals(150, refunds.size());
        for (int i = 0; i < 150; i++) {
            RecordingBackend.Row r = refunds.get(i);
            assertEquals(i == 0 ? "{\"orderId\":\"o-0\"}" : "{\"orderId\":\"o-" + i + "\",\"amount\":\"" + i + "\"}",
                    r.content());
            assertEquals("{\"topic\":\"proto_refunds\",\"offset\":" + r.offset() + ",\"partition\":" + (i % 2)
                    + ",\"CreateTime\":" + (TIME + i) + ",\"schema_id\":" + orderId + ",\"key\":{\"sku\":\"sku-" + i
                    + "\",\"qty\":" + (i + 1) + "}}", r.metadata());
        }
    }

    /** Offsets 0-3 good, 4 wrong magic byte, 5 unknown schema id, 6 truncated body, 7-8 good. */
    static void producePoisoned(String topic) {
        kafka.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            byte[] value = refund(i + 1);
            if (i == 4) {
                value = "plain text".getBytes(StandardCharsets.UTF_8);
            } else if (i == 5) {
                value[4] = 99;
            } else if (i == 6) {
                value = Arrays.copyOf(value, value.length - 4);
            }
            records.add(new ProducerRecord<>(topic, 0, TIME + i, null, value));
        }
        kafka.produceAll(records);
    }

    @Test
    void failFast_wrongMagicByte_stopsNamingTopicPartitionOffset() throws Exception {
        String topic = "proto_poison_fail";
        producePoisoned(topic);
        RecordingBackend backend = new RecordingBackend();
        KafkaToSnowflakeBridge bridge = bridge(topic, backend).build();
        try {
            bridge.start();
            RecordFormatException e = assertThrows(RecordFormatException.class,
                    () -> bridge.awaitTermination(Duration.ofSeconds(30)));
            assertEquals(new RecordCoordinates(topic, 0, 4), e.coordinates());
            assertEquals("Cannot convert the value of record proto_poison_fail-0@4: the first byte is 0x70, not the "
                    + "magic byte 0x00 of Confluent's wire format: the record was not written by a schema-registry "
                    + "Protobuf serializer", e.getMessage());
        } finally {
            bridge.close();
        }
        assertEquals(4, backend.rows("PROTO_POISON_FAIL").size());
        assertEquals(Map.of(new TopicPartition(topic, 0), 4L), kafka.committedOffsets(topic + "-group"));
    }

    @Test
    void deadLetter_threePoisonRecords_eachNamedAndTheRestLands() throws Exception {
        String topic = "proto_poison_dlq";
        producePoisoned(topic);
        kafka.createTopic(topic + "_dlq", 1);
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.deadLetter(topic + "_dlq"))
                .build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> committed(topic) == 9, () -> "all committed");
        }
        assertEquals(List.of(1, 2, 3, 4, 8, 9), new ArrayList<>(byAmount(backend, "PROTO_POISON_DLQ").keySet()));
        List<String> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> d : kafka.consume(topic + "_dlq", 3, Duration.ofSeconds(30))) {
            Map<String, String> h = new HashMap<>();
            d.headers().forEach(x -> h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8)));
            dead.add(h.get("ksbridge.error.topic") + "/" + h.get("ksbridge.error.partition") + "/"
                    + h.get("ksbridge.error.offset") + ": " + h.get("ksbridge.error.message"));
        }
        assertEquals(List.of(
                topic + "/0/4: the first byte is 0x70, not the magic byte 0x00 of Confluent's wire format: the record "
                        + "was not written by a schema-registry Protobuf serializer",
                topic + "/0/5: the schema registry at " + registry.url() + " does not know schema id 99 (HTTP 404, "
                        + "error code 40403)",
                topic + "/0/6: the Protobuf body is truncated: it ends in the middle of a field of shop.Refund "
                        + "(schema id " + orderId + ")"), dead);
    }

    @Test
    void registryDown_recordsRetriedNotSkipped_allLandOnceWhenItRecovers() throws Exception {
        String topic = "proto_outage";
        kafka.createTopic(topic, 2);
        produceRefunds(topic, 2, 80);
        RecordingBackend backend = new RecordingBackend();
        registry.down();
        java.util.concurrent.atomic.AtomicInteger skipped = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<Integer> retriedPartitions = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.skip())
                .listener(new io.ksbridge.BridgeListener() {
                    @Override
                    public void onSkip(io.ksbridge.BridgeEvents.Skip event) {
                        skipped.incrementAndGet();
                    }

                    @Override
                    public void onRetry(io.ksbridge.BridgeEvents.Retry event) {
                        if (event.firstOffset() == 0 && event.lastOffset() == 0) { // each partition's first record
                            retriedPartitions.add(event.partition().partition());
                            retries.incrementAndGet();
                        }
                    }
                }).build()) {
            bridge.start();
            // an outage the bridge lives through: the first record of each partition refused again and again (a
            // record skipped meanwhile would be counted at once, before any commit)
            Await.until(Duration.ofSeconds(30), () -> retriedPartitions.size() == 2 && retries.get() >= 6,
                    () -> "six retries of the partitions' first records, both partitions among them (" + retries
                            + " retries of partitions " + retriedPartitions + ")");
            assertEquals(0, skipped.get(), "a record was skipped while the registry was down");
            assertEquals(0, backend.rowCount(), "nothing can be converted while the registry is down");
            assertEquals(0, committed(topic));
            registry.up();
            Await.until(Duration.ofSeconds(30), () -> committed(topic) == 80, () -> "all committed");
        } finally {
            registry.up();
        }
        assertEquals(0, skipped.get(), "records were skipped instead of retried");
        Map<Integer, RecordingBackend.Row> rows = byAmount(backend, "PROTO_OUTAGE");
        assertEquals(80, rows.size());
        for (int i = 1; i < 80; i++) {
            assertEquals("{\"orderId\":\"o-" + i + "\",\"amount\":\"" + i + "\"}", rows.get(i).content());
        }
    }
}
