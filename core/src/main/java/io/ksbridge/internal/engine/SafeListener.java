package io.ksbridge.internal.engine;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the user's listener; an exception it throws is logged and otherwise ignored. */
class SafeListener implements BridgeListener {
    private static final Logger log = LoggerFactory.getLogger(SafeListener.class);
    private final BridgeListener delegate;

    SafeListener(BridgeListener delegate) {
        this.delegate = delegate;
    }

    private void call(String name, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("listener {} threw from {}: {}", delegate.getClass().getName(), name, e.toString());
        }
    }

    @Override
    public void onFlush(BridgeEvents.Flush event) {
        call("onFlush", () -> delegate.onFlush(event));
    }

    @Override
    public void onDurable(BridgeEvents.Durable event) {
        call("onDurable", () -> delegate.onDurable(event));
    }

    @Override
    public void onCommit(BridgeEvents.Commit event) {
        call("onCommit", () -> delegate.onCommit(event));
    }

    @Override
    public void onRetry(BridgeEvents.Retry event) {
        call("onRetry", () -> delegate.onRetry(event));
    }

    @Override
    public void onDeadLetter(BridgeEvents.DeadLetter event) {
        call("onDeadLetter", () -> delegate.onDeadLetter(event));
    }

    @Override
    public void onSkip(BridgeEvents.Skip event) {
        call("onSkip", () -> delegate.onSkip(event));
    }

    @Override
    public void onBackpressure(BridgeEvents.Backpressure event) {
        call("onBackpressure", () -> delegate.onBackpressure(event));
    }

    @Override
    public void onLag(BridgeEvents.PartitionLag event) {
        call("onLag", () -> delegate.onLag(event));
    }

    @Override
    public void onLoadFailure(BridgeEvents.LoadFailure event) {
        call("onLoadFailure", () -> delegate.onLoadFailure(event));
    }

    @Override
    public void onAssigned(Set<TopicPartition> partitions) {
        call("onAssigned", () -> delegate.onAssigned(partitions));
    }

    @Override
    public void onRevoked(Set<TopicPartition> partitions) {
        call("onRevoked", () -> delegate.onRevoked(partitions));
    }

    @Override
    public void onFailure(Throwable cause) {
        call("onFailure", () -> delegate.onFailure(cause));
    }
}
