package io.ksbridge.ingest.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaming.StreamingService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** Shared helpers for the Streaming integration tests. */
final class StreamingIts {
    static final long TIME0 = 1_700_000_000_000L;

    private StreamingIts() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String value(String topic, int id, int padding) {
        return "{\"id\":" + id + ",\"topic\":\"" + topic + "\",\"pad\":\"" + "x".repeat(padding) + "\"}";
    }

    /** Produces ids [from, to) as {"id":n,...} round-robin over the partitions, keyed "k<n>", timestamp TIME0 + n. */
    static void produceIds(EmbeddedKafka kafka, String topic, int partitions, int from, int to) {
        produce(kafka, topic, partitions, from, to, id -> 40);
    }

    /** As {@link #produceIds}, with the padding of each id's value chosen by {@code padding}. */
    static void produce(EmbeddedKafka kafka, String topic, int partitions, int from, int to,
                        java.util.function.IntUnaryOperator padding) {
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer(Map.of("enable.idempotence", "false",
                "max.in.flight.requests.per.connection", "1", "linger.ms", "5"))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, TIME0 + i, utf8("k" + i),
                        utf8(value(topic, i, padding.applyAsInt(i))))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic + ": " + e, e);
        }
    }

    static int rowCount(SnowflakeEmulator emulator, String table) {
        return emulator.tables().find(table).map(t -> t.rowCount()).orElse(0);
    }

    /**
     * Consumer properties for a bridge that may be killed: a crashed member may not leave the group, so a short session
     * timeout (the broker's minimum, 6 s) lets the next one take its partitions over soon.
     */
    static Map<String, Object> crashableConsumer(EmbeddedKafka kafka, String group) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties(group));
        props.put("session.timeout.ms", 6_000);
        props.put("heartbeat.interval.ms", 1_000);
        return props;
    }

    static StreamingBackend.Builder backend(SnowflakeEmulator snowflake, String schema) {
        return StreamingBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5));
    }

    /** Content and RECORD_METADATA as the connector's Streaming mode writes them, push time between the bounds. */
    static void assertRow(Row row, String topic, int partitions, long pushedAfter, long pushedBefore) {
        JsonNode content = row.content();
        JsonNode meta = row.metadata();
        int id = content.get("id").asInt();
        long push = meta.path("SnowflakeConnectorPushTime").asLong(-1);
        if (!topic.equals(content.get("topic").asText()) || content.get("pad").asText().length() != 40
                || !topic.equals(meta.path("topic").asText()) || meta.path("partition").asInt(-1) != id % partitions
                || meta.path("CreateTime").asLong() != TIME0 + id || !("k" + id).equals(meta.path("key").asText())
                || meta.path("offset").asLong(-1) != id / partitions || push < pushedAfter || push > pushedBefore) {
            throw new AssertionError("wrong row for id " + id + " of " + topic + ": content " + content + ", metadata " + meta);
        }
    }

    /** The committed offset token of every channel of {@code topic}, expected to be each partition's last offset. */
    static Map<String, String> expectedTokens(EmbeddedKafka kafka, String topic) {
        Map<String, String> expected = new java.util.TreeMap<>();
        for (Map.Entry<TopicPartition, Long> e : kafka.endOffsets(topic).entrySet()) {
            expected.put(StreamingBackend.channelName(e.getKey()), Long.toString(e.getValue() - 1));
        }
        return expected;
    }

    static StreamingService streaming(SnowflakeEmulator snowflake) {
        return StreamingService.of(snowflake);
    }

    /** {@code from..to}, both included. */
    static java.util.List<Long> range(long from, long to) {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        for (long i = from; i <= to; i++) {
            ids.add(i);
        }
        return ids;
    }

    /** A batch of table "T": one row per offset first..last, each row's id its offset. */
    static io.ksbridge.ingest.IngestBatch batch(org.apache.kafka.common.TopicPartition tp, long first, long last,
                                                int attempt) {
        return new io.ksbridge.ingest.IngestBatch("T", tp, first, last, io.ksbridge.testkit.TestRows.ids(first, last),
                attempt);
    }

    /** The outcome of one batch handed to the backend, waiting at most 30 s. */
    static io.ksbridge.ingest.IngestResult result(StreamingBackend backend, io.ksbridge.ingest.IngestBatch batch)
            throws Exception {
        return backend.ingest(batch).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
