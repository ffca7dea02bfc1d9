package io.ksbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.TableRouter;
import io.ksbridge.ingest.IngestBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Routing by record with crashes, the same for every backend that supports it: one partition's records interleaved
 * over three tables by a field ({@code kind}: red, green, blue, in an irregular pattern), produced in three chunks; a
 * bridge loads each chunk and is crashed ({@link KafkaToSnowflakeBridge#abort()}) part way through the first two,
 * then a restarted bridge finishes. Blue's buffer flushes only after 6 s, so the second crash comes after a commit
 * made while blue's records were still buffered (red and green durable far past them). Asserts every record exactly once in its own table and in no other, and Kafka's
 * committed offset at the end of the partition with the three tables in its metadata.
 */
public final class RoutingCrashScenario {
    /** Records produced, on one partition. */
    public static final int RECORDS = 3_000;
    private static final String[] KINDS = {"red", "green", "blue"};

    private RoutingCrashScenario() {
    }

    /** The kind (and so the table) of the record at {@code offset}: runs of different lengths, not a plain cycle. */
    static String kind(long offset) {
        return KINDS[(int) ((offset * 7 + offset / 5) % 3)];
    }

    /** The table of {@code kind} as the emulator names it, in {@code database.schema}. */
    static String table(String databaseAndSchema, String kind) {
        return databaseAndSchema + "." + TableNamer.connectorDefault().tableName(kind);
    }

    /**
     * Runs the scenario.
     *
     * @param kafka             the broker
     * @param snowflake         the emulator behind the backends
     * @param topic             a fresh topic name (created here, one partition)
     * @param databaseAndSchema where the backends create the tables, {@code DB.SCHEMA}
     * @param backends          a new backend on {@code snowflake} for each bridge (one per run, crashes included)
     */
    public static void run(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String topic, String databaseAndSchema,
            Supplier<IngestBackend> backends) throws Exception {
        kafka.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        String group = "routing-" + topic;
        int chunk = RECORDS / 3;
        for (int round = 0; round < 3; round++) {
            produce(kafka, topic, round * chunk, (round + 1) * chunk);
            // each run cuts its batches differently, so records read again land in files or batches of new ranges
            // (Snowpipe's name dedupe cannot hide a duplicate): only the per-table drop keeps them out
            KafkaToSnowflakeBridge bridge = bridge(kafka, topic, group, backends.get(), 60 - 13 * round);
            bridge.start();
            if (round < 2) {
                int crashAt = chunk / 2 * (round + 1);
                int crash = round + 1;
                // the first crash comes before any commit (every record is read again); the second after one, made
                // while blue's records were all still buffered: a commit past them would lose them in the crash
                Await.until(Duration.ofSeconds(40), () -> failed(bridge) || (rows(snowflake, databaseAndSchema) >= crashAt
                        && (crash == 1 || kafka.committedOffsets(group).get(tp) != null)),
                        () -> "at least " + crashAt + " rows before crash " + crash + ", have "
                                + rows(snowflake, databaseAndSchema));
                assertEquals(null, bridge.failure(), "the bridge failed before crash " + crash);
                bridge.abort(); // between batches: some durable, some in flight, the last commit behind
                continue;
            }
            try {
                Await.until(Duration.ofSeconds(40), () -> failed(bridge)
                        || Long.valueOf(RECORDS).equals(kafka.committedOffsets(group).get(tp)),
                        () -> "offset " + RECORDS + " committed, have " + kafka.committedOffsets(group));
                assertEquals(null, bridge.failure(), "the bridge failed after the restarts");
            } finally {
                bridge.close(Duration.ofSeconds(10));
            }
        }
        snowflake.awaitIdle(Duration.ofSeconds(30)); // anything submitted has landed: a duplicate would show now
        Map<TopicPartition, Long> end = kafka.endOffsets(topic);
        assertEquals(Map.of(tp, (long) RECORDS), end);
        for (String kind : KINDS) {
            ExactlyOnce.assertEveryRecordOnce(snowflake, table(databaseAndSchema, kind), end,
                    (p, offset) -> kind.equals(kind(offset)));
        }
        assertEquals(RECORDS, rows(snowflake, databaseAndSchema), "no row outside the three tables' own records");
        OffsetAndMetadata committed = kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(tp);
        assertEquals(RECORDS, committed.offset());
        for (String kind : KINDS) {
            String name = TableNamer.connectorDefault().tableName(kind);
            assertTrue(committed.metadata().contains(name), "the committed offset's metadata lists " + name + ": "
                    + committed.metadata());
        }
    }

    private static boolean failed(KafkaToSnowflakeBridge bridge) {
        return bridge.failure() != null;
    }

    private static KafkaToSnowflakeBridge bridge(EmbeddedKafka kafka, String topic, String group, IngestBackend backend,
                                                 int flushRecords) {
        return KafkaToSnowflakeBridge.builder()
                .name("routing-" + topic)
                .consumerProperties(kafka.consumerProperties(group))
                .topics(topic)
                .router(TableRouter.byField("kind", TableNamer.connectorDefault()))
                .flushPolicy(slowBlue(flushRecords))
                .commitInterval(Duration.ofSeconds(1))
                .backend(backend)
                .build();
    }

    /**
     * Red and green flush at {@code flushRecords} or 100 ms; blue only after 6 s, far longer than the commit interval, so
     * commits come while blue's records are buffered, and the committed offset must stay below them.
     */
    private static FlushPolicy slowBlue(int flushRecords) {
        String blue = TableNamer.connectorDefault().tableName("blue");
        FlushPolicy fast = FlushPolicy.records(flushRecords).or(FlushPolicy.age(Duration.ofMillis(100)));
        FlushPolicy slow = FlushPolicy.age(Duration.ofSeconds(6));
        return stats -> stats.table().equals(blue) ? slow.shouldFlush(stats) : fast.shouldFlush(stats);
    }

    private static long rows(SnowflakeEmulator snowflake, String databaseAndSchema) {
        long n = 0;
        for (String kind : KINDS) {
            n += snowflake.tables().find(table(databaseAndSchema, kind)).map(t -> (long) t.rowCount()).orElse(0L);
        }
        return n;
    }

    private static void produce(EmbeddedKafka kafka, String topic, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, 0, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("{\"id\":" + i + ",\"kind\":\"" + kind(i) + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produceAll(records);
    }
}
