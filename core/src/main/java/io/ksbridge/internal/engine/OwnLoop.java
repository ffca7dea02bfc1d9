package io.ksbridge.internal.engine;

import io.ksbridge.BridgeSettings;
import io.ksbridge.RecordFormatException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver of a bridge that runs its own consumer: poll, hand the records to the core, tick, commit durable offsets
 * every {@code commitInterval}, publish them; on close drain and commit once more; on a crash neither. Runs on the
 * loop thread, which alone touches the consumer and the core.
 */
final class OwnLoop {
    private static final Logger log = LoggerFactory.getLogger(OwnLoop.class);

    private final Core core;
    private final BridgeSettings s;
    private final Lifecycle lifecycle;
    private final Function<Consumer<byte[], byte[]>, ConsumerRebalanceListener> rebalance;
    private volatile Consumer<byte[], byte[]> consumer;
    private long lastCommitNanos;

    OwnLoop(Core core, Function<Consumer<byte[], byte[]>, ConsumerRebalanceListener> rebalance) {
        this.core = core;
        this.s = core.s;
        this.lifecycle = core.lifecycle;
        this.rebalance = rebalance;
    }

    /** Wakes the consumer out of its poll: close and halt call it from any thread. */
    void wakeup() {
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Runs the loop until close, halt or a failure; a virtual-machine error is thrown once all is let go. */
    void run() {
        KafkaConsumer<byte[], byte[]> kafka = null;
        VirtualMachineError fatal = null;
        try {
            core.startBackend();
            kafka = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer = kafka;
            Commands commands = Commands.of(kafka);
            lastCommitNanos = core.ticker.nanoTime() - s.commitInterval().toNanos(); // the first durable offsets commit at once
            ConsumerRebalanceListener listener = rebalance.apply(kafka);
            if (s.topicPattern() != null) {
                kafka.subscribe(s.topicPattern(), listener);
            } else {
                kafka.subscribe(s.topics(), listener);
            }
            lifecycle.move(Lifecycle.Phase.STARTING, Lifecycle.Phase.RUNNING);
            while (!lifecycle.closeRequested()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = kafka.poll(s.pollTimeout());
                } catch (WakeupException e) {
                    continue;
                }
                core.records(records, commands);
                core.tick(commands);
                commit(kafka, false);
                core.reportLag(commands);
                core.publish();
            }
            if (!lifecycle.haltRequested()) {
                lifecycle.move(Lifecycle.Phase.RUNNING, Lifecycle.Phase.DRAINING);
                core.drain(false);
                core.publish();
                try {
                    commit(kafka, true);
                } catch (CommitFailedException | RebalanceInProgressException e) {
                    log.warn("bridge {} could not commit on close (the group has already reassigned its partitions; their new "
                            + "owners resume from what Snowflake holds): {}", s.name(), e.getMessage());
                }
            }
        } catch (WakeupException e) {
            if (!lifecycle.closeRequested()) {
                Engine.recordFailure(core, e);
            }
        } catch (Throwable t) {
            Engine.recordFailure(core, t);
            if (t instanceof VirtualMachineError vme) {
                fatal = vme; // out of memory and the like: no drain, no commit
            } else if (kafka != null && !lifecycle.haltRequested()) {
                commitAfterFailure(kafka, t);
            }
        } finally {
            consumer = null;
            if (kafka != null) {
                try {
                    kafka.close(Duration.ofSeconds(lifecycle.haltRequested() ? 0 : 5));
                } catch (Throwable t) {
                    log.warn("closing the consumer failed: {}", t.toString());
                }
            }
            Shutdown.run(core);
            lifecycle.terminate();
        }
        if (fatal != null) {
            throw fatal; // the loop thread ends with it: its uncaught-exception handler sees it
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(s.consumerProperties());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ksbridge-" + s.name());
        // Cooperative rebalancing moves only the partitions that change owner: the others keep their buffers and
        // backend state (Snowpipe reconciliation, Streaming channels) instead of being closed and reopened.
        props.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return props;
    }

    /** After a failure, what is durable is committed: all of it once the rows before a bad record are loaded. */
    private void commitAfterFailure(KafkaConsumer<byte[], byte[]> kafka, Throwable t) {
        try {
            if (t instanceof RecordFormatException) {
                // The rows before the bad record are good: load them, so a restart starts at the bad one.
                lifecycle.closeDeadlineNanos(System.nanoTime() + s.closeTimeout().toNanos());
                core.drain(false);
            } else {
                core.batches.drain();
            }
            commit(kafka, true);
        } catch (Throwable t2) {
            log.warn("could not commit durable offsets after the failure: {}", t2.toString());
        }
    }

    private void commit(KafkaConsumer<byte[], byte[]> kafka, boolean sync) {
        long now = core.ticker.nanoTime();
        if (!sync && now - lastCommitNanos < s.commitInterval().toNanos()) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = core.uncommitted();
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            Commands.of(kafka).commitSync(offsets);
            core.committed(offsets);
        } else {
            kafka.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    log.warn("committing offsets failed, will retry: {}", error.toString());
                } else {
                    core.committed(offsets);
                }
            });
        }
    }
}
