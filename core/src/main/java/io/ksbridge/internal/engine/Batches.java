package io.ksbridge.internal.engine;

import io.ksbridge.BatchTimeoutException;
import io.ksbridge.BridgeClosedException;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeException;
import io.ksbridge.BridgeListener;
import io.ksbridge.BridgeSettings;
import io.ksbridge.BufferStats;
import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches from flush until durable: turning a partition's buffer into a batch, handing it to the backend under the
 * in-flight cap, taking the outcomes the backend's threads put in the completion inbox, retries after their backoff
 * in offset order, the deadline of every attempt, and moving each partition's durable offset past its durable head.
 * Polling thread, but for the inbox.
 */
final class Batches {
    private static final Logger log = LoggerFactory.getLogger(Batches.class);

    private record Completion(InFlight batch, IngestResult result) {
    }

    private final BridgeSettings s;
    private final IngestBackend backend;
    private final Ticker ticker;
    private final BridgeListener listener;
    private final RetryLog retryLog;
    private final MemoryBudget budget;
    private final OffsetLedger ledger;
    private final ErrorRouter router;
    private final LinkedBlockingQueue<Completion> inbox = new LinkedBlockingQueue<>();
    private int inFlight;

    Batches(BridgeSettings settings, Ticker ticker, BridgeListener listener, RetryLog retryLog, MemoryBudget budget,
            OffsetLedger ledger, ErrorRouter router) {
        this.s = settings;
        this.backend = settings.backend();
        this.ticker = ticker;
        this.listener = listener;
        this.retryLog = retryLog;
        this.budget = budget;
        this.ledger = ledger;
        this.router = router;
    }

    /** Flushes the partition's buffer when the flush policy says so. */
    void maybeFlush(PartitionState ps, long now) {
        if (ps.bufferEmpty()) {
            return;
        }
        BufferStats stats = new BufferStats(ps.table, ps.tp.topic(), ps.tp.partition(), ps.records, ps.bytes,
                Duration.ofNanos(now - ps.firstAppendNanos));
        if (s.flushPolicy().shouldFlush(stats)) {
            flush(ps, "policy", false);
        }
    }

    void flushAll(Collection<PartitionState> partitions, String reason, boolean force) {
        for (PartitionState ps : new ArrayList<>(partitions)) {
            flush(ps, reason, force);
        }
    }

    /** Turns the partition's buffer into a batch; returns false when it has to wait (in-flight cap, a retry). */
    boolean flush(PartitionState ps, String reason, boolean force) {
        if (ps.bufferEmpty()) {
            return true;
        }
        if (ps.hasRetryWaiting()) {
            return false; // a retried batch goes before any later batch of its partition
        }
        if (!ps.rows.isEmpty() && inFlight >= s.maxInFlightBatches() && !force) {
            return false;
        }
        router.awaitBefore(ps);
        long nowNanos = ticker.nanoTime();
        IngestBatch batch = new IngestBatch(ps.table, ps.tp, ps.rangeStart, ps.rangeEnd, ps.rows, 1);
        InFlight f = new InFlight(ps, batch, ps.sources, ps.bytes, nowNanos);
        ps.batches.addLast(f);
        ps.resetBuffer();
        listener.onFlush(new BridgeEvents.Flush(ps.table, ps.tp, batch.firstOffset(), batch.lastOffset(),
                batch.rows().size(), f.bytes, reason));
        if (batch.rows().isEmpty()) {
            f.state = InFlight.State.DURABLE;
            advance(ps);
        } else {
            submit(f);
        }
        return true;
    }

