package io.ksbridge.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void render_countersGaugesTimersSummaries_inTheTextFormat() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Counter.builder("ksbridge.records.durable").description("rows made durable").tags("table", "ORDERS",
                "partition", "0").register(registry).increment(42);
        AtomicLong bytes = new AtomicLong(1024);
        Gauge.builder("ksbridge.buffered.bytes", bytes, AtomicLong::get).register(registry);
        Timer.builder("ksbridge.batch.latency").tags("table", "a\"b").register(registry).record(Duration.ofMillis(1500));
        DistributionSummary.builder("ksbridge.batch.rows").register(registry).record(250);
        assertEquals("# TYPE ksbridge_batch_latency_seconds summary\n"
                + "ksbridge_batch_latency_seconds_count{table=\"a\\\"b\"} 1\n"
                + "ksbridge_batch_latency_seconds_sum{table=\"a\\\"b\"} 1.5\n"
                + "# TYPE ksbridge_batch_latency_seconds_max gauge\n"
                + "ksbridge_batch_latency_seconds_max{table=\"a\\\"b\"} 1.5\n"
                + "# TYPE ksbridge_batch_rows summary\n"
                + "ksbridge_batch_rows_count 1\n"
                + "ksbridge_batch_rows_sum 250\n"
                + "# TYPE ksbridge_batch_rows_max gauge\n"
                + "ksbridge_batch_rows_max 250\n"
                + "# TYPE ksbridge_buffered_bytes gauge\n"
                + "ksbridge_buffered_bytes 1024\n"
                + "# HELP ksbridge_records_durable_total rows made durable\n"
                + "# TYPE ksbridge_records_durable_total counter\n"
                + "ksbridge_records_durable_total{partition=\"0\",table=\"ORDERS\"} 42\n", PrometheusText.render(registry));
    }
}
