package io.ksbridge.internal.engine;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets Kafka may be told: per partition the next offset after everything durable, what was last committed,
 * and, for a host loop, the offsets of partitions it no longer holds, each handed out once. Owned by the polling
 * thread; other threads read only the immutable snapshot it {@linkplain #publish publishes}.
 */
final class OffsetLedger {
    private final BridgeListener listener;
    private volatile Map<TopicPartition, OffsetAndMetadata> published = Map.of();
    private boolean changed;
    /** Durable offsets of partitions released while closing, kept so a host can commit them after close. */
    private final Map<TopicPartition, OffsetAndMetadata> finalOffsets = new HashMap<>();
    /** Host without a consumer: offsets of partitions revoked since the last {@link #hostView}, handed out once. */
    private final Map<TopicPartition, OffsetAndMetadata> revoked = new HashMap<>();
    /** Host without a consumer: where it must seek each partition (the backend holds data up to there). */
    final Map<TopicPartition, Long> seekTargets = new HashMap<>();

    OffsetLedger(BridgeListener listener) {
        this.listener = listener;
    }

    /** The partition's durable offset moved (or the partition came or went). */
    void changed() {
        changed = true;
    }

    void durable(PartitionState ps, long next) {
        ps.durableNext = next;
        changed = true;
    }

    /** Publishes the durable offsets as an immutable snapshot, when they changed. */
    void publish(Collection<PartitionState> partitions) {
        if (!changed) {
            return;
        }
        changed = false;
        published = Map.copyOf(durable(partitions));
    }

    /** The last published snapshot; any thread. */
    Map<TopicPartition, OffsetAndMetadata> published() {
        return published;
    }

    /** Durable offsets of {@code partitions} not yet committed. */
    static Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<PartitionState> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (PartitionState ps : partitions) {
            long next = ps.commitNext();
            if (next >= 0 && next > ps.committedNext) {
                out.put(ps.tp, ps.toCommit());
            }
        }
        return out;
    }

    private static Map<TopicPartition, OffsetAndMetadata> durable(Collection<PartitionState> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (PartitionState ps : partitions) {
            if (ps.commitNext() >= 0) {
                out.put(ps.tp, ps.toCommit());
            }
        }
        return out;
    }

    /** Kafka took {@code offsets}: remembered per partition still held, and told to the listener. */
    void committed(Map<TopicPartition, PartitionState> partitions, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, Long> plain = new HashMap<>();
        offsets.forEach((tp, off) -> {
            plain.put(tp, off.offset());
            PartitionState ps = partitions.get(tp);
            if (ps != null && off.offset() > ps.committedNext) {
                ps.committedNext = off.offset();
            }
        });
        listener.onCommit(new BridgeEvents.Commit(plain));
    }

    /** The partition is ours (again): only its live offset counts from now on. */
    void assigned(TopicPartition tp) {
        revoked.remove(tp);
        finalOffsets.remove(tp);
    }

    /** Host without a consumer: the revoked partitions' last durable offsets, for its next {@link #hostView}. */
    void handOut(Map<TopicPartition, OffsetAndMetadata> offsets) {
        revoked.putAll(offsets);
    }

    void forget(TopicPartition tp) {
        seekTargets.remove(tp);
        changed = true;
    }

    /** Host loop closing: the partitions' durable offsets stay readable after they are released. */
    void keepFinal(Collection<PartitionState> partitions) {
        finalOffsets.putAll(durable(partitions));
    }

    /**
     * What a host commits: the final offsets of a closed bridge, then those of partitions revoked since the last call
     * (handed out once: the next owner commits its own, and a stale copy must never move the group's offset back),
     * then every live partition's own offset, which wins.
     */
    Map<TopicPartition, OffsetAndMetadata> hostView(Collection<PartitionState> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(finalOffsets);
        out.putAll(revoked);
        revoked.clear();
        out.putAll(durable(partitions));
        return out;
    }
}
