package io.ksbridge.ingest.streaminghp;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Shared helpers for the high-performance Streaming integration tests. */
final class HpIts {
    static final long TIME0 = 1_700_000_000_000L;

    private HpIts() {
    }

    static HighPerformanceStreamingBackend.Builder backend(SnowflakeEmulator snowflake, String schema) {
        return HighPerformanceStreamingBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .commitPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(30))
                // the emulator serves the SDK's REST mode only: stay under its ~1 MiB-a-flush switch to file mode
                .maxChannelBytesPerSecond(400_000).writerThreads(8);
    }

    static String value(String topic, int id) {
        return "{\"id\":" + id + ",\"topic\":\"" + topic + "\",\"nested\":{\"n\":" + id + ",\"tags\":[\"a\",\"b\"]},\"pad\":\""
                + "x".repeat(40) + "\"}";
    }

    /** Produces ids [from, to) round-robin over the partitions, keyed "k<n>", timestamp TIME0 + n. */
    static void produceIds(EmbeddedKafka kafka, String topic, int partitions, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, i % partitions, TIME0 + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    value(topic, i).getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produceAll(records);
    }

    static int rowCount(SnowflakeEmulator emulator, String table) {
        return emulator.tables().find(table).map(t -> t.rowCount()).orElse(0);
    }

    /** Consumer properties for a bridge that may be killed: a short session so the next one takes over soon. */
    static Map<String, Object> crashableConsumer(EmbeddedKafka kafka, String group) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties(group));
        props.put("session.timeout.ms", 6_000);
        props.put("heartbeat.interval.ms", 1_000);
        return props;
    }

    /**
     * RECORD_CONTENT is the record as an object (not a string VARIANT) and RECORD_METADATA carries the connector's
     * Streaming fields, as the other backends write them.
     */
    static void assertRow(Row row, String topic, int partitions) {
        JsonNode content = row.content();
        JsonNode meta = row.metadata();
        if (!content.isObject() || !meta.isObject()) {
            throw new AssertionError("RECORD_CONTENT and RECORD_METADATA must be objects: " + row);
        }
        int id = content.get("id").asInt();
        if (!topic.equals(content.get("topic").asText()) || content.path("nested").path("n").asInt(-1) != id
                || !content.path("nested").path("tags").isArray() || content.get("pad").asText().length() != 40
                || !topic.equals(meta.path("topic").asText()) || meta.path("partition").asInt(-1) != id % partitions
                || meta.path("CreateTime").asLong() != TIME0 + id || !("k" + id).equals(meta.path("key").asText())
                || meta.path("offset").asLong(-1) != id / partitions
                || meta.path("SnowflakeConnectorPushTime").asLong(-1) < TIME0) {
            throw new AssertionError("wrong row for id " + id + " of " + topic + ": " + row);
        }
    }

    /** Each channel's expected committed token: its partition's last offset. */
    static Map<String, String> expectedTokens(EmbeddedKafka kafka, String topic) {
        Map<String, String> expected = new TreeMap<>();
        for (Map.Entry<TopicPartition, Long> e : kafka.endOffsets(topic).entrySet()) {
            expected.put(e.getKey().topic() + "_" + e.getKey().partition(), Long.toString(e.getValue() - 1));
        }
        return expected;
    }

    /** {@code from..to}, both included. */
    static List<Long> rangeOf(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    static long committedSum(EmbeddedKafka kafka, String group) {
        return kafka.committedOffsets(group).values().stream().mapToLong(Long::longValue).sum();
    }
}
