package io.ksbridge.internal.engine;

import io.ksbridge.BridgeClosedException;
import io.ksbridge.BridgeSettings;
import io.ksbridge.RecordFormatException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The driver of a bridge fed by the host's loop: each call ({@code accept}, a rebalance callback, {@code
 * durableOffsets}, {@code close}) runs the core under one lock, on the host's thread. Records are handed to the core
 * with {@linkplain Commands#detached detached} commands (a full buffer waits in place, the host's consumer is never
 * sought or paused under its iteration); opens and lag use the host's consumer when it passed one to {@code
 * rebalanceListener(consumer)}.
 */
final class HostLoop {
    private final Core core;
    private final BridgeSettings s;
    private final Lifecycle lifecycle;
    final ReentrantLock lock = new ReentrantLock();
    final Commands detached;
    /** The host's consumer's commands, when it passed one to {@code rebalanceListener}; else {@link #detached}. */
    private volatile Commands hostConsumer;

    HostLoop(Core core) {
        this.core = core;
        this.s = core.s;
        this.lifecycle = core.lifecycle;
        this.detached = Commands.detached(core.ledger.seekTargets);
        this.hostConsumer = detached;
    }

    void hostConsumer(Consumer<byte[], byte[]> consumer) {
        hostConsumer = Commands.of(consumer);
    }

    void accept(ConsumerRecords<byte[], byte[]> records) {
        lock.lock();
        try {
            ensureRunning();
            try {
                core.records(records, detached);
                core.tick(detached);
                Commands host = hostConsumer;
                core.partitions.completeOpens(host, core.ticker.nanoTime());
                if (host.attached()) {
                    core.reportLag(host);
                }
            } catch (Throwable t) {
                Engine.recordFailure(core, t);
                throw Engine.asThrown(core, t);
            }
        } finally {
            lock.unlock();
        }
    }

    /** First call starts the backend; a stopped or failed bridge refuses, saying why. */
    void ensureRunning() {
        Throwable failure = lifecycle.failure();
        if (failure != null) {
            throw new BridgeClosedException("bridge " + s.name() + " stopped on a failure: " + failure.getMessage(), failure);
        }
        if (lifecycle.closeRequested() || lifecycle.ended()) {
            throw new BridgeClosedException("bridge " + s.name() + " is closed");
        }
        if (lifecycle.move(Lifecycle.Phase.NEW, Lifecycle.Phase.STARTING)) {
            core.startBackend();
            lifecycle.move(Lifecycle.Phase.STARTING, Lifecycle.Phase.RUNNING);
        }
    }

    Map<TopicPartition, OffsetAndMetadata> durableOffsets() {
        lock.lock();
        try {
            if (lifecycle.phase() == Lifecycle.Phase.RUNNING && lifecycle.failure() == null) {
                core.batches.drain();
            }
            return core.ledger.hostView(core.partitions.open.values());
        } finally {
            lock.unlock();
        }
    }

    Map<TopicPartition, Long> seekTargets() {
        lock.lock();
        try {
            return new HashMap<>(core.ledger.seekTargets);
        } finally {
            lock.unlock();
        }
    }

    /** Drains (unless failed other than on a bad record) and lets go, on the calling thread. */
    void close() {
        lock.lock();
        try {
            if (lifecycle.ended()) {
                return;
            }
            Throwable failure = lifecycle.failure();
            if (lifecycle.move(Lifecycle.Phase.RUNNING, Lifecycle.Phase.DRAINING)
                    && (failure == null || failure instanceof RecordFormatException)) {
                try {
                    core.drain(true);
                } catch (Throwable t) {
                    Engine.recordFailure(core, t);
                }
            }
            Shutdown.run(core);
        } finally {
            lifecycle.terminate();
            lock.unlock();
        }
    }

    /** A crash: nothing flushed or committed; the backend drops what it holds. */
    void halt() {
        lock.lock();
        try {
            if (!lifecycle.ended()) {
                Shutdown.run(core);
                lifecycle.terminate();
            }
        } finally {
            lock.unlock();
        }
    }
}
