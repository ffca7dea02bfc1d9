package io.ksbridge.spring.boot;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every event to each of several listeners in order; one listener's exception is logged (its type and message)
 * and does not keep the event from the others. Thread-safe if its listeners are.
 */
final class CompositeBridgeListener implements BridgeListener {
    private static final Logger log = LoggerFactory.getLogger(CompositeBridgeListener.class);
    private final List<BridgeListener> listeners;

    CompositeBridgeListener(List<BridgeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(String event, Consumer<BridgeListener> call) {
        for (BridgeListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("ksbridge listener {} failed on {}: {}", l.getClass().getName(), event, e.toString());
            }
        }
    }

    @Override
    public void onFlush(BridgeEvents.Flush e) {
        each("onFlush", l -> l.onFlush(e));
    }

    @Override
    public void onDurable(BridgeEvents.Durable e) {
        each("onDurable", l -> l.onDurable(e));
    }

    @Override
    public void onCommit(BridgeEvents.Commit e) {
        each("onCommit", l -> l.onCommit(e));
    }

    @Override
    public void onRetry(BridgeEvents.Retry e) {
        each("onRetry", l -> l.onRetry(e));
    }

    @Override
    public void onDeadLetter(BridgeEvents.DeadLetter e) {
        each("onDeadLetter", l -> l.onDeadLetter(e));
    }

    @Override
    public void onSkip(BridgeEvents.Skip e) {
        each("onSkip", l -> l.onSkip(e));
    }

    @Override
    public void onBackpressure(BridgeEvents.Backpressure e) {
        each("onBackpressure", l -> l.onBackpressure(e));
    }

    @Override
    public void onLoadFailure(BridgeEvents.LoadFailure e) {
        each("onLoadFailure", l -> l.onLoadFailure(e));
    }

    @Override
    public void onLag(BridgeEvents.PartitionLag e) {
        each("onLag", l -> l.onLag(e));
    }

    @Override
    public void onAssigned(Set<TopicPartition> partitions) {
        each("onAssigned", l -> l.onAssigned(partitions));
    }

    @Override
    public void onRevoked(Set<TopicPartition> partitions) {
        each("onRevoked", l -> l.onRevoked(partitions));
    }

    @Override
    public void onFailure(Throwable cause) {
        each("onFailure", l -> l.onFailure(cause));
    }
}
