package io.ksbridge.internal.engine;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeListener;
import io.ksbridge.BridgeSettings;
import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.PartitionStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions the bridge holds: opening assigned ones in the backend (off the polling thread when a consumer can
 * keep them paused meanwhile, in place otherwise), where each resumes, and letting revoked ones go after their
 * buffers became durable or a bounded wait ran out. Polling thread.
 */
final class Assignments {
    private static final Logger log = LoggerFactory.getLogger(Assignments.class);

    final Map<TopicPartition, PartitionState> open = new HashMap<>();
    /** Partitions paused until a retriable format failure's backoff ends. */
    final Set<TopicPartition> backoffPaused = new HashSet<>();
    /** The first offset of records handed over for a partition still opening, and so passed over. */
    final Map<TopicPartition, Long> skippedWhileOpening = new HashMap<>();
    /** With a router: partitions assigned and paused whose committed offset (and tables fed) is read at the next tick. */
    private final Set<TopicPartition> awaitingStart = new HashSet<>();
    /** A router is set: each partition's state holds its lanes (see {@link RoutedOffsets}). */
    final boolean routed;

    private final BridgeSettings s;
    private final IngestBackend backend;
    private final Lifecycle lifecycle;
    private final BridgeListener listener;
    private final RetryLog retryLog;
    private final OffsetLedger ledger;
    private final MemoryBudget budget;
    private final Batches batches;
    final PartitionOpener opener;
    /** Releases of revoked lanes, each waited for at most closeTimeout inside the callback. */
    final Releaser releaser;

    Assignments(BridgeSettings settings, Lifecycle lifecycle, BridgeListener listener, Ticker ticker, RetryLog retryLog,
                OffsetLedger ledger, MemoryBudget budget, Batches batches) {
        this.s = settings;
        this.backend = settings.backend();
        this.lifecycle = lifecycle;
        this.listener = listener;
        this.retryLog = retryLog;
        this.ledger = ledger;
        this.budget = budget;
        this.batches = batches;
        this.releaser = new Releaser(settings.name(), backend);
        this.opener = new PartitionOpener(settings.name(), backend, settings.retryPolicy(), ticker, retryLog, listener,
                releaser::after);
        this.routed = settings.router() != null;
    }

    /** True while {@code tp} is not ready for records: a table of it opening, or its start not read yet. */
    boolean isOpening(TopicPartition tp) {
        return opener.isOpening(tp) || (!awaitingStart.isEmpty() && awaitingStart.contains(tp));
    }

    /** Every lane of every held partition: the partitions themselves without a router. */
    Collection<PartitionState> lanes() {
        if (!routed) {
            return open.values();
        }
        List<PartitionState> out = new ArrayList<>();
        for (PartitionState ps : open.values()) {
            out.addAll(ps.routes.lanes.values());
        }
        return out;
    }

    private static List<PartitionState> lanesOf(Collection<PartitionState> partitions) {
        List<PartitionState> out = new ArrayList<>();
        for (PartitionState ps : partitions) {
            if (ps.routes == null) {
                out.add(ps);
            } else {
                out.addAll(ps.routes.lanes.values());
            }
        }
        return out;
    }

    void assign(Collection<TopicPartition> assigned, Commands consumer) {
        for (TopicPartition tp : assigned) {
            ledger.assigned(tp);
            if (!open.containsKey(tp) && !isOpening(tp)) {
                if (consumer.attached() && routed) {
                    consumer.pause(Set.of(tp)); // until its committed offset is read and the tables it fed are open
                    awaitingStart.add(tp);
                } else if (consumer.attached()) {
                    consumer.pause(Set.of(tp)); // until it is open: the callback returns at once
                    opener.begin(tp, tableFor(tp));
                } else {
                    openHere(tp, consumer); // nothing to pause: the host seeks to seekTargets() after this returns
                }
            }
        }
        if (consumer.attached() && budget.paused) {
            consumer.pause(assigned);
        }
        listener.onAssigned(Set.copyOf(assigned));
    }

    /**
     * Partitions whose open succeeded start (seek, and resume unless the memory cap holds them); a retriable failure
     * is tried again after its backoff, still paused; any other stops the bridge.
     */
    void completeOpens(Commands consumer, long now) {
        if (!consumer.attached()) {
            return;
        }
        if (!awaitingStart.isEmpty()) {
            for (TopicPartition tp : new ArrayList<>(awaitingStart)) {
                awaitingStart.remove(tp);
                routedStart(tp, consumer);
            }
        }
        if (!opener.busy()) {
            return;
        }
        opener.collect(now, lifecycle.closeRequested(), (tp, table, start) -> {
            if (routed) {
                PartitionState ps = open.get(tp);
                if (ps != null) {
                    laneStarted(ps, table, start, consumer);
                }
            } else {
                started(tp, table, start, consumer);
            }
            if (!budget.paused && !opener.isOpening(tp) && !backoffPaused.contains(tp)) {
                consumer.resume(Set.of(tp));
            }
        });
    }

