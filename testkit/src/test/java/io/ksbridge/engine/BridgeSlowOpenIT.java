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
 * Issue 19, item 2: a backend whose open or release takes several times {@code max.poll.interval.ms} does not make
 * the consumer miss its poll deadline. The partitions wait paused while they open; a revoke waits for the release at
 * most the bridge's closeTimeout, and a release that overruns finishes in the background (a partition given back
 * opens after it); the group never rebalances more than the test asks; every record lands once. With opens or
 * releases waited for without a bound inside the rebalance callback (before), the member was thrown out of the group
 * and its partitions revoked.
 */
@KsbridgeTest
class BridgeSlowOpenIT {
    private static final long MAX_POLL_INTERVAL_MS = 2_000;
    /** Under half the poll interval, as the builder requires: a revoke waits this long for the release at most. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);

    /** Waits until the test opens {@code gate}. */
    static void pass(CountDownLatch gate) {
        try {
            if (!gate.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

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
            pass(gate);
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
                .closeTimeout(CLOSE_TIMEOUT)
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

    /** Releases only when the test says so; everything else as the recording backend does it. */
    static final class GatedRelease implements IngestBackend {
        final CountDownLatch gate;
        final AtomicLong firstReleaseNanos;
        final RecordingBackend delegate;

        GatedRelease(RecordingBackend delegate, CountDownLatch gate, AtomicLong firstReleaseNanos) {
            this.delegate = delegate;
            this.gate = gate;
            this.firstReleaseNanos = firstReleaseNanos;
        }

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            return delegate.open(table, partition);
        }

        @Override
        public CompletionStage<IngestResult> ingest(IngestBatch batch) {
            return delegate.ingest(batch);
        }

        @Override
        public void release(TopicPartition partition) {
            firstReleaseNanos.compareAndSet(0, System.nanoTime());
            pass(gate);
            delegate.release(partition);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Counts the non-empty assignments and revocations one bridge sees. */
    static final class Rebalances implements BridgeListener {
        final AtomicInteger assigned = new AtomicInteger();
        final AtomicInteger revoked = new AtomicInteger();

        @Override
        public void onAssigned(Set<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                assigned.incrementAndGet();
            }
        }

        @Override
        public void onRevoked(Set<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                revoked.incrementAndGet();
            }
        }

        String counts() {
            return "assigned " + assigned.get() + ", revoked " + revoked.get();
        }
    }

    @Test
    void releaseTakesThreeTimesTheMaxPollInterval_secondMemberJoins_oneRebalanceOnly_everyRecordOnce(EmbeddedKafka kafka)
            throws Exception {
        String topic = "slowrelease";
        String group = "slow-release-group";
        kafka.createTopic(topic, 2);
        ItSupport.produceIds(kafka, topic, 2, 0, 1_000);
        RecordingBackend store = new RecordingBackend();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicLong firstRelease = new AtomicLong();
        Map<String, Object> consumer = new java.util.HashMap<>(kafka.consumerProperties(group));
        consumer.put("max.poll.interval.ms", (int) MAX_POLL_INTERVAL_MS);
        // eager: the first member gives up both partitions in its callback, then gets one back
        consumer.put("heartbeat.interval.ms", 200); // members hear of the rebalance well within its 2 s timeout
        consumer.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor");
        Rebalances first = new Rebalances();
        Rebalances second = new Rebalances();
        try (KafkaToSnowflakeBridge a = bridge(consumer, topic, new GatedRelease(store, gate, firstRelease), first)) {
            a.start();
            Await.until(Duration.ofSeconds(60), () -> store.rowCount() >= 1_000, () -> "1000 rows, have "
                    + store.rowCount());
            try (KafkaToSnowflakeBridge b = bridge(consumer, topic,
                    new GatedRelease(RecordingBackend.sharing(store), gate, new AtomicLong()), second)) {
                b.start();
                try {
                    Await.until(Duration.ofSeconds(30), () -> firstRelease.get() != 0, () -> "the first member's release");
                    // the callback waits for the hung release up to closeTimeout (500 ms), then the revocation ends
                    Await.until(Duration.ofMillis(MAX_POLL_INTERVAL_MS), () -> first.revoked.get() == 1,
                            () -> "the revocation to end within the poll interval: " + first.counts());
                    long longEnough = TimeUnit.MILLISECONDS.toNanos(3 * MAX_POLL_INTERVAL_MS);
                    Await.until(Duration.ofSeconds(30), () -> {
                        assertEquals(1, first.revoked.get(), () -> "the first member's revocation did not end in time (its callback held up, or it was thrown out): " + first.counts());
                        assertEquals(true, second.assigned.get() <= 1, () -> "the group rebalanced again: "
                                + second.counts());
                        return System.nanoTime() - firstRelease.get() > longEnough;
                    }, () -> "three poll intervals to pass");
                    ItSupport.produceIds(kafka, topic, 2, 1_000, 2_000); // records keep coming meanwhile
                } finally {
                    gate.countDown();
                }
                Await.until(Duration.ofSeconds(60), () -> store.rowCount() >= 2_000, () -> "2000 rows, have "
                        + store.rowCount());
                assertEquals(2, first.assigned.get(), "first member: both partitions, then one: " + first.counts());
                assertEquals(1, first.revoked.get(), first.counts());
                assertEquals(1, second.assigned.get(), "second member: one partition, once: " + second.counts());
                assertEquals(0, second.revoked.get(), second.counts());
            }
        }
        ExactlyOnce.assertEveryRecordOnce(store, "SLOWRELEASE", kafka.endOffsets(topic));
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets(group));
    }

    private static KafkaToSnowflakeBridge bridge(Map<String, Object> consumer, String topic, IngestBackend backend,
                                                 BridgeListener listener) {
        return KafkaToSnowflakeBridge.builder()
                .consumerProperties(consumer)
                .topics(topic)
                .closeTimeout(CLOSE_TIMEOUT)
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend)
                .listener(listener)
                .build();
    }
}
