package io.ksbridge.ingest.snowpipe;

import static io.ksbridge.ingest.snowpipe.SnowpipeIts.assertMetadata;
import static io.ksbridge.ingest.snowpipe.SnowpipeIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KsbridgeTest
class SnowpipeEndToEndIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    /** A connector file mapping a topic to a quoted table: the rows land in that table, in its case, exactly once. */
    @Test
    void bridge_connectorConfigWithQuotedTable_rowsLandInTheMixedCaseTableOnce() throws Exception {
        String topic = "mixed-case-events";
        kafka.createTopic(topic, 2);
        SnowpipeIts.produceIds(kafka, topic, 2, 0, 2_000);
        io.ksbridge.config.BridgeConfig config = io.ksbridge.config.BridgeConfig.from(Map.of(
                "snowflake.topic2table.map", topic + ":\"MixedCase\"", "snowflake.database.name", "DB",
                "snowflake.schema.name", "\"Quoted\"", "topics", topic, "buffer.flush.time", "10"));
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account())
                .database(config.database().orElseThrow()).schema(config.schema().orElseThrow())
                .statusPollInterval(Duration.ofMillis(100)).build();
        String table = "DB.\"Quoted\".\"MixedCase\"";
        try (KafkaToSnowflakeBridge bridge = config.applyTo(KafkaToSnowflakeBridge.builder())
                .consumerProperties(kafka.consumerProperties("snowpipe-mixed-case"))
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(200))))
                .backend(backend)
                .build()) {
            bridge.start();
            Await.until("2,000 rows in " + table, Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= 2_000);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(List.of(), snowflake.tables().names().stream().filter(n -> n.toUpperCase(java.util.Locale.ROOT)
                .startsWith("DB.QUOTED") || n.startsWith("DB.\"Quoted\".") && !n.equals(table)).toList(),
                "no table under another case");
    }

    @Test
    void bridge_200kRecordsOn3TopicsX4Partitions_landExactlyOnceWithMetadataAndStageEndsEmpty() throws Exception {
        List<String> topics = List.of("orders", "pay-ments", "audit.log");
        int perTopic = 200_000 / 3 + 1; // 66,667 per topic, 200,001 in all
        for (String topic : topics) {
            kafka.createTopic(topic, 4);
        }
        for (String topic : topics) {
            SnowpipeIts.produceIds(kafka, topic, 4, 0, perTopic);
        }
        long total = (long) perTopic * topics.size();

        double bareRate = bareConsume(topics, total);

        // gzip here (the connector's files); the other ITs run the default, zstd
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("PUBLIC")
                .compression(Compression.GZIP).statusPollInterval(Duration.ofMillis(100)).build();
        List<String> tables = new ArrayList<>();
        for (String topic : topics) {
            tables.add("DB.PUBLIC." + io.ksbridge.TableNamer.connectorDefault().tableName(topic));
        }
        java.util.concurrent.atomic.AtomicLong durableRows = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong durableAt = new java.util.concurrent.atomic.AtomicLong();
        io.ksbridge.BridgeListener listener = new io.ksbridge.BridgeListener() {
            @Override
            public void onDurable(io.ksbridge.BridgeEvents.Durable event) {
                if (durableRows.addAndGet(event.rows()) >= total) {
                    durableAt.compareAndSet(0, System.nanoTime());
                }
            }
        };
        long started = System.nanoTime();
        long landed;
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("snowpipe-e2e"))
                .topics(topics.toArray(new String[0]))
                .flushPolicy(FlushPolicy.records(10_000).or(FlushPolicy.age(Duration.ofMillis(500))))
                .backend(backend)
                .listener(listener)
                .build()) {
            bridge.start();
            Await.until("200k rows in the tables", Duration.ofSeconds(90), () -> {
                long n = 0;
                for (String t : tables) {
                    n += rowCount(snowflake, t);
                }
                return n >= total;
            });
            landed = System.nanoTime() - started;
            Await.until("the stage to empty", Duration.ofSeconds(30), () -> SnowpipeIts.stagedFiles(snowflake, "DB", "PUBLIC") == 0);
            Await.until("offsets committed", Duration.ofSeconds(30), () -> {
                Map<TopicPartition, Long> committed = kafka.committedOffsets("snowpipe-e2e");
                return committed.values().stream().mapToLong(Long::longValue).sum() == total;
            });
        }
        double bridgeRate = total / (landed / 1e9);
        double durableRate = total / ((durableAt.get() - started) / 1e9);
        System.out.printf("SNOWPIPE-E2E: %,d records: durable (files staged and accepted by insertFiles) %.0f records/s;"
                + " in the emulator's tables %.0f records/s (%.1f s); bare consume loop %.0f records/s; ratio durable/bare"
                + " %.2f%n", total, durableRate, bridgeRate, landed / 1e9, bareRate, durableRate / bareRate);

        for (int i = 0; i < topics.size(); i++) {
            ExactlyOnce.assertEveryRecordOnce(snowflake, tables.get(i), kafka.endOffsets(topics.get(i)));
            for (Row row : snowflake.table(tables.get(i)).rows()) {
                assertMetadata(row, topics.get(i), 4);
            }
        }
        assertEquals(0, SnowpipeIts.stagedFiles(snowflake, "DB", "PUBLIC"));
        Map<TopicPartition, Long> expected = new HashMap<>();
        for (String topic : topics) {
            expected.putAll(kafka.endOffsets(topic));
        }
        assertEquals(expected, kafka.committedOffsets("snowpipe-e2e"));
        // every file loaded once, none failed
        java.util.Set<String> loaded = new java.util.TreeSet<>();
        for (String pipe : snowflake.pipes()) {
            snowflake.loadHistory(pipe).forEach(load -> assertEquals("LOADED", load.status(), pipe + " " + load));
            snowflake.loadHistory(pipe).forEach(load -> loaded.add(load.path()));
        }
        // and every one of them reached the stage through the JDBC driver's PUT (uploadStream), nothing else
        // (uploadStream's PUT into a LOCAL_FS stage names the driver's placeholder, not the file: count per folder)
        Map<String, Long> filesPerFolder = new java.util.TreeMap<>();
        loaded.forEach(f -> filesPerFolder.merge(f.substring(0, f.lastIndexOf('/')), 1L, Long::sum));
        Map<String, Long> putsPerFolder = new java.util.TreeMap<>();
        for (io.ksbridge.testkit.emulator.JdbcPut p : snowflake.jdbcPuts()) {
            assertEquals("/tmp/placeholder", p.source(), "uploadStream's PUT");
            putsPerFolder.merge(p.prefix(), 1L, Long::sum);
        }
        assertEquals(filesPerFolder, putsPerFolder, "one driver PUT per loaded file, into its partition's folder");
        assertEquals(12, loaded.stream().map(f -> f.substring(0, f.lastIndexOf('/'))).distinct().count(), "12 partitions");
        System.out.printf("SNOWPIPE-E2E: %d files, each staged by a JDBC driver PUT (%d PUTs, %d driver logins)%n",
                loaded.size(), snowflake.jdbcPuts().size(), snowflake.jdbcLogins().size());
    }

    /** A bare KafkaConsumer loop over the same records: the baseline. */
    private static double bareConsume(List<String> topics, long total) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties("bare-" + System.nanoTime()));
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        long count = 0;
        long started = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count < total && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                count += records.count();
            }
        }
        assertEquals(total, count, "bare consume");
        return count / ((System.nanoTime() - started) / 1e9);
    }
}
