package io.ksbridge.internal.engine;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeException;
import io.ksbridge.BridgeListener;
import io.ksbridge.IngestException;
import io.ksbridge.RetryPolicy;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.PartitionStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens assigned partitions in the backend off the rebalance callback: on one opener thread of its own (opens run one
 * at a time, in assignment order), retrying retriable failures after the retry policy's backoff. The polling thread
 * begins opens, collects their outcomes with {@link #collect} and cancels those of revoked partitions; the partition
 * stays paused by the engine until it is open. Polling thread only, but for the opener thread's own work.
 */
final class PartitionOpener {
    private static final Logger log = LoggerFactory.getLogger(PartitionOpener.class);

    /** What the engine does with a partition once it is open: seek, resume, buffer. */
    @FunctionalInterface
    interface Opened {
        void opened(TopicPartition tp, String table, PartitionStart start);
    }

    /** An open in progress: its current attempt, and when the next one is due after a retriable failure. */
    private static final class Pending {
        final TopicPartition tp;
        final String table;
        final long assignedNanos;
        CompletableFuture<PartitionStart> attempt;
        int failures;
        long dueNanos;

        Pending(TopicPartition tp, String table, long assignedNanos) {
            this.tp = tp;
            this.table = table;
            this.assignedNanos = assignedNanos;
        }
    }

    private final String bridge;
    private final IngestBackend backend;
    private final RetryPolicy retry;
    private final Ticker ticker;
    private final RetryLog retryLog;
    private final BridgeListener listener;
    /** Opens in progress by (partition, table): with a router a partition may open several tables. */
    private final Map<Key, Pending> pending = new HashMap<>();

    private record Key(TopicPartition tp, String table) {
    }
    private ExecutorService thread;
    /** A partition's release still running (it was revoked and given back): its open starts after it. */
    private final Function<TopicPartition, CompletableFuture<Void>> releasing;

    PartitionOpener(String bridge, IngestBackend backend, RetryPolicy retry, Ticker ticker, RetryLog retryLog,
                    BridgeListener listener, Function<TopicPartition, CompletableFuture<Void>> releasing) {
        this.releasing = releasing;
        this.bridge = bridge;
        this.backend = backend;
        this.retry = retry;
        this.ticker = ticker;
        this.retryLog = retryLog;
        this.listener = listener;
    }

    boolean isOpening(TopicPartition tp) {
        if (pending.isEmpty()) {
            return false;
        }
        for (Key k : pending.keySet()) {
            if (k.tp().equals(tp)) {
                return true;
            }
        }
        return false;
    }

    boolean isOpening(TopicPartition tp, String table) {
        return pending.containsKey(new Key(tp, table));
    }

    /** True while any open is in progress. */
    boolean busy() {
        return !pending.isEmpty();
    }

    /** The partitions with an open in progress. */
    Set<TopicPartition> opening() {
        Set<TopicPartition> out = new HashSet<>();
        for (Key k : pending.keySet()) {
            out.add(k.tp());
        }
        return out;
    }

    /** Starts opening {@code tp} for {@code table}; returns at once. */
    void begin(TopicPartition tp, String table) {
        Pending p = new Pending(tp, table, ticker.nanoTime());
        pending.put(new Key(tp, table), p);
        p.attempt = attempt(p);
    }

    private CompletableFuture<PartitionStart> attempt(Pending p) {
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ksbridge-" + bridge + "-open");
                t.setDaemon(true);
                return t;
            });
        }
        return releasing.apply(p.tp).thenApplyAsync(released -> {
            PartitionStart start = backend.open(p.table, p.tp);
            if (start == null) {
                throw new IllegalStateException("backend " + backend.name() + " returned null from open(" + p.tp + ")");
            }
            return start;
        }, thread);
    }

    /**
     * Hands each partition whose open succeeded to {@code opened}; starts the due retries (not while
     * {@code closing}); throws, naming the partition, for a failure that is not retriable or has no attempts left.
     */
    void collect(long now, boolean closing, Opened opened) {
        for (Pending p : new ArrayList<>(pending.values())) {
            if (p.attempt == null) {
                if (now >= p.dueNanos && !closing) {
                    p.attempt = attempt(p);
                }
                continue;
            }
            if (!p.attempt.isDone()) {
                continue;
            }
            PartitionStart start;
            try {
                start = p.attempt.join();
            } catch (CompletionException | CancellationException e) {
                failed(p, e.getCause() != null ? e.getCause() : e, now);
                continue;
            }
            pending.remove(new Key(p.tp, p.table));
            log.debug("bridge {} opened {} (table {}) in {} ms after its assignment", bridge, p.tp, p.table,
                    Duration.ofNanos(now - p.assignedNanos).toMillis());
            opened.opened(p.tp, p.table, start);
        }
    }

    private void failed(Pending p, Throwable cause, long now) {
        p.attempt = null;
        p.failures++;
        if (!(cause instanceof IngestException ie) || !ie.isRetriable() || !retry.allows(p.failures)) {
            if (cause instanceof BridgeException be) {
                throw be;
            }
            throw new IngestException("backend " + backend.name() + " could not open " + p.tp + " (table " + p.table
                    + ") after " + p.failures + " attempt(s): " + cause, false, cause);
        }
        Duration delay = retry.delay(p.failures, ThreadLocalRandom.current().nextDouble());
        p.dueNanos = now + delay.toNanos();
        listener.onRetry(new BridgeEvents.Retry(p.table, p.tp, -1, -1, p.failures, delay, cause));
        if (retryLog.admit(p.tp) >= 0) {
            log.warn("bridge {}: opening {} (table {}) in {} failed (attempt {} of {}), retrying in {}; the partition "
                    + "stays paused: {}", bridge, p.tp, p.table, backend.name(), p.failures,
                    RetryLog.limit(retry), delay,
                    cause.getMessage());
        }
    }

    /**
     * Forgets the opens of {@code revoked}; one that still succeeds is handed to {@code release} (partition, table),
     * on either thread.
     */
    void cancel(Collection<TopicPartition> revoked, BiConsumer<TopicPartition, String> release) {
        Set<TopicPartition> gone = new HashSet<>(revoked);
        for (Key k : new ArrayList<>(pending.keySet())) {
            if (!gone.contains(k.tp())) {
                continue;
            }
            Pending p = pending.remove(k);
            if (p.attempt != null) {
                p.attempt.whenComplete((start, error) -> {
                    if (start != null) {
                        release.accept(k.tp(), k.table());
                    }
                });
            }
        }
    }

    /** Cancels every open and lets the opener thread finish what it is doing; {@link #awaitIdle} waits for it. */
    void shutdown(BiConsumer<TopicPartition, String> release) {
        cancel(opening(), release);
        if (thread != null) {
            thread.shutdown();
        }
    }

    /** Waits up to {@code timeout} for an open still running after {@link #shutdown}: no open races the close. */
    void awaitIdle(Duration timeout) {
        ExecutorService t = thread;
        if (t != null) {
            try {
                t.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
