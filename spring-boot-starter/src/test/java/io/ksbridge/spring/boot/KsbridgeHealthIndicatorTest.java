package io.ksbridge.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.RecordingBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The indicator's status and figures follow the lifecycle and the bridge's events. */
class KsbridgeHealthIndicatorTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    private static KafkaToSnowflakeBridge bridge(KsbridgeHealthTracker tracker) {
        // an own loop against a port nothing listens on: the loop runs, polls nothing
        return KafkaToSnowflakeBridge.builder().topics("orders")
                .consumerProperties(Map.of("bootstrap.servers", "127.0.0.1:9", "group.id", "g"))
                .backend(new RecordingBackend()).listener(tracker).build();
    }

    @Test
    void health_followsLifecycleBackpressureLagAndFailure() {
        KsbridgeHealthTracker tracker = new KsbridgeHealthTracker();
        KafkaToSnowflakeBridge bridge = bridge(tracker);
        KsbridgeLifecycle lifecycle = new KsbridgeLifecycle(bridge, Duration.ofSeconds(1), "test");
        KsbridgeHealthIndicator indicator = new KsbridgeHealthIndicator(lifecycle, tracker, 100L);
        assertEquals(Status.UNKNOWN, indicator.health().getStatus());

        lifecycle.start();
        try {
            Health up = indicator.health();
            assertEquals(Status.UP, up.getStatus());
            assertEquals(false, up.getDetails().get("backpressure"));

            tracker.onBackpressure(new BridgeEvents.Backpressure(Set.of(P0), true, 1_000));
            tracker.onLag(new BridgeEvents.PartitionLag("ORDERS", P0, 150, 90));
            Health paused = indicator.health();
            assertEquals(Status.UP, paused.getStatus(), "backpressure alone is not a failure");
            assertEquals("backpressure", paused.getDetails().get("state"));
            assertEquals(List.of("orders-0"), paused.getDetails().get("pausedPartitions"));
            assertEquals(60L, paused.getDetails().get("maxLag"));
            assertEquals(Map.of("orders-0", 60L), paused.getDetails().get("lag"));

            tracker.onLag(new BridgeEvents.PartitionLag("ORDERS", P0, 500, 90));
            Health lagging = indicator.health();
            assertEquals(Status.OUT_OF_SERVICE, lagging.getStatus());
            assertTrue(String.valueOf(lagging.getDetails().get("reason")).contains("410 records behind"),
                    lagging.getDetails().toString());

            tracker.onBackpressure(new BridgeEvents.Backpressure(Set.of(P0), false, 10));
            tracker.onFailure(new IngestException("table ORDERS was dropped", false));
            Health down = indicator.health();
            assertEquals(Status.DOWN, down.getStatus());
            assertEquals("io.ksbridge.IngestException: table ORDERS was dropped", down.getDetails().get("error"));
            assertEquals(false, down.getDetails().get("backpressure"));
        } finally {
            lifecycle.stop();
        }
    }

    @Test
    void health_afterStop_outOfService() {
        KsbridgeHealthTracker tracker = new KsbridgeHealthTracker();
        KsbridgeLifecycle lifecycle = new KsbridgeLifecycle(bridge(tracker), Duration.ofSeconds(1), "test");
        KsbridgeHealthIndicator indicator = new KsbridgeHealthIndicator(lifecycle, tracker, null);
        lifecycle.start();
        lifecycle.stop();
        assertEquals(Status.OUT_OF_SERVICE, indicator.health().getStatus());
        assertEquals("stopped", indicator.health().getDetails().get("state"));
    }
}
