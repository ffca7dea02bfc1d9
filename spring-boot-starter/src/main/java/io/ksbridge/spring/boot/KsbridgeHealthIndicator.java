package io.ksbridge.spring.boot;

import io.ksbridge.KafkaToSnowflakeBridge;
import java.util.Objects;
import java.util.stream.Collectors;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The bridge's health, at {@code /actuator/health/ksbridge}:
 * <ul>
 *   <li>{@code DOWN} with the cause when the bridge stopped on a failure;</li>
 *   <li>{@code UNKNOWN} before it started, {@code OUT_OF_SERVICE} after it was stopped;</li>
 *   <li>{@code OUT_OF_SERVICE} when one partition's lag exceeds {@code ksbridge.health.max-lag} (if set);</li>
 *   <li>otherwise {@code UP}, with {@code backpressure: true} and the paused partitions while the memory cap holds
 *       partitions paused (a normal, self-healing state, so it does not fail readiness).</li>
 * </ul>
 * Details always carry the figures: buffered and maximum bytes, paused partitions, total and largest lag and the
 * lag per partition. No detail holds a secret. Thread-safe.
 */
public final class KsbridgeHealthIndicator implements HealthIndicator {
    private final KsbridgeLifecycle lifecycle;
    private final KsbridgeHealthTracker tracker;
    private final Long maxLag;

    /**
     * @param lifecycle the auto-configured bridge's lifecycle, never null
     * @param tracker   the listener following that bridge, never null
     * @param maxLag    lag of one partition above which the bridge is OUT_OF_SERVICE; null for never
     */
    public KsbridgeHealthIndicator(KsbridgeLifecycle lifecycle, KsbridgeHealthTracker tracker, Long maxLag) {
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle must not be null");
        this.tracker = Objects.requireNonNull(tracker, "tracker must not be null");
        this.maxLag = maxLag;
    }

    @Override
    public Health health() {
        KafkaToSnowflakeBridge bridge = lifecycle.bridge();
        KsbridgeHealthTracker.Snapshot s = tracker.snapshot();
        Throwable failure = bridge.failure() != null ? bridge.failure() : s.failure();
        Health.Builder h;
        if (failure != null) {
            h = Health.down().withDetail("error", failure.getClass().getName() + ": " + failure.getMessage());
        } else if (lifecycle.state() == KsbridgeLifecycle.State.NEW) {
            h = Health.unknown().withDetail("state", "not started");
        } else if (lifecycle.state() == KsbridgeLifecycle.State.STOPPED
                || (bridge.settings().ownsConsumer() && !bridge.isRunning())) {
            h = Health.outOfService().withDetail("state", "stopped");
        } else if (maxLag != null && s.maxLag() > maxLag) {
            h = Health.status(Status.OUT_OF_SERVICE).withDetail("state", "lagging")
                    .withDetail("reason", "a partition is " + s.maxLag() + " records behind, more than "
                            + "ksbridge.health.max-lag=" + maxLag);
        } else {
            h = Health.up().withDetail("state", s.pausedPartitions().isEmpty() ? "running" : "backpressure");
        }
        return h.withDetail("name", bridge.settings().name())
                .withDetail("backpressure", !s.pausedPartitions().isEmpty())
                .withDetail("pausedPartitions", s.pausedPartitions().stream().map(Object::toString).sorted()
                        .collect(Collectors.toList()))
                .withDetail("bufferedBytes", bridge.bufferedBytes())
                .withDetail("maxBufferedBytes", bridge.settings().maxBufferedBytes())
                .withDetail("totalLag", s.totalLag())
                .withDetail("maxLag", s.maxLag())
                .withDetail("lag", KsbridgeHealthTracker.byName(s.lag()))
                .build();
    }
}
