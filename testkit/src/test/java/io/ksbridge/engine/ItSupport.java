package io.ksbridge.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.RecordingBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Shared helpers for the engine's integration tests. */
final class ItSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private ItSupport() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Produces ids [from, to) as JSON values {"id":n} round-robin over the partitions, keyed "k<n>". */
    static void produceIds(EmbeddedKafka kafka, String topic, int partitions, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
            batch.add(new ProducerRecord<>(topic, i % partitions, utf8("k" + i), utf8("{\"id\":" + i + ",\"pad\":\"" + "x".repeat(40) + "\"}")));
            if (batch.size() == 5_000) {
                kafka.produceAll(batch);
                batch.clear();
            }
        }
        kafka.produceAll(batch);
    }

    static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        io.ksbridge.testkit.Await.until(timeout, done, () -> what);
    }

    /** Counts, per id, how many rows of {@code table} carry it. */
    static Map<Integer, Integer> idCounts(RecordingBackend backend, String table) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (RecordingBackend.Row row : backend.rows(table)) {
            try {
                counts.merge(JSON.readTree(row.content()).get("id").asInt(), 1, Integer::sum);
            } catch (Exception e) {
                throw new AssertionError("row is not JSON: " + row, e);
            }
        }
        return counts;
    }

    /** Asserts every id in [0, n) appears exactly once in the table; reports the first few that do not. */
    static void assertExactlyOnce(RecordingBackend backend, String table, int n) {
        Map<Integer, Integer> counts = idCounts(backend, table);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < n && problems.size() < 10; i++) {
            int c = counts.getOrDefault(i, 0);
            if (c != 1) {
                problems.add("id " + i + " x" + c);
            }
        }
        if (counts.size() != n) {
            problems.add(counts.size() + " distinct ids, expected " + n);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("not exactly once in " + table + " (" + backend.rows(table).size() + " rows): " + problems);
        }
    }

    static Map<TopicPartition, Long> plusOne(Map<TopicPartition, Long> lastOffsets) {
        Map<TopicPartition, Long> out = new HashMap<>();
        lastOffsets.forEach((tp, o) -> out.put(tp, o + 1));
        return out;
    }
}
