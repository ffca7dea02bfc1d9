package io.ksbridge.format.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real broker, the in-process registry and a bridge: Avro rows, schema ids, poison records, a registry outage. */
@KsbridgeTest
class AvroBridgeIT {
    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"item","type":"string"}]}""");
    private static final Schema KEY = Schema.create(Schema.Type.STRING);
    private static final long TIME = 1_700_000_000_000L;

    static EmbeddedKafka kafka;
    static SchemaRegistry registry;
    static int keyId;
    static int valueId;
    static int allTypesId;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
        registry = SchemaRegistry.start();
        keyId = registry.register("orders-key", "AVRO", KEY.toString());
        valueId = registry.register("orders-value", "AVRO", ORDER.toString());
        allTypesId = registry.register("all-value", "AVRO", AvroSamples.ALL_TYPES_SCHEMA);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static byte[] order(int id) {
        GenericData.Record r = new GenericData.Record(ORDER);
        r.put("id", id);
        r.put("item", "item-" + id);
        try {
            return AvroSamples.wire(valueId, AvroSamples.binary(ORDER, r));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] key(String k) {
        try {
            return AvroSamples.wire(keyId, AvroSamples.binary(KEY, k));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void produceOrders(String topic, int partitions, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, i % partitions, TIME + i, key("k" + i), order(i)));
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
                .format(AvroFormat.withSchemaRegistry(client))
                .keyFormat(AvroFormat.withSchemaRegistry(client))
                .flushPolicy(FlushPolicy.records(50).or(FlushPolicy.age(Duration.ofMillis(100))))
                .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(200)))
                .backend(backend);
    }

    static long committed(String topic) {
        return kafka.committedOffsets(topic + "-group").entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic)).mapToLong(Map.Entry::getValue).sum();
    }

    /** Row content by order id; fails on a duplicate. */
    static Map<Integer, String> byId(RecordingBackend backend, String table) {
        Map<Integer, String> out = new TreeMap<>();
        for (RecordingBackend.Row row : backend.rows(table)) {
            int id = Integer.parseInt(row.content().replaceAll("^\\{\"id\":(\\d+),.*$", "$1"));
            if (out.put(id, row.content()) != null) {
                throw new AssertionError("id " + id + " landed twice");
            }
        }
        return out;
    }

    @Test
    void avroKeysAndValues_twoPartitions_everyRowWithContentKeyAndSchemaIds() throws Exception {
        String topic = "avro_orders";
        kafka.createTopic(topic, 2);
        produceOrders(topic, 2, 0, 200);
        kafka.produce(new ProducerRecord<>(topic, 0, TIME, key("all"),
                AvroSamples.wire(allTypesId, AvroSamples.binary(AvroSamples.allTypesSchema(), AvroSamples.allTypes()))));
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> committed(topic) == 201, () -> "all committed");
        }
        List<RecordingBackend.Row> rows = backend.rows("AVRO_ORDERS");
        assertEquals(201, rows.size());
        Map<Integer, String> contents = new TreeMap<>();
        RecordingBackend.Row allTypes = null;
        for (RecordingBackend.Row row : rows) {
            if (row.content().startsWith("{\"id\":")) {
                int id = Integer.parseInt(row.content().replaceAll("^\\{\"id\":(\\d+),.*$", "$1"));
                contents.put(id, row.content());
                assertEquals("{\"topic\":\"avro_orders\",\"offset\":" + row.offset() + ",\"partition\":" + (id % 2)
                        + ",\"CreateTime\":" + (TIME + id) + ",\"schema_id\":" + valueId + ",\"key\":\"k" + id
                        + "\",\"key_schema_id\":" + keyId + "}", row.metadata());
            } else {
                allTypes = row;
            }
        }
        assertEquals(200, contents.size());
        for (int i = 0; i < 200; i++) {
            assertEquals("{\"id\":" + i + ",\"item\":\"item-" + i + "\"}", contents.get(i));
        }
        assertEquals(AvroSamples.ALL_TYPES_JSON, allTypes.content());
        assertEquals("{\"topic\":\"avro_orders\",\"offset\":100,\"partition\":0,\"CreateTime\":" + TIME
                + ",\"schema_id\":" + allTypesId + ",\"key\":\"all\",\"key_schema_id\":" + keyId + "}",
                allTypes.metadata());
    }

    /** Offsets 0-4 good, 5 wrong magic byte, 6 unknown schema id, 7 truncated body, 8-9 good. */
    static void producePoisoned(String topic) {
        kafka.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] value = order(i);
            if (i == 5) {
                value = "{\"id\":5}".getBytes(StandardCharsets.UTF_8);
            } else if (i == 6) {
                value[4] = 99; // schema id 99: never registered
            } else if (i == 7) {
                value = Arrays.copyOf(value, value.length - 3);
            }
            records.add(new ProducerRecord<>(topic, 0, TIME + i, key("k" + i), value));
        }
        kafka.produceAll(records);
    }

    @Test
    void failFast_wrongMagicByte_stopsNamingTopicPartitionOffset() throws Exception {
        String topic = "avro_poison_fail";
        producePoisoned(topic);
        RecordingBackend backend = new RecordingBackend();
        KafkaToSnowflakeBridge bridge = bridge(topic, backend).build();
        try {
            bridge.start();
            RecordFormatException e = assertThrows(RecordFormatException.class,
                    () -> bridge.awaitTermination(Duration.ofSeconds(30)));
            assertEquals(new RecordCoordinates(topic, 0, 5), e.coordinates());
            assertEquals("Cannot convert the value of record avro_poison_fail-0@5: the first byte is 0x7b, not the "
                    + "magic byte 0x00 of Confluent's wire format: the record was not written by a schema-registry "
                    + "Avro serializer", e.getMessage());
        } finally {
            bridge.close();
        }
        assertEquals(5, backend.rows("AVRO_POISON_FAIL").size());
        assertEquals(Map.of(new TopicPartition(topic, 0), 5L), kafka.committedOffsets(topic + "-group"));
    }

    @Test
    void deadLetter_threePoisonRecords_eachNamedAndTheRestLands() throws Exception {
        String topic = "avro_poison_dlq";
        producePoisoned(topic);
        kafka.createTopic(topic + "_dlq", 1);
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.deadLetter(topic + "_dlq"))
                .build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> committed(topic) == 10, () -> "all committed");
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 8, 9), new ArrayList<>(byId(backend, "AVRO_POISON_DLQ").keySet()));

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consume(topic + "_dlq", 3, Duration.ofSeconds(30));
        List<String> where = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            Map<String, String> h = new HashMap<>();
            d.headers().forEach(x -> h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8)));
            where.add(h.get("ksbridge.error.topic") + "/" + h.get("ksbridge.error.partition") + "/"
                    + h.get("ksbridge.error.offset") + "/" + h.get("ksbridge.error.side"));
            why.add(h.get("ksbridge.error.message"));
        }
        assertEquals(List.of(topic + "/0/5/VALUE", topic + "/0/6/VALUE", topic + "/0/7/VALUE"), where);
        assertEquals("the first byte is 0x7b, not the magic byte 0x00 of Confluent's wire format: the record was not "
                + "written by a schema-registry Avro serializer", why.get(0));
        assertEquals("the schema registry at " + registry.url() + " does not know schema id 99 (HTTP 404, error "
                + "code 40403)", why.get(1));
        assertTrue(why.get(2).startsWith("the Avro body is truncated: writer schema id " + valueId + " needs more than "
                + "the "), why.get(2));
        assertEquals("{\"id\":5}", new String(dead.get(0).value(), StandardCharsets.UTF_8));
    }

    @Test
    void registryFailingThenDown_recordsRetriedNotSkipped_allLandOnceWhenItRecovers() throws Exception {
        String topic = "avro_outage";
        kafka.createTopic(topic, 2);
        produceOrders(topic, 2, 0, 100);
        RecordingBackend backend = new RecordingBackend();
        // a fresh client per bridge: nothing cached yet, so the first record of each partition needs the registry
        registry.failWith(503);
        long before = registry.requestCount();
        java.util.concurrent.atomic.AtomicInteger skipped = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> causes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.skip())
                .listener(new io.ksbridge.BridgeListener() {
                    @Override
                    public void onSkip(io.ksbridge.BridgeEvents.Skip event) {
                        skipped.incrementAndGet();
                    }

                    @Override
                    public void onRetry(io.ksbridge.BridgeEvents.Retry event) {
                        causes.add(event.firstOffset() + ".." + event.lastOffset() + " " + event.cause().getMessage());
                    }
                }).build()) {
            bridge.start();
            // ten answers of 503: the records of both partitions were retried again and again
            Await.until(Duration.ofSeconds(30), () -> registry.requestCount() - before >= 10,
                    () -> "several failed registry calls");
            assertEquals(0, skipped.get(), "a record was skipped while the registry failed");
            assertTrue(causes.stream().allMatch(c -> c.startsWith("0..0 ")), "only each partition's first record "
                    + "waits: " + causes);
            registry.down();
            int retriesBeforeOutage = causes.size();
            // an outage the bridge lives through: connections refused, reported as retries of the same records
            // (skips would be counted, rows and commits seen)
            Await.until(Duration.ofSeconds(30), () -> causes.size() - retriesBeforeOutage >= 4,
                    () -> "four retries while the registry is down: " + causes);
            assertEquals(0, skipped.get(), "a record was skipped while the registry was down");
            assertEquals(0, backend.rowCount(), "nothing can be converted while the registry fails");
            assertEquals(0, committed(topic), "nothing is committed past records that wait for the registry");
            registry.failWith(0).up();
            Await.until(Duration.ofSeconds(30), () -> committed(topic) == 100, () -> "all committed");
        } finally {
            registry.failWith(0).up();
        }
        assertEquals(0, skipped.get(), "records were skipped instead of retried");
        Map<Integer, String> rows = byId(backend, "AVRO_OUTAGE");
        assertEquals(100, rows.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("{\"id\":" + i + ",\"item\":\"item-" + i + "\"}", rows.get(i));
        }
    }
}
