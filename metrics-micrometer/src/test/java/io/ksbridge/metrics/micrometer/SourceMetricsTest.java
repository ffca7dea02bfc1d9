package io.ksbridge.metrics.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.source.SourceListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The source bridge's events as meters. */
class SourceMetricsTest {
    @Test
    void events_becomeMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SourceMetrics m = SourceMetrics.create(registry, "orders-cdc");
        m.onLeadership(true);
        m.onBatch(new SourceListener.BatchEvent("DB.S.T", 1, false, false));
        m.onCommit(new SourceListener.CommitEvent("DB.S.T", 1, 500, false, 1_200));
        m.onCommit(new SourceListener.CommitEvent("DB.S.T", 1, 20, true, 1_900));
        assertEquals(1.0, registry.get("ksbridge.source.active").tag("bridge", "orders-cdc").gauge().value());
        assertEquals(520.0, registry.get("ksbridge.source.records").tag("table", "DB.S.T").counter().count());
        assertEquals(2.0, registry.get("ksbridge.source.transactions").tag("table", "DB.S.T").counter().count());
        assertEquals(1.0, registry.get("ksbridge.source.batches").tag("table", "DB.S.T").counter().count());
        assertEquals(1_900.0, registry.get("ksbridge.source.lag").tag("table", "DB.S.T").gauge().value());
        m.onLeadership(false);
        m.onFailure(new IllegalStateException("x"));
        assertEquals(0.0, registry.get("ksbridge.source.active").gauge().value());
        assertEquals(1.0, registry.get("ksbridge.source.failures").counter().count());
    }
}
