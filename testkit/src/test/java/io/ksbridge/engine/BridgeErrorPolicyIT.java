package io.ksbridge.engine;

import static io.ksbridge.engine.ItSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.NullValueBehavior;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Malformed, oversized, rejected and null records under each error policy. */
@KsbridgeTest
class BridgeErrorPolicyIT {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
    }

    /** 10 good records, one malformed at offset 10, 10 good: all on partition 0. */
    private static void producePoisoned(String topic) {
        kafka.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace", utf8("t" + i));
            String value = i == 10 ? "{\"id\":10, \"broken\": tru" : "{\"id\":" + i + "}";
            records.add(new ProducerRecord<>(topic, 0, utf8("key-" + i), utf8(value), headers));
        }
        kafka.produceAll(records);
    }

    private static KafkaToSnowflakeBridge.Builder bridge(String topic, RecordingBackend backend) {
        return KafkaToSnowflakeBridge.builder()
                .name(topic)
                .consumerProperties(kafka.consumerProperties(topic + "-group"))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(4).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend);
    }

    @Test
    void failFast_malformedJson_stopsNamingTheRecordAndCommitsUpToIt() throws Exception {
        String topic = "poison-fail";
        producePoisoned(topic);
        RecordingBackend backend = new RecordingBackend();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        KafkaToSnowflakeBridge bridge = bridge(topic, backend).listener(new BridgeListener() {
            @Override
            public void onFailure(Throwable cause) {
                failures.add(cause);
            }
        }).build();
        bridge.start();
        RecordFormatException e = assertThrows(RecordFormatException.class,
                () -> bridge.awaitTermination(Duration.ofSeconds(30)));
        assertEquals(new RecordCoordinates(topic, 0, 10), e.coordinates());
        assertEquals(RecordFormatException.Side.VALUE, e.side());
        assertEquals("Cannot convert the value of record poison-fail-0@10: invalid JSON at line 1, column 21: "
                + "unexpected end of input", e.getMessage());
        assertFalse(e.getMessage().contains("broken"), "payload must not leak into the message: " + e.getMessage());
        assertEquals(List.of(e), failures);
        // The ten good records before it are loaded and committed; nothing past it.
        assertEquals(10, backend.rows("POISON_FAIL_" + Math.abs(topic.hashCode())).size());
        assertEquals(Map.of(new TopicPartition(topic, 0), 10L), kafka.committedOffsets(topic + "-group"));
        bridge.close();
    }

    @Test
    void deadLetter_malformedJson_originalGoesToDlqWithErrorHeadersAndTheRestLands() throws Exception {
        String topic = "poison-dlq";
        producePoisoned(topic);
        kafka.createTopic(topic + "-dlq", 1);
        RecordingBackend backend = new RecordingBackend();
        List<BridgeEvents.DeadLetter> events = new CopyOnWriteArrayList<>();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.deadLetter(topic + "-dlq"))
                .listener(new BridgeListener() {
                    @Override
                    public void onDeadLetter(BridgeEvents.DeadLetter event) {
                        events.add(event);
                    }
                }).build()) {
            bridge.start();
            Await.until("committed past the poison", Duration.ofSeconds(30),
                    () -> Long.valueOf(21).equals(kafka.committedOffsets(topic + "-group").get(new TopicPartition(topic, 0))));
        }
        assertEquals(20, backend.rows("POISON_DLQ_" + Math.abs(topic.hashCode())).size());
        assertEquals(1, events.size());
        assertEquals(new RecordCoordinates(topic, 0, 10), events.get(0).record());

        List<ConsumerRecord<byte[], byte[]>> dead = readAll(topic + "-dlq", 1);
        ConsumerRecord<byte[], byte[]> d = dead.get(0);
        assertEquals("key-10", new String(d.key(), StandardCharsets.UTF_8));
        assertEquals("{\"id\":10, \"broken\": tru", new String(d.value(), StandardCharsets.UTF_8));
        Map<String, String> headers = new HashMap<>();
        for (Header h : d.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        assertEquals("t10", headers.get("trace"));
        assertEquals(topic, headers.get("ksbridge.error.topic"));
        assertEquals("0", headers.get("ksbridge.error.partition"));
        assertEquals("10", headers.get("ksbridge.error.offset"));
        assertEquals("VALUE", headers.get("ksbridge.error.side"));
        assertEquals("invalid JSON at line 1, column 21: unexpected end of input", headers.get("ksbridge.error.message"));
        assertEquals("java.io.IOException", headers.get("ksbridge.error.exception"));
    }

    @Test
    void skip_malformedJsonAndOversizedRecord_bothReportedAndTheRestLands() throws Exception {
        String topic = "poison-skip";
        producePoisoned(topic);
        kafka.produce(topic, 0, "big", "{\"blob\":\"" + "z".repeat(5_000) + "\"}");   // offset 21, over maxRecordBytes
        kafka.produce(topic, 0, "last", "{\"id\":22}");
        RecordingBackend backend = new RecordingBackend();
        List<BridgeEvents.Skip> skips = new CopyOnWriteArrayList<>();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.skip()).maxRecordBytes(4_096)
                .listener(new BridgeListener() {
                    @Override
                    public void onSkip(BridgeEvents.Skip event) {
                        skips.add(event);
                    }
                }).build()) {
            bridge.start();
            Await.until("committed to the end", Duration.ofSeconds(30),
                    () -> Long.valueOf(23).equals(kafka.committedOffsets(topic + "-group").get(new TopicPartition(topic, 0))));
        }
        assertEquals(21, backend.rows("POISON_SKIP_" + Math.abs(topic.hashCode())).size());
        assertEquals(List.of(new RecordCoordinates(topic, 0, 10), new RecordCoordinates(topic, 0, 21)),
                skips.stream().map(BridgeEvents.Skip::record).toList());
        assertTrue(skips.get(1).reason().matches("the row is \\d+ bytes, over maxRecordBytes \\(4096\\)"), skips.get(1).reason());
    }

    @Test
    void deadLetter_rowsTheBackendRejects_goToDlqAndOffsetsMovePastThem() throws Exception {
        String topic = "rejected";
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + "-dlq", 1);
        ItSupport.produceIds(kafka, topic, 1, 0, 50);
        RecordingBackend backend = new RecordingBackend().rejectOffsets(Set.of(7L, 31L));
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).errorPolicy(ErrorPolicy.deadLetter(topic + "-dlq")).build()) {
            bridge.start();
            Await.until("committed to the end", Duration.ofSeconds(30),
                    () -> Long.valueOf(50).equals(kafka.committedOffsets(topic + "-group").get(new TopicPartition(topic, 0))));
        }
        assertEquals(48, backend.rows("REJECTED").size());
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(topic + "-dlq", 2);
        assertEquals(List.of("{\"id\":7,", "{\"id\":31"), dead.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8).substring(0, 8)).toList());
        assertEquals("Snowflake rejected the row: injected rejection of offset 7",
                new String(dead.get(0).headers().lastHeader("ksbridge.error.message").value(), StandardCharsets.UTF_8));
    }

    @Test
    void failFast_rowTheBackendRejects_stopsPromptlyNamingItAndNeverCommitsPastIt() throws Exception {
        String topic = "rejected-fail";
        kafka.createTopic(topic, 1);
        ItSupport.produceIds(kafka, topic, 1, 0, 50);
        RecordingBackend backend = new RecordingBackend().rejectOffsets(Set.of(23L));
        KafkaToSnowflakeBridge bridge = bridge(topic, backend).closeTimeout(Duration.ofSeconds(20)).build();
        long t0 = System.nanoTime();
        bridge.start();
        RecordFormatException e = assertThrows(RecordFormatException.class,
                () -> bridge.awaitTermination(Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "the bridge took too long to stop");
        assertEquals(new RecordCoordinates(topic, 0, 23), e.coordinates());
        assertEquals("Cannot load record rejected-fail-0@23: Snowflake rejected the row: "
                + "injected rejection of offset 23", e.getMessage());
        long committed = kafka.committedOffsets(topic + "-group").getOrDefault(new TopicPartition(topic, 0), 0L);
        assertTrue(committed <= 20, "committed " + committed + " past the batch holding the rejected row (20-23)");
        bridge.close();
    }

    @Test
    void formatNotAtFault_nonRetriableIngestException_stopsTheBridgeEvenWithDeadLetter() throws Exception {
        String topic = "format-broken-env";
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + "-dlq", 1);
        ItSupport.produceIds(kafka, topic, 1, 0, 10);
        RecordingBackend backend = new RecordingBackend();
        io.ksbridge.RecordFormat refusing = (data, ctx, out) -> {
            if (ctx.offset() == 5) {
                throw new io.ksbridge.IngestException("schema registry refused the credentials: check basicAuth", false);
            }
            io.ksbridge.RecordFormat.json().write(data, ctx, out);
        };
        KafkaToSnowflakeBridge bridge = bridge(topic, backend).format(refusing)
                .errorPolicy(ErrorPolicy.deadLetter(topic + "-dlq")).build();
        bridge.start();
        io.ksbridge.IngestException e = assertThrows(io.ksbridge.IngestException.class,
                () -> bridge.awaitTermination(Duration.ofSeconds(30)));
        assertEquals("cannot convert record format-broken-env-0@5: schema registry refused the credentials: "
                + "check basicAuth", e.getMessage());
        long committed = kafka.committedOffsets(topic + "-group").getOrDefault(new TopicPartition(topic, 0), 0L);
        assertTrue(committed <= 5, "committed " + committed + " past the record that could not be converted");
        bridge.close();
    }

    @Test
    void nullValues_defaultGivesEmptyObjectRowAndIgnoreGivesNone() throws Exception {
        for (NullValueBehavior behavior : NullValueBehavior.values()) {
            String topic = "tombstones-" + behavior.name().toLowerCase();
            kafka.createTopic(topic, 1);
            kafka.produce(topic, 0, "a", "{\"v\":1}");
            kafka.produce(topic, 0, "a", null);
            kafka.produce(topic, 0, "b", "{\"v\":2}");
            RecordingBackend backend = new RecordingBackend();
            try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).nullValues(behavior).build()) {
                bridge.start();
                Await.until("committed", Duration.ofSeconds(30),
                        () -> Long.valueOf(3).equals(kafka.committedOffsets(topic + "-group").get(new TopicPartition(topic, 0))));
            }
            String table = backend.tables().iterator().next();
            List<String> contents = backend.rows(table).stream().map(RecordingBackend.Row::content).toList();
            if (behavior == NullValueBehavior.DEFAULT) {
                assertEquals(List.of("{\"v\":1}", "{}", "{\"v\":2}"), contents);
            } else {
                assertEquals(List.of("{\"v\":1}", "{\"v\":2}"), contents);
            }
        }
    }

    @Test
    void metadataOff_rowsHaveNullMetadata() throws Exception {
        String topic = "no-meta";
        kafka.createTopic(topic, 1);
        kafka.produce(topic, 0, "a", "[1,2]");
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend).metadata(io.ksbridge.MetadataOptions.none()).build()) {
            bridge.start();
            Await.until("row", Duration.ofSeconds(30), () -> backend.rowCount() == 1);
        }
        RecordingBackend.Row row = backend.rows(backend.tables().iterator().next()).get(0);
        assertEquals("[1,2]", row.content());
        assertNull(row.metadata());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumerProperties(topic + "-reader"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        // the bridge has closed (its dead-letter producer flushed): the topic's end offsets are final, nothing extra comes
        assertEquals(expected, kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum(), "records in " + topic);
        assertEquals(expected, out.size(), "records read from " + topic);
        return out;
    }
}
