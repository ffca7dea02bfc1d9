package io.ksbridge.metrics.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

@KsbridgeTest
class MicrometerMetricsIT {

    @Test
    void metrics_countDurableRowsRetriesAndSkipsPerPartitionWithOffsets(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("metered", 2);
        for (int i = 0; i < 100; i++) {
            kafka.produce("metered", i % 2, "k" + i, i == 42 ? "not json" : "{\"i\":" + i + "}");
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = MicrometerMetrics.create(registry, Tags.of("backend", "recording"));
        RecordingBackend backend = new RecordingBackend().failNextRetriably(2);
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("metered"))
                .topics("metered")
                .flushPolicy(FlushPolicy.records(20).or(FlushPolicy.age(Duration.ofMillis(100))))
                .errorPolicy(ErrorPolicy.skip())
                .backend(backend)
                .listener(metrics)
                .build()) {
            metrics.bindTo(bridge);
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> backend.rowCount() == 99, () -> "99 rows");
            Await.until(Duration.ofSeconds(30), () -> registry.find("ksbridge.records.durable").counters().stream()
                    .mapToDouble(c -> c.count()).sum() == 99, () -> "99 durable in the meters");
            for (int p = 0; p < 2; p++) {
                double rows = registry.get("ksbridge.records.durable")
                        .tags("table", "METERED", "topic", "metered", "partition", Integer.toString(p), "backend", "recording")
                        .counter().count();
                assertEquals(p == 0 ? 49.0 : 50.0, rows, "partition " + p);   // record 42 (partition 0) was skipped
                String partition = Integer.toString(p);
                Await.until(Duration.ofSeconds(10), () -> registry.get("ksbridge.offset.durable").tags("partition", partition)
                        .gauge().value() == 50.0, () -> "durable offset 50 in partition " + partition);
            }
        }
        // closing revoked the partitions: their gauges went with them
        assertEquals(null, registry.find("ksbridge.offset.durable").gauge());
        assertEquals(2.0, registry.get("ksbridge.retries").tags("table", "METERED").counter().count());
        assertEquals(1.0, registry.get("ksbridge.records.skipped").tags("topic", "metered").counter().count());
        long batches = registry.get("ksbridge.batch.latency").timer().count();
        assertTrue(batches >= 2, "one batch per partition at least, was " + batches);
        assertEquals(batches, registry.get("ksbridge.batch.rows").summary().count());
        assertEquals(99.0, registry.get("ksbridge.batch.rows").summary().totalAmount());
        assertTrue(registry.get("ksbridge.commits").counter().count() >= 1);
        assertEquals(0.0, registry.get("ksbridge.buffered.bytes").gauge().value());
    }

    private static double lag(SimpleMeterRegistry registry, String topic, int partition) {
        Gauge g = registry.find("ksbridge.partition.lag")
                .tags("table", topic.toUpperCase(), "topic", topic, "partition", Integer.toString(partition)).gauge();
        return g == null ? -1 : g.value();
    }

    /** Own loop: records the stalled backend has not made durable are lag; once durable, the lag is 0. */
    @Test
    void partitionLag_ownLoop_countsRecordsNotYetDurableThenZero(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("lagging", 2);
        for (int i = 0; i < 30; i++) {
            kafka.produce("lagging", 0, "k" + i, "{\"i\":" + i + "}");
        }
        for (int i = 0; i < 5; i++) {
            kafka.produce("lagging", 1, "k" + i, "{\"i\":" + i + "}");
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = MicrometerMetrics.create(registry, Tags.of("backend", "recording"));
        RecordingBackend backend = new RecordingBackend().stall();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("lagging"))
                .topics("lagging")
                .flushPolicy(FlushPolicy.records(10).or(FlushPolicy.age(Duration.ofMillis(100))))
                .backend(backend)
                .listener(metrics)
                .build()) {
            bridge.start();
            // everything read and flushed, nothing durable: the lag is the whole partition
            Await.until(Duration.ofSeconds(30), () -> lag(registry, "lagging", 0) == 30 && lag(registry, "lagging", 1) == 5,
                    () -> "lag 30 and 5 while stalled, was " + lag(registry, "lagging", 0) + " and " + lag(registry, "lagging", 1));
            assertEquals(0, backend.rowCount());
            assertEquals("recording", registry.get("ksbridge.partition.lag").tags("partition", "0").gauge().getId()
                    .getTag("backend"));

            backend.resume();
            Await.until(Duration.ofSeconds(30), () -> lag(registry, "lagging", 0) == 0 && lag(registry, "lagging", 1) == 0,
                    () -> "lag 0 once durable, was " + lag(registry, "lagging", 0) + " and " + lag(registry, "lagging", 1));
            assertEquals(35, backend.rowCount());

            // new records while the backend stalls again: the lag grows by exactly them
            backend.stall();
            for (int i = 30; i < 37; i++) {
                kafka.produce("lagging", 0, "k" + i, "{\"i\":" + i + "}");
            }
            Await.until(Duration.ofSeconds(30), () -> lag(registry, "lagging", 0) == 7,
                    () -> "lag 7 after 7 more records, was " + lag(registry, "lagging", 0));
            backend.resume();
            Await.until(Duration.ofSeconds(30), () -> lag(registry, "lagging", 0) == 0,
                    () -> "lag 0 again, was " + lag(registry, "lagging", 0));
        }
        assertEquals(null, registry.find("ksbridge.partition.lag").gauge(), "revoked on close: no lag gauge left");
    }

    /**
     * Host loop: the lag comes from the consumer the host hands to {@code rebalanceListener(consumer)}; a host that
     * handles rebalances itself ({@code rebalanceListener()}) gets no lag gauge.
     */
    @Test
    void partitionLag_hostLoop_onlyWithTheHostsConsumer(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("hosted", 1);
        for (int i = 0; i < 12; i++) {
            kafka.produce("hosted", 0, "k" + i, "{\"i\":" + i + "}");
        }
        for (boolean withConsumer : List.of(true, false)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MicrometerMetrics metrics = MicrometerMetrics.create(registry);
            RecordingBackend backend = new RecordingBackend().stall();
            Map<String, Object> props = kafka.consumerProperties("hosted-" + withConsumer);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .flushPolicy(FlushPolicy.records(5).or(FlushPolicy.age(Duration.ofMillis(100))))
                    .backend(backend)
                    .listener(metrics)
                    .build();
                 KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                         new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("hosted"), withConsumer ? bridge.rebalanceListener(consumer)
                        : bridge.rebalanceListener());
                Await.until(Duration.ofSeconds(30), () -> {
                    bridge.accept(consumer.poll(Duration.ofMillis(100)));
                    consumer.commitSync(bridge.durableOffsets());
                    if (!withConsumer) {
                        return bridge.bufferedBytes() > 0; // read and held, not durable
                    }
                    return lag(registry, "hosted", 0) == 12;
                }, () -> "lag 12 while stalled (host loop), was " + lag(registry, "hosted", 0));
                backend.resume();
                Await.until(Duration.ofSeconds(30), () -> {
                    bridge.accept(consumer.poll(Duration.ofMillis(100)));
                    consumer.commitSync(bridge.durableOffsets());
                    return backend.rowCount() == 12 && (!withConsumer || lag(registry, "hosted", 0) == 0);
                }, () -> "12 rows and lag 0 (host loop), was " + lag(registry, "hosted", 0));
                if (!withConsumer) {
                    for (int i = 0; i < 15; i++) {   // more than a lag interval of accepted polls
                        bridge.accept(consumer.poll(Duration.ofMillis(100)));
                    }
                    assertEquals(null, registry.find("ksbridge.partition.lag").gauge(),
                            "no consumer handed over: no lag to report");
                }
            }
        }
    }
}