    /** Opens on the polling thread, retrying in place: the host loop that gave the bridge no consumer to pause. */
    PartitionState openHere(TopicPartition tp, Commands consumer) {
        if (routed) {
            return routedStart(tp, consumer); // detached: nothing is known, each table opens on its first record
        }
        String table = tableFor(tp);
        return started(tp, table, openWithRetry(table, tp), consumer);
    }

    /**
     * A routed partition's start: it resumes at Kafka's committed offset, and the tables that offset's metadata says
     * it fed begin to open (the partition stays paused until they are); other tables open on their first record.
     */
    private PartitionState routedStart(TopicPartition tp, Commands consumer) {
        OffsetAndMetadata committed = consumer.committedOffset(tp);
        PartitionState ps = new PartitionState(tp, tableFor(tp));
        ps.routes = new RoutedOffsets(committed == null ? -1 : committed.offset());
        Long skipped = skippedWhileOpening.remove(tp);
        if (committed != null) {
            consumer.seek(tp, committed.offset());
        } else if (skipped != null && consumer.attached()) {
            consumer.seek(tp, skipped);
        }
        open.put(tp, ps);
        ledger.changed();
        if (consumer.attached()) {
            for (String table : RoutedOffsets.tables(committed == null ? null : committed.metadata())) {
                opener.begin(tp, table);
            }
            if (!opener.isOpening(tp) && !budget.paused) {
                consumer.resume(Set.of(tp));
            }
        }
        log.debug("bridge {} holds {} (routed) from {}", s.name(), tp, committed);
        return ps;
    }

    /**
     * Routing sent a record of {@code ps} to {@code table}, which is not open: opened in place (no consumer: the host
     * loop's own thread), or begun on the opener thread with the partition paused. Returns the lane, or null while it
     * opens (the caller seeks the partition back to the record).
     */
    PartitionState openLane(PartitionState ps, String table, Commands consumer) {
        if (!consumer.attached()) {
            return laneStarted(ps, table, openWithRetry(table, ps.tp), consumer);
        }
        if (!opener.isOpening(ps.tp, table)) {
            consumer.pause(Set.of(ps.tp));
            opener.begin(ps.tp, table);
        }
        return null;
    }

    private PartitionState laneStarted(PartitionState ps, String table, PartitionStart start, Commands consumer) {
        PartitionState lane = new PartitionState(ps.tp, table);
        ps.routes.add(lane, start.nextOffset().orElse(-1));
        Long skipped = skippedWhileOpening.remove(ps.tp);
        if (skipped != null && consumer.attached()) {
            consumer.seek(ps.tp, skipped);
        }
        log.debug("bridge {} opened {} -> table {}: records below {} are already there", s.name(), ps.tp, table,
                lane.dropBelow);
        return lane;
    }

    private String tableFor(TopicPartition tp) {
        String table;
        try {
            table = s.tableNamer().tableName(tp.topic());
        } catch (RuntimeException e) {
            throw new BridgeConfigException("tableNamer", tp.topic(), "cannot name a table for topic '" + tp.topic()
                    + "': " + e.getMessage());
        }
        if (table == null || table.isBlank()) {
            throw new BridgeConfigException("tableNamer", tp.topic(), "returned no table name for topic '" + tp.topic() + "'");
        }
        return table;
    }

    /** The backend opened the partition: where it resumes (seek, or a seek target for the host), and its state. */
    private PartitionState started(TopicPartition tp, String table, PartitionStart start, Commands consumer) {
        PartitionState ps = new PartitionState(tp, table);
        if (start.nextOffset().isPresent()) {
            long next = start.nextOffset().getAsLong();
            // Kafka's commit is never ahead of durable data (we only commit durable offsets), so the larger of the two
            // is where Snowflake's data ends. Records a backend does not store (dead-lettered at the very end of a
            // range) may put Kafka ahead.
            OptionalLong committed = consumer.committed(tp);
            if (committed.isPresent() && committed.getAsLong() > next) {
                next = committed.getAsLong();
            }
            consumer.seek(tp, next);
            ps.nextOffset = next;
            ps.rangeStart = next;
            ledger.durable(ps, next);
        } else {
            Long skipped = skippedWhileOpening.get(tp);
            if (skipped != null && consumer.attached()) {
                consumer.seek(tp, skipped); // the backend holds nothing: from the first record passed over
            }
        }
        skippedWhileOpening.remove(tp);
        open.put(tp, ps);
        log.debug("bridge {} opened {} -> table {} at {}", s.name(), tp, table, start.nextOffset());
        return ps;
    }

