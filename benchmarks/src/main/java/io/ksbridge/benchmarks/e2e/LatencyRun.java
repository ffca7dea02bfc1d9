package io.ksbridge.benchmarks.e2e;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.ingest.snowpipe.Compression;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The latency run: a producer at a fixed rate, a bridge with a 1 s age trigger and the Snowpipe backend (zstd) on the
 * emulator; each record's latency is from its CreateTime to the moment its batch is durable (accepted by
 * {@code insertFiles}). Prints p50, p99 and max.
 *
 * <p>Run: {@code mvn -B -q -Platency -DskipTests package -pl benchmarks -am} (arguments: {@code --rate N --seconds N}).
 */
public final class LatencyRun {
    private LatencyRun() {
    }

    /** Wraps a backend and records, for every row, CreateTime-to-durable in milliseconds. */
    static final class Timing implements IngestBackend {
        final IngestBackend delegate;
        final long[] latencies = new long[20_000_000];
        final AtomicInteger count = new AtomicInteger();

        Timing(IngestBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public void start(BackendContext context) {
            delegate.start(context);
        }

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            return delegate.open(table, partition);
        }

        @Override
        public CompletionStage<IngestResult> ingest(IngestBatch batch) {
            return delegate.ingest(batch).whenComplete((r, e) -> {
                if (r instanceof IngestResult.Durable) {
                    long now = System.currentTimeMillis();
                    for (IngestRow row : batch.rows()) {
                        int i = count.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = now - createTime(row.metadata());
                        }
                    }
                }
            });
        }

        @Override
        public void release(TopicPartition partition) {
            delegate.release(partition);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Reads {@code "CreateTime":<digits>} from rendered metadata. */
    static long createTime(byte[] meta) {
        byte[] key = "\"CreateTime\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + key.length < meta.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (meta[i + k] != key[k]) {
                    continue outer;
                }
            }
            long v = 0;
            for (int j = i + key.length; j < meta.length && meta[j] >= '0' && meta[j] <= '9'; j++) {
                v = v * 10 + (meta[j] - '0');
            }
            return v;
        }
        throw new IllegalStateException("no CreateTime in metadata");
    }

    public static void main(String[] args) throws Exception {
        int rate = 50_000;
        int seconds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (known: --rate N, --seconds N)");
            }
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            snowflake.tables().retainRows(false);
            String topic = "latency";
            kafka.createTopic(topic, 4, Map.of("compression.type", "lz4"));
            for (int p = 0; p < 4; p++) {
                kafka.produce(new ProducerRecord<>(topic, p, null, SampleData.value(3, -1 - p)));
            }
            Timing timing = new Timing(SnowpipeBackend.builder().account(snowflake.account()).database("LAT")
                    .schema("PUBLIC").compression(Compression.ZSTD).statusPollInterval(Duration.ofMillis(500)).build());
            int total;
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .consumerProperties(kafka.consumerProperties("latency"))
                    .topics(topic)
                    .flushPolicy(FlushPolicy.age(Duration.ofSeconds(1)).or(FlushPolicy.bytes(16_000_000)))
                    .backend(timing)
                    .build();
                 KafkaProducer<byte[], byte[]> producer = kafka.newProducer(Map.of("compression.type", "lz4",
                         "max.in.flight.requests.per.connection", "5", "linger.ms", "5"))) {
                bridge.start();
                Thread.sleep(2_000); // group join and partition opening are not what this run measures
                long start = System.nanoTime();
                int sent = 0;
                long end = start + Duration.ofSeconds(seconds).toNanos();
                while (System.nanoTime() < end) {
                    long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                    while (sent < due) {
                        producer.send(new ProducerRecord<>(topic, sent % 4, null, SampleData.value(3, sent)));
                        sent++;
                    }
                    Thread.sleep(1);
                }
                producer.flush();
                total = sent + 4;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (timing.count.get() < total && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
            int n = Math.min(timing.count.get(), timing.latencies.length) - 4;
            long[] l = Arrays.copyOfRange(timing.latencies, 4, 4 + n); // the warm-up records waited for the group join
            Arrays.sort(l);
            System.out.println();
            System.out.printf("latency run: %,d records at %,d records/s for %d s, age trigger 1 s, Snowpipe (zstd) on the emulator%n",
                    n, rate, seconds);
            System.out.printf("  record CreateTime -> durable: p50 %d ms, p99 %d ms, max %d ms (goal p99 <= 2000 ms)%n",
                    l[n / 2], l[(int) (n * 0.99)], l[n - 1]);
            System.out.printf("  durable %,d of %,d produced%n", timing.count.get(), total);
        }
        System.exit(0);
    }
}
