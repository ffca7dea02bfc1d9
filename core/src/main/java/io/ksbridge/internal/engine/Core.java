package io.ksbridge.internal.engine;

import io.ksbridge.BridgeClosedException;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.BridgeSettings;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's single-threaded core. Its entry points are the events of the polling thread (records, assigned,
 * revoked, a tick; backend outcomes arrive in the {@link Batches} inbox and are taken on each of them) and it acts on
 * the consumer only through the {@link Commands} a driver hands it (seek, pause, resume, commit); its timers read the
 * injected {@link Ticker}. Nothing here is shared with other threads but the ledger's published snapshot and the
 * memory budget's view.
 */
final class Core {
    private static final Logger log = LoggerFactory.getLogger(Core.class);
    private static final long LAG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    final BridgeSettings s;
    final IngestBackend backend;
    final Ticker ticker;
    final BridgeListener listener;
    final Lifecycle lifecycle;
    final OffsetLedger ledger;
    final MemoryBudget budget;
    final ErrorRouter router;
    final Batches batches;
    final Assignments partitions;
    /** Null without a router: then each partition is its own single lane, with no lookup per record. */
    private final Routing routing;
    private final RetryLog retryLog;
    private RecordConverter converter;
    private boolean backendStarted;
    private long lastLagNanos;
    private volatile IngestException asyncFailure;

    Core(BridgeSettings settings, Ticker ticker, Lifecycle lifecycle) {
        this.s = settings;
        this.backend = settings.backend();
        this.ticker = ticker;
        this.lifecycle = lifecycle;
        this.listener = SafeListener.of(List.of(settings.listener()));
        this.retryLog = new RetryLog(ticker);
        this.ledger = new OffsetLedger(listener);
        this.budget = new MemoryBudget(settings.maxBufferedBytes());
        this.router = new ErrorRouter(settings, listener);
        this.batches = new Batches(settings, ticker, listener, retryLog, budget, ledger, router);
        this.partitions = new Assignments(settings, lifecycle, listener, ticker, retryLog, ledger, budget, batches);
        this.routing = settings.router() == null ? null : new Routing(settings.router(), partitions, router);
        this.lastLagNanos = ticker.nanoTime() - LAG_INTERVAL_NANOS;
    }

    /** Starts the backend, once, on the polling thread, before the first record. */
    void startBackend() {
        if (!backendStarted) {
            backendStarted = true;
            converter = new RecordConverter(s, new MetadataWriter(s.metadata(), backend.stampsPushTime()), listener);
            backend.start(new BackendContext(s.name(), listener, s.retryPolicy(), s.errorPolicy(), this::loadFailed));
        }
    }

    /**
     * What a backend reports from its own threads after a batch was durable (Snowpipe loads that failed after
     * {@code insertFiles} accepted them) passes to the listener; under {@link ErrorPolicy#failFast()} it also stops
     * the bridge, on the polling thread, at its next tick.
     */
    private void loadFailed(BridgeEvents.LoadFailure event) {
        listener.onLoadFailure(event);
        if (s.errorPolicy().action() == ErrorPolicy.Action.FAIL && asyncFailure == null) {
            asyncFailure = new IngestException("Snowflake could not load the rows of " + event.partition()
                    + " offsets " + event.firstOffset() + "-" + event.lastOffset() + " into " + event.table() + ": "
                    + event.error() + " (the file is kept at " + event.location() + "; fix the data or the table and "
                    + "load it from there, or choose ErrorPolicy.skip() or deadLetter(...) to go on past such files)",
                    false);
        }
    }

    // ------------------------------------------------------------------ records in

    /**
     * Event: records polled. {@code consumer} detached (a host loop) means records of a partition not opened are
     * opened in place, and a full buffer or a format retry waits here; attached (the own loop) means the partition is
     * sought back and paused instead, and read again later.
     */
    void records(ConsumerRecords<byte[], byte[]> records, Commands consumer) {
        batches.drain();
        if (records.isEmpty()) {
            return;
        }
        for (TopicPartition tp : records.partitions()) {
            PartitionState ps = partitions.open.get(tp);
            if (ps == null) {
                if (partitions.isOpening(tp)) {
                    // not open yet, and someone resumed it (a host's container): read again once it is open
                    partitions.skippedWhileOpening.merge(tp, records.records(tp).get(0).offset(), Math::min);
                    continue;
                }
                if (consumer.attached()) {
                    continue; // no longer ours
                }
                ps = partitions.openHere(tp, consumer); // host loop without our rebalance listener
            }
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            boolean taken = false;
            for (int i = 0; i < list.size(); i++) {
                ConsumerRecord<byte[], byte[]> rec = list.get(i);
                if (rec.offset() < ps.nextOffset) {
                    continue; // already held by the backend, or already handled
                }
                if (!acceptOne(ps, rec, consumer)) {
                    break; // the partition was sought back; the rest comes again
                }
                taken = true;
            }
            if (taken) {
                ledger.seekTargets.remove(tp); // a record at or after the target arrived
            }
            if (ps.routes == null) {
                batches.maybeFlush(ps, ticker.nanoTime());
            } else {
                for (PartitionState lane : ps.routes.lanes.values()) {
                    batches.maybeFlush(lane, ticker.nanoTime());
                }
                if (!ps.deadLetters.isEmpty()) {
                    router.awaitBefore(ps); // records routed nowhere: none may be lost behind a committed offset
                    ps.deadLetters.clear();
                }
            }
        }
    }