    private void submit(InFlight f) {
        f.state = InFlight.State.SUBMITTED;
        f.submittedNanos = ticker.nanoTime();
        f.warned = false;
        inFlight++;
        CompletionStage<IngestResult> stage;
        try {
            stage = backend.ingest(f.batch);
            if (stage == null) {
                throw new IllegalStateException("backend " + backend.name() + " returned null from ingest");
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            inbox.add(new Completion(f, IngestResult.fatal(t)));
            return;
        }
        stage.whenComplete((result, error) -> inbox.add(new Completion(f,
                result != null ? result : IngestResult.fatal(error != null ? error
                        : new IllegalStateException("backend completed with neither result nor error")))));
    }

    /** Takes every outcome waiting in the inbox. */
    void drain() {
        Completion c;
        while ((c = inbox.poll()) != null) {
            handle(c);
        }
    }

    /** Waits up to {@code max} for an outcome, then takes all that are waiting. */
    void await(Duration max) {
        try {
            Completion c = inbox.poll(max.toNanos(), TimeUnit.NANOSECONDS);
            if (c != null) {
                handle(c);
                drain();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BridgeClosedException("interrupted while waiting for the backend");
        }
    }

    private void handle(Completion c) {
        InFlight f = c.batch();
        if (f.abandoned || f.state != InFlight.State.SUBMITTED) {
            return;
        }
        inFlight--;
        PartitionState ps = f.partition;
        IngestResult r = c.result();
        if (r instanceof IngestResult.Durable d) {
            if (Engine.CHECKS && backend.durableInOffsetOrder() && ps.batches.peekFirst() != f) {
                InFlight head = ps.batches.peekFirst();
                f.state = InFlight.State.FAILED;
                throw new AssertionError("backend " + backend.name() + " reported batch " + f.batch.id() + " durable while"
                        + " the earlier batch " + (head == null ? "(none)" : head.batch.id() + " is " + head.state)
                        + "; it promises durable outcomes in offset order");
            }
            if (!d.rejected().isEmpty()) {
                try {
                    router.routeRejected(f, d.rejected());
                } catch (RuntimeException e) {
                    f.state = InFlight.State.FAILED;
                    throw e;
                }
            }
            f.state = InFlight.State.DURABLE;
            IngestBatch b = f.batch;
            listener.onDurable(new BridgeEvents.Durable(b.table(), b.partition(), b.firstOffset(), b.lastOffset(),
                    b.rows().size(), f.bytes, Duration.ofNanos(ticker.nanoTime() - f.flushedNanos)));
            release(f);
            advance(ps);
        } else if (r instanceof IngestResult.Retry retry) {
            retryLater(f, retry.cause());
        } else if (r instanceof IngestResult.Fatal fatal) {
            f.state = InFlight.State.FAILED;
            Throwable cause = fatal.cause();
            throw cause instanceof BridgeException be ? be
                    : new IngestException("backend " + backend.name() + " failed on batch " + f.batch.id() + ": "
                            + cause.getMessage(), false, cause);
        }
    }

    private void retryLater(InFlight f, Throwable cause) {
        f.attempts++;
        if (!s.retryPolicy().allows(f.attempts)) {
            f.state = InFlight.State.FAILED;
            throw new IngestException("backend " + backend.name() + " gave up on batch " + f.batch.id() + " after "
                    + f.attempts + " attempts (retryPolicy maxAttempts " + s.retryPolicy().maxAttempts() + "): "
                    + cause.getMessage(), false, cause);
        }
        Duration delay = s.retryPolicy().delay(f.attempts, ThreadLocalRandom.current().nextDouble());
        f.state = InFlight.State.RETRY_WAIT;
        f.dueNanos = ticker.nanoTime() + delay.toNanos();
        IngestBatch b = f.batch;
        listener.onRetry(new BridgeEvents.Retry(b.table(), b.partition(), b.firstOffset(), b.lastOffset(), f.attempts,
                delay, cause));
        long quiet = retryLog.admit(f.partition.tp);
        if (quiet >= 0) {
            log.warn("bridge {}: batch {} failed (attempt {} of {}), retrying in {}{}: {}", s.name(), b.id(), f.attempts,
                    RetryLog.limit(s.retryPolicy()), delay, quiet == 0 ? "" : " (" + quiet + " more retries of "
                            + f.partition.tp + " since the last warning)", cause.toString());
        } else {
            log.debug("bridge {}: batch {} failed (attempt {}), retrying in {}: {}", s.name(), b.id(), f.attempts, delay,
                    cause.toString());
        }
    }

    private void release(InFlight f) {
        if (!f.released) {
            f.released = true;
            budget.give(f.bytes);
            f.sources = null;
        }
    }

    /** Moves the partition's durable offset past every durable batch at the head. */
    private void advance(PartitionState ps) {
        while (!ps.batches.isEmpty() && ps.batches.peekFirst().state == InFlight.State.DURABLE) {
            InFlight head = ps.batches.pollFirst();
            ledger.durable(ps, head.batch.lastOffset() + 1);
        }
    }

    /** The partition is no longer ours: its batches' outcomes are ignored and their memory given back. */
    void abandon(PartitionState ps) {
        for (InFlight f : ps.batches) {
            f.abandoned = true;
            if (f.state == InFlight.State.SUBMITTED) {
                inFlight--;
            }
            release(f);
        }
        ps.batches.clear();
        budget.give(ps.bytes);
    }

    /**
     * A batch with the backend past {@code batchTimeout} stops the bridge, naming it; half way there, a warning. The
     * bridge does not hand the batch over again: the unanswered attempt may still land.
     */
    void checkDeadlines(Collection<PartitionState> partitions, long now) {
        long timeout = s.batchTimeout().toNanos();
        for (PartitionState ps : partitions) {
            for (InFlight f : ps.batches) {
                if (f.state != InFlight.State.SUBMITTED) {
                    continue;
                }
                long waited = now - f.submittedNanos;
                IngestBatch b = f.batch;
                if (waited > timeout) {
                    f.state = InFlight.State.FAILED;
                    throw new BatchTimeoutException(backend.name(), b.table(), b.partition(), b.firstOffset(),
                            b.lastOffset(), b.attempt(), Duration.ofNanos(waited), s.batchTimeout());
                }
                if (!f.warned && waited > timeout / 2) {
                    f.warned = true;
                    log.warn("bridge {}: batch {} ({} rows, attempt {}) has been with backend {} for {} without an "
                            + "outcome; at batchTimeout ({}) the bridge stops", s.name(), b.id(), b.rows().size(),
                            b.attempt(), backend.name(), Duration.ofNanos(waited), s.batchTimeout());
                }
            }
        }
    }

    /**
     * Hands the partition's due retries over again, in offset order. A retried batch waits while a later batch of its
     * partition is still with the backend (handed over before the failure was known): the backend then sees every
     * retried batch again before any batch after it, in arrival order, as the SPI promises.
     */
    void resubmitDue(PartitionState ps, long now) {
        boolean retrying = false;
        for (InFlight f : ps.batches) {
            if (f.state == InFlight.State.RETRY_WAIT) {
                retrying = true;
            } else if (retrying && f.state == InFlight.State.SUBMITTED) {
                return; // its outcome comes first
            }
        }
        if (!retrying) {
            return;
        }
        for (InFlight f : ps.batches) {
            if (f.state == InFlight.State.RETRY_WAIT) {
                if (now < f.dueNanos) {
                    return; // keep order: nothing after a waiting batch goes first
                }
                f.batch = f.batch.withAttempt(f.attempts + 1);
                submit(f);
            }
        }
    }

    /**
     * Waits (real time, until {@code deadlineNanos}) for {@code done}, taking outcomes, handing due retries over again
     * and flushing what the partitions still buffer; a halt ends the wait at once.
     */
    void settle(List<PartitionState> states, BooleanSupplier done, long deadlineNanos, BooleanSupplier halted) {
        while (!done.getAsBoolean() && System.nanoTime() < deadlineNanos && !halted.getAsBoolean()) {
            await(Duration.ofMillis(20));
            long now = ticker.nanoTime();
            for (PartitionState ps : states) {
                resubmitDue(ps, now);
                if (!ps.bufferEmpty()) {
                    flush(ps, "revoke", true);
                }
            }
        }
    }
}
