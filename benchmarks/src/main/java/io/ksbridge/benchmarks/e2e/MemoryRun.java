package io.ksbridge.benchmarks.e2e;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.testkit.EmbeddedKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The memory run: the backend stalls, a producer writes as fast as it can, and the live heap (sampled after a
 * full GC) is compared with {@code maxBufferedBytes}. Then the backend resumes and every record must become
 * durable: none lost.
 *
 * <p>Run: {@code mvn -B -q -Pmemory -DskipTests package -pl benchmarks -am}.
 */
public final class MemoryRun {
    private MemoryRun() {
    }

    /** Holds every batch until released, then completes them; keeps no rows. */
    static final class StallingBackend implements IngestBackend {
        final List<CompletableFuture<IngestResult>> held = new ArrayList<>();
        final AtomicBoolean stalled = new AtomicBoolean(true);

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            return PartitionStart.unknown();
        }

        @Override
        public synchronized CompletionStage<IngestResult> ingest(IngestBatch batch) {
            CompletableFuture<IngestResult> f = new CompletableFuture<>();
            if (stalled.get()) {
                held.add(f);
            } else {
                f.complete(IngestResult.durable());
            }
            return f;
        }

        synchronized void release() {
            stalled.set(false);
            held.forEach(f -> f.complete(IngestResult.durable()));
            held.clear();
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) throws Exception {
        long cap = 64L << 20;
        int seconds = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cap-mib" -> cap = Long.parseLong(args[++i]) << 20;
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (known: --cap-mib N, --seconds N)");
            }
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String topic = "memory";
            kafka.createTopic(topic, 4, Map.of("compression.type", "lz4"));
            for (int p = 0; p < 4; p++) {
                kafka.produce(new ProducerRecord<>(topic, p, null, SampleData.value(7, -1 - p)));
            }
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicLong produced = new AtomicLong(4);
            Thread producer = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> p = kafka.newProducer(Map.of("compression.type", "lz4",
                        "max.in.flight.requests.per.connection", "5"))) {
                    int i = 0;
                    while (producing.get()) {
                        p.send(new ProducerRecord<>(topic, i % 4, null, SampleData.value(7, i++)));
                        produced.incrementAndGet();
                    }
                    p.flush();
                }
            }, "producer");
            producer.start();
            Thread.sleep(2_000);
            // Control phase: the same producer load without a bridge, so the broker's and producer's share of the
            // heap (they live in this JVM too) is known and can be told apart from the bridge's.
            long idle = liveHeap(memory);
            long controlPeak = 0;
            long controlEnd = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < controlEnd) {
                Thread.sleep(500);
                controlPeak = Math.max(controlPeak, liveHeap(memory));
            }
            long baseline = controlPeak;

            StallingBackend backend = new StallingBackend();
            AtomicInteger pauses = new AtomicInteger();
            AtomicInteger resumes = new AtomicInteger();
            AtomicLong durable = new AtomicLong();
            long peakLive = 0;
            long peakBuffered = 0;
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .consumerProperties(kafka.consumerProperties("memory"))
                    .topics(topic)
                    .flushPolicy(FlushPolicy.bytes(4_000_000).or(FlushPolicy.age(Duration.ofMillis(500))))
                    .maxBufferedBytes(cap)
                    .maxInFlightBatches(1_000)
                    .backend(backend)
                    .listener(new BridgeListener() {
                        @Override
                        public void onBackpressure(BridgeEvents.Backpressure event) {
                            (event.paused() ? pauses : resumes).incrementAndGet();
                        }

                        @Override
                        public void onDurable(BridgeEvents.Durable event) {
                            durable.addAndGet(event.rows());
                        }
                    })
                    .build()) {
                bridge.start();
                long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(500);
                    peakLive = Math.max(peakLive, liveHeap(memory) - baseline);
                    peakBuffered = Math.max(peakBuffered, bridge.bufferedBytes());
                }
                producing.set(false);
                producer.join();
                backend.release();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (durable.get() < produced.get() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
            System.out.println();
            System.out.printf("memory run: backend stalled for %d s while the producer wrote; %,d records (%.0f MB) in all%n",
                    seconds, produced.get(), produced.get() * 1010 / 1e6);
            System.out.printf("  maxBufferedBytes              %8.1f MiB%n", cap / 1048576.0);
            System.out.printf("  peak bufferedBytes (engine)   %8.1f MiB%n", peakBuffered / 1048576.0);
            System.out.printf("  live heap, broker + producer  %8.1f MiB idle, %.1f MiB peak under the same load, no bridge%n",
                    idle / 1048576.0, baseline / 1048576.0);
            System.out.printf("  peak live heap over that      %8.1f MiB  (goal: <= maxBufferedBytes + 64 MiB = %.0f MiB)%n",
                    peakLive / 1048576.0, (cap + (64L << 20)) / 1048576.0);
            System.out.printf("  pauses / resumes              %d / %d%n", pauses.get(), resumes.get());
            System.out.printf("  durable after release         %,d of %,d produced%s%n", durable.get(), produced.get(),
                    durable.get() == produced.get() ? " (none lost)" : " (MISSING RECORDS)");
        }
        System.exit(0);
    }

    /** Heap in use after a full collection: the live set. */
    static long liveHeap(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
