package io.ksbridge.internal.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * What the engine's core tells the consumer it reads from, and the little it asks of it. The core never holds a
 * consumer: a driver hands it the commands of the consumer at hand for each call, or {@link #detached} ones when the
 * host gave the bridge no consumer (then a seek is a target the host applies, and nothing can be paused).
 */
interface Commands {
    /** True when a consumer is behind these commands: partitions can be paused and sought. */
    boolean attached();

    void seek(TopicPartition tp, long offset);

    void pause(Collection<TopicPartition> partitions);

    void resume(Collection<TopicPartition> partitions);

    Set<TopicPartition> assignment();

    /** Kafka's committed offset of {@code tp}, or none. */
    default OptionalLong committed(TopicPartition tp) {
        OffsetAndMetadata c = committedOffset(tp);
        return c == null ? OptionalLong.empty() : OptionalLong.of(c.offset());
    }

    /** Kafka's committed offset of {@code tp} with its metadata, or null. */
    OffsetAndMetadata committedOffset(TopicPartition tp);

    void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets);

    /** The partition's lag behind the end of the log and the consumer's position, from its last fetch; null if none. */
    long[] lagAndPosition(TopicPartition tp);

    /** Commands of a real consumer. */
    static Commands of(Consumer<byte[], byte[]> consumer) {
        return new Commands() {
            @Override
            public boolean attached() {
                return true;
            }

            @Override
            public void seek(TopicPartition tp, long offset) {
                consumer.seek(tp, offset);
            }

            @Override
            public void pause(Collection<TopicPartition> partitions) {
                consumer.pause(partitions);
            }

            @Override
            public void resume(Collection<TopicPartition> partitions) {
                consumer.resume(partitions);
            }

            @Override
            public Set<TopicPartition> assignment() {
                return consumer.assignment();
            }

            /*
             * Outside the rebalance callback (opens complete on the polling thread), so a wake-up meant for the host's
             * poll (a Spring container wakes its consumer to pause it) may land here: it is taken and the call made
             * again. The same holds for the final commit, which the one wake-up close() sends may reach.
             */
            @Override
            public OffsetAndMetadata committedOffset(TopicPartition tp) {
                try {
                    return consumer.committed(Set.of(tp)).get(tp);
                } catch (WakeupException e) {
                    return consumer.committed(Set.of(tp)).get(tp);
                }
            }

            @Override
            public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                try {
                    consumer.commitSync(offsets);
                } catch (WakeupException e) {
                    consumer.commitSync(offsets);
                }
            }

            @Override
            public long[] lagAndPosition(TopicPartition tp) {
                OptionalLong behind = consumer.currentLag(tp);
                if (behind.isEmpty()) {
                    return null; // no position or no fetch yet
                }
                return new long[] {behind.getAsLong(), consumer.position(tp, Duration.ZERO)};
            }
        };
    }

    /** The commands of a host that gave no consumer: seeks become the host's seek targets. */
    static Commands detached(Map<TopicPartition, Long> seekTargets) {
        return new Commands() {
            @Override
            public boolean attached() {
                return false;
            }

            @Override
            public void seek(TopicPartition tp, long offset) {
                seekTargets.put(tp, offset);
            }

            @Override
            public void pause(Collection<TopicPartition> partitions) {
                throw new IllegalStateException("no consumer to pause");
            }

            @Override
            public void resume(Collection<TopicPartition> partitions) {
                throw new IllegalStateException("no consumer to resume");
            }

            @Override
            public Set<TopicPartition> assignment() {
                return Set.of();
            }

            @Override
            public OffsetAndMetadata committedOffset(TopicPartition tp) {
                return null;
            }

            @Override
            public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                throw new IllegalStateException("no consumer to commit with");
            }

            @Override
            public long[] lagAndPosition(TopicPartition tp) {
                return null;
            }
        };
    }
}