    private PartitionStart openWithRetry(String table, TopicPartition tp) {
        try {
            // given back while its release still runs (it overran its wait): the release ends first
            releaser.after(tp).get(s.closeTimeout().toMillis() + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.ksbridge.BridgeClosedException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("bridge {}: opening {} while its earlier release still runs: {}", s.name(), tp, e.toString());
        }
        int attempt = 0;
        while (true) {
            try {
                PartitionStart start = backend.open(table, tp);
                if (start == null) {
                    throw new IllegalStateException("backend " + backend.name() + " returned null from open(" + tp + ")");
                }
                return start;
            } catch (IngestException e) {
                attempt++;
                if (!e.isRetriable() || !s.retryPolicy().allows(attempt) || lifecycle.closeRequested()) {
                    throw e;
                }
                Duration delay = s.retryPolicy().delay(attempt, ThreadLocalRandom.current().nextDouble());
                log.warn("opening {} in {} failed (attempt {}), retrying in {}: {}", tp, backend.name(), attempt, delay,
                        e.getMessage());
                sleep(delay);
            }
        }
    }

    /**
     * Lets revoked (or lost) partitions go. When {@code commit}, their buffers are flushed and waited for up to
     * {@code closeTimeout}, and what is durable is committed (or, with no consumer, handed to the host once); what
     * did not become durable in time is abandoned, never committed.
     */
    void revoke(Collection<TopicPartition> revoked, Commands consumer, boolean commit) {
        opener.cancel(revoked, this::releaseQuietly);
        skippedWhileOpening.keySet().removeAll(revoked);
        awaitingStart.removeAll(revoked);
        List<PartitionState> states = new ArrayList<>();
        for (TopicPartition tp : revoked) {
            PartitionState ps = open.get(tp);
            if (ps != null) {
                states.add(ps);
            }
        }
        if (commit) {
            List<PartitionState> lanes = lanesOf(states);
            for (PartitionState ps : lanes) {
                batches.flush(ps, "revoke", true);
            }
            long deadline = System.nanoTime() + s.closeTimeout().toNanos();
            batches.settle(lanes, () -> lanes.stream().noneMatch(PartitionState::hasPending), deadline,
                    lifecycle::haltRequested);
            Map<TopicPartition, OffsetAndMetadata> offsets = OffsetLedger.uncommitted(states);
            if (consumer.attached() && !offsets.isEmpty()) {
                try {
                    consumer.commitSync(offsets);
                    ledger.committed(open, offsets);
                } catch (org.apache.kafka.clients.consumer.CommitFailedException
                         | org.apache.kafka.common.errors.RebalanceInProgressException e) {
                    // The group moved on without us (we were too slow or too long gone): the partitions already have a
                    // new owner, who resumes from what Snowflake holds. Nothing is lost by not committing here.
                    log.warn("bridge {} could not commit revoked partitions {} (the group has already reassigned them): {}",
                            s.name(), offsets.keySet(), e.getMessage());
                }
            }
            if (!consumer.attached()) {
                ledger.handOut(offsets);
            }
        }
        List<Map.Entry<TopicPartition, String>> lanes = held(states);
        for (PartitionState ps : states) {
            drop(ps);
        }
        releaser.release(lanes, s.closeTimeout()); // all at once, waited for at most closeTimeout
        listener.onRevoked(Set.copyOf(revoked));
    }

    private void drop(PartitionState ps) {
        open.remove(ps.tp);
        ledger.forget(ps.tp);
        retryLog.forget(ps.tp);
        backoffPaused.remove(ps.tp);
        for (PartitionState lane : lanesOf(List.of(ps))) {
            batches.abandon(lane);
        }
    }

    void releaseQuietly(TopicPartition tp, String table) {
        releaser.releaseQuietly(List.of(Map.entry(tp, table)));
    }

    /** Releases the (partition, table) lanes in one backend call on the calling thread; never throws. */
    void releaseQuietly(List<Map.Entry<TopicPartition, String>> lanes) {
        releaser.releaseQuietly(lanes);
    }

    /** Every (partition, table) the bridge holds open in the backend. */
    static List<Map.Entry<TopicPartition, String>> held(Collection<PartitionState> partitions) {
        List<Map.Entry<TopicPartition, String>> out = new ArrayList<>();
        for (PartitionState lane : lanesOf(partitions)) {
            out.add(Map.entry(lane.tp, lane.table));
        }
        return out;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.ksbridge.BridgeClosedException("interrupted");
        }
    }
}
