package io.ksbridge.internal.engine;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every event to each of the user's listeners, in the order they were added; an exception one of them throws
 * is logged (its class and message) and does not keep the event from the others. Thread-safe if the listeners are.
 */
public class SafeListener implements BridgeListener {
    private static final Logger log = LoggerFactory.getLogger(SafeListener.class);
    private final List<BridgeListener> delegates;

    SafeListener(List<BridgeListener> delegates) {
        this.delegates = delegates;
    }

    /** The listeners as one, each isolated from the others' exceptions; the listener itself when there is one. */
    public static BridgeListener of(List<BridgeListener> listeners) {
        List<BridgeListener> flat = listeners.stream()
                .flatMap(l -> l instanceof SafeListener g ? g.delegates.stream() : java.util.stream.Stream.of(l))
                .toList();
        return new SafeListener(flat);
    }

    private void call(String name, Consumer<BridgeListener> event) {
        for (BridgeListener delegate : delegates) {
            try {
                event.accept(delegate);
            } catch (RuntimeException e) {
                log.warn("listener {} threw from {}: {}", delegate.getClass().getName(), name, e.toString());
            }
        }
    }

    @Override
    public void onFlush(BridgeEvents.Flush event) {
        call("onFlush", l -> l.onFlush(event));
    }

    @Override
    public void onDurable(BridgeEvents.Durable event) {
        call("onDurable", l -> l.onDurable(event));
    }

    @Override
    public void onCommit(BridgeEvents.Commit event) {
        call("onCommit", l -> l.onCommit(event));
    }

    @Override
    public void onRetry(BridgeEvents.Retry event) {
        call("onRetry", l -> l.onRetry(event));
    }

    @Override
    public void onDeadLetter(BridgeEvents.DeadLetter event) {
        call("onDeadLetter", l -> l.onDeadLetter(event));
    }

    @Override
    public void onSkip(BridgeEvents.Skip event) {
        call("onSkip", l -> l.onSkip(event));
    }

    @Override
    public void onFilter(BridgeEvents.Filtered event) {
        call("onFilter", l -> l.onFilter(event));
    }

    @Override
    public void onBackpressure(BridgeEvents.Backpressure event) {
        call("onBackpressure", l -> l.onBackpressure(event));
    }

    @Override
    public void onLag(BridgeEvents.PartitionLag event) {
        call("onLag", l -> l.onLag(event));
    }

    @Override
    public void onLoadFailure(BridgeEvents.LoadFailure event) {
        call("onLoadFailure", l -> l.onLoadFailure(event));
    }

    @Override
    public void onAssigned(Set<TopicPartition> partitions) {
        call("onAssigned", l -> l.onAssigned(partitions));
    }

    @Override
    public void onRevoked(Set<TopicPartition> partitions) {
        call("onRevoked", l -> l.onRevoked(partitions));
    }

    @Override
    public void onFailure(Throwable cause) {
        call("onFailure", l -> l.onFailure(cause));
    }
}
