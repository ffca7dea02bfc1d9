package io.ksbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordTransform;
import io.ksbridge.Transforms;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A transform chain end to end, the same for every backend: 40 records on two partitions (escapes, unicode, nested
 * objects, a null), through mask + drop + flatten + filter, into the emulator. Asserts each row's
 * {@code RECORD_CONTENT}, that the 11 filtered records were reported, and that the committed offsets reach the end of
 * both partitions although the last record of each was filtered out.
 */
public final class TransformChainScenario {
    /** Records produced, over two partitions. */
    public static final int RECORDS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TransformChainScenario() {
    }

    /** The chain under test: mask ssn, drop internal, flatten with _, keep only records whose header type is not heartbeat. */
    public static RecordTransform chain() {
        return Transforms.mask("ssn").andThen(Transforms.drop("internal")).andThen(Transforms.flatten("_"))
                .andThen(Transforms.filterByHeader("type", t -> !"heartbeat".equals(t)));
    }

    static boolean filtered(int i) {
        return i % 4 == 3 || i == 38; // the last record of partition 1 (39) and of partition 0 (38)
    }

    static String value(int i) {
        return "{\"id\":" + i + ",\"ssn\":\"123-45-" + (1000 + i) + "\",\"internal\":{\"trace\":\"t" + i + "\"},"
                + "\"user\":{\"name\":\"Zo\\u00eb \\\"" + i + "\\\"\",\"address\":{\"city\":\"Zürich\",\"zip\":null}},"
                + "\"note\":\"a\\\\b\\nc ☃\"}";
    }

    static String expected(int i) {
        return "{\"id\":" + i + ",\"ssn\":\"****\",\"user_name\":\"Zoë \\\"" + i + "\\\"\",\"user_address_city\":\"Zürich\","
                + "\"user_address_zip\":null,\"note\":\"a\\\\b\\nc ☃\"}";
    }

    /**
     * Runs the scenario.
     *
     * @param kafka     the broker
     * @param snowflake the emulator behind {@code backend}
     * @param topic     a fresh topic name (created here, two partitions)
     * @param table     the table the topic lands in, as the emulator names it ({@code DB.PUBLIC.X})
     * @param backend   the backend under test, on {@code snowflake}
     */
    public static void run(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String topic, String table,
            IngestBackend backend) throws Exception {
        kafka.createTopic(topic, 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, i % 2, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    value(i).getBytes(StandardCharsets.UTF_8));
            r.headers().add("type", (filtered(i) ? "heartbeat" : "order").getBytes(StandardCharsets.UTF_8));
            records.add(r);
        }
        kafka.produceAll(records);
        AtomicLong filteredCount = new AtomicLong();
        String group = "transforms-" + topic;
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties(group))
                .topics(topic)
                .transform(chain())
                .flushPolicy(FlushPolicy.records(7).or(FlushPolicy.age(Duration.ofMillis(200))))
                .backend(backend)
                .listener(new BridgeListener() {
                    @Override
                    public void onFilter(BridgeEvents.Filtered event) {
                        filteredCount.incrementAndGet();
                    }
                })
                .build()) {
            bridge.start();
            Map<TopicPartition, Long> end = Map.of(new TopicPartition(topic, 0), (long) RECORDS / 2,
                    new TopicPartition(topic, 1), (long) RECORDS / 2);
            Await.until(Duration.ofSeconds(90), () -> end.equals(kafka.committedOffsets(group)),
                    () -> "offsets " + end + " committed, have " + kafka.committedOffsets(group));
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        Map<Long, JsonNode> byId = new TreeMap<>();
        for (Row row : snowflake.table(table).rows()) {
            JsonNode previous = byId.put(row.content().get("id").asLong(), row.content());
            assertEquals(null, previous, "one row per record: id " + row.content().get("id"));
        }
        Map<Long, JsonNode> want = new TreeMap<>();
        for (int i = 0; i < RECORDS; i++) {
            if (!filtered(i)) {
                want.put((long) i, JSON.readTree(expected(i)));
            }
        }
        assertEquals(want, byId, "RECORD_CONTENT of every row that was not filtered out, masked, dropped, flattened");
        assertEquals(11, filteredCount.get(), "every filtered record reported");
    }
}