    /** Returns false when the record was not taken and the partition was sought back to it (attached consumer). */
    private boolean acceptOne(PartitionState ps, ConsumerRecord<byte[], byte[]> rec, Commands consumer) {
        while (true) {
            RecordConverter.Converted c = converter.convert(rec);
            if (c.retriable != null) {
                ps.formatAttempts++;
                if (!s.retryPolicy().allows(ps.formatAttempts)) {
                    throw new IngestException("gave up on record " + RecordConverter.coordinates(rec) + " after "
                            + ps.formatAttempts + " attempts: " + c.retriable.getMessage(), false, c.retriable);
                }
                Duration delay = s.retryPolicy().delay(ps.formatAttempts, ThreadLocalRandom.current().nextDouble());
                listener.onRetry(new BridgeEvents.Retry(ps.table, ps.tp, rec.offset(), rec.offset(), ps.formatAttempts,
                        delay, c.retriable));
                long quiet = retryLog.admit(ps.tp);
                if (quiet >= 0) {
                    log.warn("record {} cannot be converted yet (attempt {} of {}; {} more retries since the last "
                            + "warning), retrying in {}: {}", RecordConverter.coordinates(rec), ps.formatAttempts,
                            RetryLog.limit(s.retryPolicy()), quiet, delay, c.retriable.getMessage());
                } else if (log.isDebugEnabled()) {
                    log.debug("record {} cannot be converted yet (attempt {}), retrying in {}: {}",
                            RecordConverter.coordinates(rec), ps.formatAttempts, delay, c.retriable.getMessage());
                }
                if (consumer.attached()) {
                    consumer.seek(ps.tp, rec.offset());
                    consumer.pause(Set.of(ps.tp));
                    partitions.backoffPaused.add(ps.tp);
                    ps.backoffUntilNanos = ticker.nanoTime() + delay.toNanos();
                    return false;
                }
                sleepServing(delay, consumer);
                continue;
            }
            ps.formatAttempts = 0;
            long now = ticker.nanoTime();
            if (c.row == null) {
                if (c.bad != null) {
                    router.route(ps, rec, c.bad);
                }
                if (ps.routes == null) {
                    ps.addNoRow(rec.offset(), now);
                } else {
                    Routing.handled(ps, rec.offset(), ledger);
                }
                return true;
            }
            List<PartitionState> lanes = null;
            if (ps.routes != null) {
                lanes = routing.lanes(ps, rec, c, consumer);
                if (lanes == null) {
                    return false; // a table opens; the partition was sought back to this record
                }
                if (lanes.isEmpty()) {
                    Routing.handled(ps, rec.offset(), ledger);
                    return true;
                }
            }
            long size = c.rowBytes() + RecordConverter.sourceBytes(rec, c.row);
            while (!budget.fits(size)) {
                batches.flushAll(partitions.lanes(), "memory", false);
                if (consumer.attached()) {
                    consumer.seek(ps.tp, rec.offset());
                    pauseForMemory(consumer);
                    return false;
                }
                if (!waitForRoom(size, consumer)) {
                    throw new BridgeClosedException("bridge " + s.name() + " closed while accept waited for memory");
                }
            }
            if (lanes != null) {
                budget.take(Routing.add(rec, c, lanes, RecordConverter.sourceBytes(rec, c.row), now));
                Routing.handled(ps, rec.offset(), ledger);
                return true;
            }
            // a transform's rows of one offset go in together: no flush can fall between them
            ps.addRow(c.row, rec, size - c.rowBytes() + c.row.sizeInBytes(), now);
            for (IngestRow more : c.more) {
                ps.addRow(more, rec, more.sizeInBytes(), now);
            }
            budget.take(size);
            return true;
        }
    }

    // ------------------------------------------------------------------ timers, backpressure

