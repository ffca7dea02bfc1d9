package io.ksbridge.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    static Map<TopicPartition, Long> plusOne(Map<TopicPartition, Long> lastOffsets) {
        Map<TopicPartition, Long> out = new HashMap<>();
        lastOffsets.forEach((tp, o) -> out.put(tp, o + 1));
        return out;
    }
}
