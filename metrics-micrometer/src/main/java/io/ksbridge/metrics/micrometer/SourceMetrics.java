package io.ksbridge.metrics.micrometer;

import io.ksbridge.source.SourceListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters for a {@code SnowflakeToKafkaBridge}: pass it as the bridge's {@code listener}. Meters, each
 * tagged with {@code table} where it applies:
 * <ul>
 *   <li>{@code ksbridge.source.records}: records committed to Kafka (tombstones included);</li>
 *   <li>{@code ksbridge.source.transactions}: Kafka transactions committed;</li>
 *   <li>{@code ksbridge.source.batches}: batches made or found (stream consumptions and snapshots);</li>
 *   <li>{@code ksbridge.source.lag}: at the last commit, ms from the batch's creation in Snowflake;</li>
 *   <li>{@code ksbridge.source.active}: 1 while this instance is the active one, else 0;</li>
 *   <li>{@code ksbridge.source.failures}: the bridge stopped on a failure.</li>
 * </ul>
 * Thread-safe. Needs {@code ksbridge-source-snowflake} on the class path (an optional dependency of this module).
 */
public final class SourceMetrics implements SourceListener {
    private final MeterRegistry registry;
    private final Tags common;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
    private final Counter failures;

    private SourceMetrics(MeterRegistry registry, Tags common) {
        this.registry = registry;
        this.common = common;
        Gauge.builder("ksbridge.source.active", active, AtomicInteger::get).description("1 while this instance publishes")
                .tags(common).register(registry);
        this.failures = Counter.builder("ksbridge.source.failures").description("the bridge stopped on a failure").tags(common)
                .register(registry);
    }

    /**
     * Meters in {@code registry}, each tagged with {@code bridge=<name>}.
     *
     * @param registry where the meters go, never null
     * @param bridge   the bridge's name, never null
     * @return the listener, never null
     */
    public static SourceMetrics create(MeterRegistry registry, String bridge) {
        Objects.requireNonNull(registry, "registry must not be null");
        Objects.requireNonNull(bridge, "bridge must not be null");
        return new SourceMetrics(registry, Tags.of("bridge", bridge));
    }

    @Override
    public void onLeadership(boolean isActive) {
        active.set(isActive ? 1 : 0);
    }

    @Override
    public void onBatch(BatchEvent e) {
        Counter.builder("ksbridge.source.batches").description("batches made or found").tags(common.and("table", e.table()))
                .register(registry).increment();
    }

    @Override
    public void onCommit(CommitEvent e) {
        Tags tags = common.and("table", e.table());
        Counter.builder("ksbridge.source.records").description("records committed to Kafka").tags(tags).register(registry)
                .increment(e.records());
        Counter.builder("ksbridge.source.transactions").description("Kafka transactions committed").tags(tags).register(registry)
                .increment();
        lags.computeIfAbsent(e.table(), t -> {
            AtomicLong lag = new AtomicLong();
            Gauge.builder("ksbridge.source.lag", lag, AtomicLong::get).baseUnit("milliseconds")
                    .description("from the batch's creation in Snowflake to its last commit").tags(tags).register(registry);
            return lag;
        }).set(e.lagMillis());
    }

    @Override
    public void onFailure(Throwable failure) {
        failures.increment();
    }
}
