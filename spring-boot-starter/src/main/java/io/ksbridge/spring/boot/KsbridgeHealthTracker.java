package io.ksbridge.spring.boot;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows a bridge's events for the health indicator: which partitions the memory cap paused, each partition's lag
 * behind Kafka, and the failure that stopped the bridge. Kept apart from Actuator so it works without it.
 *
 * <p>Thread-safe: events arrive on the bridge's threads, {@link #snapshot()} is read from any thread.
 */
public final class KsbridgeHealthTracker implements BridgeListener {
    private final Set<TopicPartition> paused = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> lags = new ConcurrentHashMap<>();
    private volatile Throwable failure;

    /** What the tracker has seen, at one moment. */
    public record Snapshot(Set<TopicPartition> pausedPartitions, Map<TopicPartition, Long> lag, Throwable failure) {
        public Snapshot {
            pausedPartitions = Set.copyOf(pausedPartitions);
            lag = Map.copyOf(lag);
        }

        /** The largest lag of one partition; 0 when none is known. */
        public long maxLag() {
            return lag.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }

        /** The sum of the partitions' lags. */
        public long totalLag() {
            return lag.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The current state; never null. */
    public Snapshot snapshot() {
        return new Snapshot(paused, lags, failure);
    }

    @Override
    public void onBackpressure(BridgeEvents.Backpressure event) {
        if (event.paused()) {
            paused.addAll(event.partitions());
        } else {
            paused.removeAll(event.partitions());
        }
    }

    @Override
    public void onLag(BridgeEvents.PartitionLag event) {
        lags.put(event.partition(), event.lag());
    }

    @Override
    public void onRevoked(Set<TopicPartition> partitions) {
        paused.removeAll(partitions);
        lags.keySet().removeAll(partitions);
    }

    @Override
    public void onFailure(Throwable cause) {
        failure = cause;
    }

    /** Lags keyed {@code topic-partition}, sorted, for display. */
    static Map<String, Long> byName(Map<TopicPartition, Long> lag) {
        Map<String, Long> out = new TreeMap<>();
        lag.forEach((tp, v) -> out.put(tp.toString(), v));
        return out;
    }
}
