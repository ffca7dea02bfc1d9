package io.ksbridge.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaming.StreamingService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The quickstart: a real Kafka broker and the Snowflake emulator in this JVM, two topics, a bridge loading them
 * through Snowpipe (or Snowpipe Streaming Classic with {@code --streaming}, or Snowpipe Streaming's high-performance
 * architecture with {@code --streaming-hp}), and what landed in which table.
 *
 * <p>Run it with {@code mvn -B -q -Pquickstart -DskipTests package}, or
 * {@code mvn -B -q -Pquickstart -DskipTests package -Dquickstart.args=--streaming} (or {@code =--streaming-hp}).
 */
public final class Quickstart {
    private static final int PER_TOPIC = 5_000;

    private Quickstart() {
    }

    /** Held, so the setting stays: the JDBC driver logs each session it opens at INFO through java.util.logging. */
    private static final java.util.logging.Logger DRIVER_LOG = java.util.logging.Logger.getLogger("net.snowflake.client");

    public static void main(String[] args) throws Exception {
        DRIVER_LOG.setLevel(java.util.logging.Level.WARNING); // this program's own output is the point
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            System.out.println("Kafka broker at " + kafka.bootstrapServers() + ", Snowflake emulator at " + snowflake.url());
            kafka.createTopic("orders", 2);
            kafka.createTopic("web-clicks", 2);
            var records = new java.util.ArrayList<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>>();
            for (int i = 0; i < PER_TOPIC; i++) {
                records.add(record("orders", i % 2, "order-" + i,
                        "{\"order_id\":" + i + ",\"customer\":{\"name\":\"Zoë " + (i % 50) + "\",\"vip\":" + (i % 7 == 0)
                                + "},\"amount\":" + (i * 37 % 1000) / 10.0 + "}"));
                records.add(record("web-clicks", i % 2, null, "{\"page\":\"/products/" + (i % 12) + "\",\"ms\":" + (i % 300) + "}"));
            }
            kafka.produceAll(records);
            System.out.printf("produced %,d records to topics orders and web-clicks%n", 2 * PER_TOPIC);

            boolean hp = java.util.Arrays.asList(args).contains("--streaming-hp");
            boolean streaming = hp || java.util.Arrays.asList(args).contains("--streaming");
            IngestBackend backend = hp
                    // the emulator serves this SDK's REST mode here: each channel stays under its ~1 MiB-a-flush switch
                    // to file mode, which would upload to cloud storage
                    ? HighPerformanceStreamingBackend.builder().account(snowflake.account()).database("DEMO")
                            .schema("PUBLIC").maxChannelBytesPerSecond(512 << 10).build()
                    : streaming
                    ? StreamingBackend.builder().account(snowflake.account()).database("DEMO").schema("PUBLIC").build()
                    : SnowpipeBackend.builder().account(snowflake.account()).database("DEMO").schema("PUBLIC").build();
            System.out.println("loading through " + (hp ? "Snowpipe Streaming, high-performance architecture (pipes,"
                    + " channels, offset tokens)" : streaming ? "Snowpipe Streaming Classic (channels, offset tokens)"
                    : "Snowpipe (files on a stage, loaded by pipes)"));
            AtomicLong durableRows = new AtomicLong();
            Map<TopicPartition, Long> durable = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .name("quickstart")
                    .consumerProperties(kafka.consumerProperties("quickstart"))
                    .topics("orders", "web-clicks")
                    .flushPolicy(FlushPolicy.records(2_000).or(FlushPolicy.age(Duration.ofMillis(500))))
                    .backend(backend)
                    .listener(new BridgeListener() {
                        @Override
                        public void onDurable(BridgeEvents.Durable event) {
                            durableRows.addAndGet(event.rows());
                            durable.merge(event.partition(), event.lastOffset() + 1, Math::max);
                        }
                    })
                    .build()) {
                bridge.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                long allLoadedAt = 0;
                // rows show in the table before their tokens commit (read about once a second): wait for both
                while ((loaded(snowflake) < 2 * PER_TOPIC || !streaming && stagedFiles(snowflake) > 0
                        || durableRows.get() < 2 * PER_TOPIC) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    if (allLoadedAt == 0 && loaded(snowflake) >= 2 * PER_TOPIC) {
                        allLoadedAt = System.nanoTime(); // the rate stops here; the loop only waits for the stage to empty
                    }
                    double secs = ((allLoadedAt == 0 ? System.nanoTime() : allLoadedAt) - start) / 1e9;
                    System.out.printf("\r  loading: %,6d rows durable, %,6d in the tables, %,8.0f records/s%s",
                            durableRows.get(), loaded(snowflake), durableRows.get() / secs,
                            allLoadedAt == 0 ? "   " : streaming ? ", offset tokens committing" : ", loaded files leaving the stage");
                }
                System.out.println();
            }

            System.out.println();
            System.out.println("durable offsets (next offset to read): " + new TreeMap<>(Map.copyOf(
                    durable.entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(),
                            Map.Entry::getValue)))));
            System.out.println("committed to Kafka:                    " + new TreeMap<>(Map.copyOf(
                    kafka.committedOffsets("quickstart").entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)))));
            System.out.println();
            System.out.printf("%-40s %8s%n", "table", "rows");
            for (String table : snowflake.tables().names()) {
                System.out.printf("%-40s %8d%n", table, snowflake.table(table).rowCount());
            }
            List<Row> orders = snowflake.table("DEMO.PUBLIC.ORDERS").rows();
            if (!orders.isEmpty()) {
                ObjectMapper json = new ObjectMapper();
                Row row = orders.get(0);
                System.out.println();
                System.out.println("a row of DEMO.PUBLIC.ORDERS:");
                System.out.println("RECORD_CONTENT  = " + json.writerWithDefaultPrettyPrinter().writeValueAsString(row.content()));
                System.out.println("RECORD_METADATA = " + json.writerWithDefaultPrettyPrinter().writeValueAsString(row.metadata()));
            }
            System.out.println();
            if (streaming) {
                for (String table : snowflake.tables().names()) {
                    System.out.println("committed offset tokens of " + table + ": " + (hp
                            ? io.ksbridge.testkit.streaminghp.HpStreamingService.of(snowflake).committedOffsetTokens(table)
                            : StreamingService.of(snowflake).committedOffsetTokens(table)));
                }
            } else {
                System.out.println("files left on the stages: " + stagedFiles(snowflake) + " (each loaded file is removed)");
            }
        }
        System.exit(0);
    }

    private static int stagedFiles(SnowflakeEmulator snowflake) {
        int n = 0;
        for (String table : snowflake.tables().names()) {
            String t = table.substring(table.lastIndexOf('.') + 1);
            n += snowflake.stageFiles("DEMO.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_KSBRIDGE_STAGE_" + t).size();
        }
        return n;
    }

    private static long loaded(SnowflakeEmulator snowflake) {
        long n = 0;
        for (String table : snowflake.tables().names()) {
            n += snowflake.table(table).rowCount();
        }
        return n;
    }

    private static org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record(String topic, int partition,
                                                                                          String key, String value) {
        return new org.apache.kafka.clients.producer.ProducerRecord<>(topic, partition,
                key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
