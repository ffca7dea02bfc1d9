package io.ksbridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, item 2: a backend whose open takes several times {@code max.poll.interval.ms} does not make the consumer
 * miss its poll deadline. The partitions wait paused while they open; the group never rebalances; every record lands
 * once. With opens inside the rebalance callback (before), the member was thrown out of the group and its partitions
 * revoked.
 */
@KsbridgeTest
class BridgeSlowOpenIT {
    private static final long MAX_POLL_INTERVAL_MS = 2_000;

    /** Opens only when the test says so; everything else as the recording backend does it. */
    static final class GatedOpen implements IngestBackend {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicLong firstOpenNanos = new AtomicLong();
        final RecordingBackend delegate;

        GatedOpen(RecordingBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<IngestResult> ingest(IngestBatch batch) {
            return delegate.ingest(batch);
        }

        @Override
        public void release(TopicPartition partition) {
            delegate.release(partition);
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            firstOpenNanos.compareAndSet(0, System.nanoTime());
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return delegate.open(table, partition);
        }
    }

    @Test
    void openTakesThreeTimesTheMaxPollInterval_groupDoesNotRebalance_everyRecordOnce(EmbeddedKafka kafka)
            throws Exception {
        String topic = "slowopen";
        kafka.createTopic(topic, 2);
        ItSupport.produceIds(kafka, topic, 2, 0, 1_000);
        RecordingBackend store = new RecordingBackend();
        GatedOpen backend = new GatedOpen(store);
        AtomicInteger assignments = new AtomicInteger();
        AtomicInteger revocations = new AtomicInteger();
        Map<String, Object> consumer = new java.util.HashMap<>(kafka.consumerProperties("slow-open-group"));
        consumer.put("max.poll.interval.ms", (int) MAX_POLL_INTERVAL_MS);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(consumer)
                .topics(topic)
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend)
                .listener(new BridgeListener() {
                    @Override
                    public void onAssigned(Set<TopicPartition> partitions) {
                        if (!partitions.isEmpty()) {
                            assignments.incrementAndGet();
                        }
                    }

                    @Override
                    public void onRevoked(Set<TopicPartition> partitions) {
                        if (!partitions.isEmpty()) {
                            revocations.incrementAndGet();
                        }
                    }
                })
                .build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> backend.firstOpenNanos.get() != 0, () -> "the first open");
            long longEnough = TimeUnit.MILLISECONDS.toNanos(3 * MAX_POLL_INTERVAL_MS);
            Await.until(Duration.ofSeconds(30), () -> {
                assertEquals(0, revocations.get(), "the group rebalanced while a partition was opening");
                return System.nanoTime() - backend.firstOpenNanos.get() > longEnough;
            }, () -> "three poll intervals to pass");
            assertEquals(0, store.rowCount(), "nothing loads before its partition is open");

            backend.gate.countDown();
            Await.until(Duration.ofSeconds(60), () -> store.rowCount() >= 1_000, () -> "1000 rows, have "
                    + store.rowCount());
        }
        ExactlyOnce.assertEveryRecordOnce(store, "SLOWOPEN", kafka.endOffsets(topic));
        assertEquals(1, assignments.get(), "assigned once");
        assertEquals(1, revocations.get(), "revoked once: on close");
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("slow-open-group"));
    }
}