    /**
     * Event: a tick of the polling thread. Takes outcomes, enforces deadlines, completes opens (with an attached
     * consumer), hands due retries over again, flushes by policy and lifts pauses whose reason has gone.
     */
    void tick(Commands consumer) {
        batches.drain();
        IngestException f = asyncFailure;
        if (f != null) {
            throw f;
        }
        long now = ticker.nanoTime();
        batches.checkDeadlines(partitions.lanes(), now);
        partitions.completeOpens(consumer, now);
        for (PartitionState ps : new ArrayList<>(partitions.lanes())) {
            batches.resubmitDue(ps, now);
            batches.maybeFlush(ps, now);
        }
        if (!consumer.attached()) {
            return;
        }
        if (budget.paused && budget.lowEnoughToResume()) {
            budget.paused = false;
            Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
            resume.removeAll(partitions.backoffPaused);
            resume.removeAll(partitions.opener.opening());
            consumer.resume(resume);
            listener.onBackpressure(new BridgeEvents.Backpressure(resume, false, budget.used()));
        }
        for (TopicPartition tp : new ArrayList<>(partitions.backoffPaused)) {
            PartitionState ps = partitions.open.get(tp);
            if (ps == null || now >= ps.backoffUntilNanos) {
                partitions.backoffPaused.remove(tp);
                if (!budget.paused && ps != null) {
                    consumer.resume(Set.of(tp));
                }
            }
        }
    }

    private void pauseForMemory(Commands consumer) {
        if (!budget.paused) {
            budget.paused = true;
            Set<TopicPartition> all = consumer.assignment();
            consumer.pause(all);
            listener.onBackpressure(new BridgeEvents.Backpressure(all, true, budget.used()));
        }
    }

    /** Host loop: waits for loads to complete until {@code size} more bytes fit. False when closed meanwhile. */
    private boolean waitForRoom(long size, Commands consumer) {
        while (!budget.fits(size)) {
            if (lifecycle.closeRequested()) {
                return false;
            }
            batches.await(Duration.ofMillis(50));
            tick(consumer);
            batches.flushAll(partitions.lanes(), "memory", false);
        }
        return true;
    }

    /** Host loop: sleeps while still taking outcomes. */
    private void sleepServing(Duration d, Commands consumer) {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < until) {
            if (lifecycle.closeRequested()) {
                throw new BridgeClosedException("bridge " + s.name() + " closed while a record waited for a retry");
            }
            batches.await(Duration.ofNanos(Math.min(until - System.nanoTime(), 50_000_000L)));
            tick(consumer);
        }
    }

    /**
     * Tells the listener each held partition's end offset (from the consumer's last fetch: no request) and durable
     * offset, at most once a second.
     */
    void reportLag(Commands consumer) {
        long now = ticker.nanoTime();
        if (now - lastLagNanos < LAG_INTERVAL_NANOS || partitions.open.isEmpty()) {
            return;
        }
        lastLagNanos = now;
        for (PartitionState ps : partitions.open.values()) {
            long[] lag;
            try {
                lag = consumer.lagAndPosition(ps.tp);
            } catch (RuntimeException e) {
                // not assigned to this consumer any more, or a host calling accept off its polling thread
                log.debug("bridge {}: no lag for {}: {}", s.name(), ps.tp, e.toString());
                continue;
            }
            if (lag == null) {
                continue;
            }
            long position = lag[1];
            long durable = ps.durableNext >= 0 ? ps.durableNext : ps.firstRead >= 0 ? ps.firstRead : position;
            listener.onLag(new BridgeEvents.PartitionLag(ps.table, ps.tp, position + lag[0], durable));
        }
    }

    // ------------------------------------------------------------------ offsets, drain

    /** Durable offsets not yet committed, of every held partition. */
    Map<TopicPartition, OffsetAndMetadata> uncommitted() {
        return OffsetLedger.uncommitted(partitions.open.values());
    }

    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        ledger.committed(partitions.open, offsets);
    }

    void publish() {
        ledger.publish(partitions.open.values());
    }

    /**
     * Event: drain. Flushes everything and waits for it to become durable, until the close deadline; with
     * {@code keepFinal} (a host loop) the durable offsets stay readable after the partitions are released.
     */
    void drain(boolean keepFinal) {
        long deadline = lifecycle.closeDeadlineNanos();
        List<PartitionState> all = new ArrayList<>(partitions.lanes());
        batches.flushAll(all, "close", true);
        batches.settle(all, () -> all.stream().allMatch(ps -> ps.bufferEmpty() && !ps.hasPending()), deadline,
                lifecycle::haltRequested);
        if (keepFinal) {
            ledger.keepFinal(partitions.open.values());
        }
        if (all.stream().anyMatch(PartitionState::hasPending)) {
            log.warn("bridge {} closed with loads still in flight; their offsets are not committed and will be read "
                    + "again", s.name());
        }
    }
}
