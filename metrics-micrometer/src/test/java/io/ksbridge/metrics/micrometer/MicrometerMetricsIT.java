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
import java.time.Duration;
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
        }
        for (int p = 0; p < 2; p++) {
            double rows = registry.get("ksbridge.records.durable")
                    .tags("table", "METERED", "topic", "metered", "partition", Integer.toString(p), "backend", "recording")
                    .counter().count();
            assertEquals(p == 0 ? 49.0 : 50.0, rows, "partition " + p);   // record 42 (partition 0) was skipped
            assertEquals(50.0, registry.get("ksbridge.offset.durable").tags("partition", Integer.toString(p))
                    .gauge().value());
        }
        assertEquals(2.0, registry.get("ksbridge.retries").tags("table", "METERED").counter().count());
        assertEquals(1.0, registry.get("ksbridge.records.skipped").tags("topic", "metered").counter().count());
        long batches = registry.get("ksbridge.batch.latency").timer().count();
        assertTrue(batches >= 2, "one batch per partition at least, was " + batches);
        assertEquals(batches, registry.get("ksbridge.batch.rows").summary().count());
        assertEquals(99.0, registry.get("ksbridge.batch.rows").summary().totalAmount());
        assertTrue(registry.get("ksbridge.commits").counter().count() >= 1);
        assertEquals(0.0, registry.get("ksbridge.buffered.bytes").gauge().value());
    }
}
