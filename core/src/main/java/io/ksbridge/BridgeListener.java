package io.ksbridge;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Observes a bridge. Every method has a no-op default, so implement only what you need.
 *
 * <p>Calling thread: {@link #onFlush}, {@link #onDurable}, {@link #onCommit}, {@link #onRetry},
 * {@link #onDeadLetter}, {@link #onSkip}, {@link #onBackpressure}, {@link #onLag}, {@link #onAssigned} and
 * {@link #onRevoked} are called on the polling thread (the bridge's own thread, or the host thread that calls
 * {@code accept}); {@link #onLoadFailure} on a backend thread; {@link #onFailure} on whichever thread saw the
 * failure. Keep them short: they run on the hot path. An exception thrown by a listener is logged and
 * otherwise ignored.
 */
public interface BridgeListener {

    default void onFlush(BridgeEvents.Flush event) {
    }

    default void onDurable(BridgeEvents.Durable event) {
    }

    default void onCommit(BridgeEvents.Commit event) {
    }

    default void onRetry(BridgeEvents.Retry event) {
    }

    default void onDeadLetter(BridgeEvents.DeadLetter event) {
    }

    default void onSkip(BridgeEvents.Skip event) {
    }

    /** A {@link RecordTransform} filtered a record out; polling thread. */
    default void onFilter(BridgeEvents.Filtered event) {
    }

    default void onBackpressure(BridgeEvents.Backpressure event) {
    }

    default void onLoadFailure(BridgeEvents.LoadFailure event) {
    }

    /**
     * A partition's lag behind Kafka (end offset minus durable offset), about once a second per assigned partition.
     * Only when the bridge can see a consumer: its own, or the host's passed to {@code rebalanceListener(consumer)}.
     */
    default void onLag(BridgeEvents.PartitionLag event) {
    }

    default void onAssigned(Set<TopicPartition> partitions) {
    }

    default void onRevoked(Set<TopicPartition> partitions) {
    }

    /** The bridge stopped because of {@code cause}; {@code awaitTermination} throws it too. */
    default void onFailure(Throwable cause) {
    }

    /** A listener that does nothing. */
    static BridgeListener noop() {
        return new BridgeListener() {
        };
    }
}
