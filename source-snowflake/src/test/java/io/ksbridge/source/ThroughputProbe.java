package io.ksbridge.source;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A one-off measurement, not a test: an N-row initial snapshot and N/2 updates through the bridge, each against a bare
 * transactional producer sending the same number of records of the same size in transactions of the same size, in the
 * same JVM and run. {@code java -cp <test classpath> io.ksbridge.source.ThroughputProbe 200000}.
 */
public final class ThroughputProbe {
    private ThroughputProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int chunk = 50_000;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            snowflake.changes().partitionRows(10_000);
            TrackedTable t = SourceFixture.orders(snowflake, "BENCH");
            List<Map<String, Object>> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rows.add(SourceFixture.row(i, "name-" + i));
            }
            t.insertAll(rows);
            rows.clear();
            kafka.createTopic("bench.source", 3);
            kafka.createTopic("bench.baseline", 3);
            long bytesPerRecord;
            long start = System.nanoTime();
            try (SnowflakeToKafkaBridge b = SourceFixture.bridge(kafka, snowflake, "bench", TableSpec.of("DB.PUBLIC.BENCH")
                    .topic("bench.source")).maxTransactionRows(chunk).electionTimeout(Duration.ofMinutes(2)).build()) {
                b.start();
                waitFor(kafka, "bench.source", n, b);
                double snapshotSec = (System.nanoTime() - start) / 1e9;
                bytesPerRecord = sample(kafka, "bench.source");
                double baseSnap = baseline(kafka, "bench.baseline", n, chunk, (int) bytesPerRecord, "snap");
                System.out.printf("snapshot %,d rows: bridge %.1f s (%,.0f rows/s); bare transactional producer %.1f s (%,.0f rows/s); ratio %.2f%n",
                        n, snapshotSec, n / snapshotSec, baseSnap, n / baseSnap, snapshotSec / baseSnap);
                int updates = n / 2;
                long s2 = System.nanoTime();
                t.transaction(tx -> tx.updateWhere(r -> Long.parseLong(r.get("ID")) % 2 == 0, Map.of("NAME", "updated")));
                waitFor(kafka, "bench.source", n + updates, b);
                double cdcSec = (System.nanoTime() - s2) / 1e9;
                double baseCdc = baseline(kafka, "bench.baseline", updates, chunk, (int) (bytesPerRecord * 1.6), "cdc");
                System.out.printf("changes %,d updates (u events): bridge %.1f s (%,.0f changes/s); bare transactional producer %.1f s (%,.0f/s); ratio %.2f%n",
                        updates, cdcSec, updates / cdcSec, baseCdc, updates / baseCdc, cdcSec / baseCdc);
            }
        }
    }

    private static long count(EmbeddedKafka kafka, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            // committed records plus one commit marker per transaction per partition: an upper bound read as records
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static void waitFor(EmbeddedKafka kafka, String topic, long records, SnowflakeToKafkaBridge b) throws InterruptedException {
        while (count(kafka, topic) < records) {
            if (b.failure().isPresent()) {
                throw new IllegalStateException(b.failure().get());
            }
            Thread.sleep(50);
        }
    }

    private static long sample(EmbeddedKafka kafka, String topic) {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> r = kafka.consume(topic, 1, Duration.ofSeconds(30));
        return r.get(0).value().length + (r.get(0).key() == null ? 0 : r.get(0).key().length);
    }

    private static double baseline(EmbeddedKafka kafka, String topic, int n, int chunk, int size, String id) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "baseline-" + id);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        byte[] value = new byte[size];
        java.util.Arrays.fill(value, (byte) 'x');
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (int i = 0; i < n; i += chunk) {
                producer.beginTransaction();
                for (int j = i; j < Math.min(n, i + chunk); j++) {
                    producer.send(new ProducerRecord<>(topic, ("{\"ID\":" + j + "}").getBytes(), value));
                }
                producer.commitTransaction();
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
