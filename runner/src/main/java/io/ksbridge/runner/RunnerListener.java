package io.ksbridge.runner;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's listener: forwards every event to the metrics, logs what an operator needs (assignments, retries,
 * load failures, tolerated records when {@code errors.log.enable=true}) and keeps the totals the
 * progress line and /health show. Thread-safe: events arrive on the bridge's threads.
 */
final class RunnerListener implements BridgeListener {
    private static final Logger LOG = LoggerFactory.getLogger("io.ksbridge.runner");

    private final BridgeListener metrics;
    private final boolean logErrors;
    final AtomicLong durableRecords = new AtomicLong();
    final AtomicLong durableBytes = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong tolerated = new AtomicLong();
    final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    final AtomicReference<Set<TopicPartition>> paused = new AtomicReference<>(Set.of());

    RunnerListener(BridgeListener metrics, boolean logErrors) {
        this.metrics = metrics;
        this.logErrors = logErrors;
    }

    @Override
    public void onFlush(BridgeEvents.Flush event) {
        metrics.onFlush(event);
    }

    @Override
    public void onDurable(BridgeEvents.Durable event) {
        durableRecords.addAndGet(event.rows());
        durableBytes.addAndGet(event.bytes());
        metrics.onDurable(event);
    }

    @Override
    public void onCommit(BridgeEvents.Commit event) {
        commits.incrementAndGet();
        committed.putAll(event.offsets());
        metrics.onCommit(event);
    }

    @Override
    public void onRetry(BridgeEvents.Retry event) {
        LOG.warn("retrying {} offsets {}-{} of {} (attempt {})", event.table(), event.firstOffset(), event.lastOffset(),
                event.partition(), event.attempt());
        metrics.onRetry(event);
    }

    @Override
    public void onDeadLetter(BridgeEvents.DeadLetter event) {
        tolerated.incrementAndGet();
        if (logErrors) {
            LOG.warn("record {} sent to dead-letter topic {}: {}", event.record(), event.deadLetterTopic(), event.reason());
        }
        metrics.onDeadLetter(event);
    }

    @Override
    public void onSkip(BridgeEvents.Skip event) {
        tolerated.incrementAndGet();
        if (logErrors) {
            LOG.warn("record {} skipped (errors.tolerance=all): {}", event.record(), event.reason());
        }
        metrics.onSkip(event);
    }

    @Override
    public void onBackpressure(BridgeEvents.Backpressure event) {
        paused.set(event.paused() ? Set.copyOf(event.partitions()) : Set.of());
        LOG.info("{} {} partitions: {} bytes buffered", event.paused() ? "paused" : "resumed", event.partitions().size(),
                event.bufferedBytes());
        metrics.onBackpressure(event);
    }

    @Override
    public void onLoadFailure(BridgeEvents.LoadFailure event) {
        LOG.error("load failed: {}", event);
        metrics.onLoadFailure(event);
    }

    @Override
    public void onLag(BridgeEvents.PartitionLag event) {
        metrics.onLag(event);
    }

    @Override
    public void onAssigned(Set<TopicPartition> partitions) {
        assigned.addAll(partitions);
        LOG.info("assigned {}", partitions);
        metrics.onAssigned(partitions);
    }

    @Override
    public void onRevoked(Set<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        LOG.info("revoked {}", partitions);
        metrics.onRevoked(partitions);
    }

    @Override
    public void onFailure(Throwable cause) {
        metrics.onFailure(cause); // logged by the engine, and by the runner as it exits
    }
}
