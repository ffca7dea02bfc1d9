package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.BridgeException;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed-stream source ({@link ChangeSource#stream()}), for each table: probe the stream, consume it into a batch
 * table by CTAS, publish the batch chunk by chunk in Kafka transactions carrying the position, drop the batch. State
 * changes only after a Kafka commit; any doubt (a Kafka error, a failed statement) is resolved by reading the committed
 * position back. Called on the bridge's thread.
 */
final class StreamMode implements SourceMode {
    private static final Logger LOG = LoggerFactory.getLogger(StreamMode.class);
    private static final int RECHECK_EVERY_IDLE_POLLS = 20;

    /** One table's state while this instance is active. */
    private static final class TableState {
        final TableSpec spec;
        Position position;
        SnowflakeObjects objects;
        List<String> key;
        ChangeRecords.Target target;
        boolean ready;
        boolean batchExists;
        boolean reconcile = true;
        String created;
        long batchMillis;
        int idlePolls;

        TableState(TableSpec spec) {
            this.spec = spec;
        }
    }

    private final SourceContext c;
    private final SourceSettings s;
    private final Map<String, TableState> tables = new LinkedHashMap<>();

    StreamMode(SourceContext context) {
        this.c = context;
        this.s = context.s();
        for (TableSpec t : s.tables()) {
            tables.put(t.table(), new TableState(t));
        }
    }

    @Override
    public void activate(Map<String, JsonNode> committed) {
        for (TableState t : tables.values()) {
            JsonNode v = committed.get(t.spec.table());
            if (v != null && v.hasNonNull("mode") && !"stream".equals(v.path("mode").asText())) {
                throw new BridgeException("the position of table " + t.spec.table() + " in " + s.offsetsTopic()
                        + " was written by the '" + v.path("mode").asText() + "' source, and this bridge manages a stream;"
                        + " give the bridge another name, or delete the table's position from the topic to start it over");
            }
            t.position = v == null ? null : Position.parse(v);
            t.ready = false;
            t.batchExists = false;
            t.reconcile = true;
        }
    }

    @Override
    public boolean step() {
        boolean worked = false;
        for (TableState t : tables.values()) {
            worked |= step(t);
        }
        return worked;
    }

    @Override
    public void doubt() {
        for (TableState t : tables.values()) {
            t.reconcile = true;
        }
    }

    @Override
    public void deactivate() {
        for (TableState t : tables.values()) {
            t.position = null;
            t.objects = null;
            t.ready = false;
        }
    }

    /** One unit of work for a table; true when it did something (so the loop should not sleep). */
    private boolean step(TableState t) {
        if (t.position == null) {
            start(t);
            return true;
        }
        if (t.objects == null) {
            t.objects = objects(t);
        }
        if (!t.ready) {
            prepare(t);
        }
        if (t.reconcile) {
            reconcile(t);
        }
        if (!t.batchExists) {
            if (t.position.seq() == 0) {
                c.requireLeader().run();
                c.hook().at(Hook.Step.BEFORE_CTAS, t.spec.table(), 0);
                t.reconcile = true; // until known: the CTAS may have run even if its answer is lost
                t.objects.snapshotInto(t.position.t0(), t.key.isEmpty() ? List.of(t.objects.columns().get(0)) : t.key);
                c.hook().at(Hook.Step.AFTER_CTAS, t.spec.table(), 0);
                created(t);
                return true;
            }
            boolean has;
            try {
                has = t.objects.hasData();
            } catch (SnowflakeSqlException e) {
                if (isStale(e)) {
                    stale(t, e.getMessage());
                    return true;
                }
                throw e;
            }
            if (!has) {
                if (++t.idlePolls % RECHECK_EVERY_IDLE_POLLS == 0) {
                    t.reconcile = true; // a fenced predecessor may have made a batch meanwhile
                    String why = t.objects.staleness();
                    if (why != null) {
                        stale(t, why);
                    }
                }
                return false;
            }
            c.requireLeader().run();
            c.hook().at(Hook.Step.BEFORE_CTAS, t.spec.table(), t.position.seq());
            t.reconcile = true;
            try {
                t.objects.consumeInto(t.position.seq());
            } catch (SnowflakeSqlException e) {
                if (isStale(e)) {
                    stale(t, e.getMessage());
                    return true;
                }
                throw e;
            }
            c.hook().at(Hook.Step.AFTER_CTAS, t.spec.table(), t.position.seq());
            created(t);
            return true;
        }
        return publish(t);
    }

    private SnowflakeObjects objects(TableState t) {
        return new SnowflakeObjects(c.sql(), s.name(), t.spec.table(), s.source().stagingSchema(), t.position.uid());
    }

    /** First start for a table: change tracking checked, T0 chosen and committed before any object is made. */
    private void start(TableState t) {
        SnowflakeObjects probe = new SnowflakeObjects(c.sql(), s.name(), t.spec.table(), s.source().stagingSchema(), "-");
        c.ensureTracking(probe, t.spec.table(), true);
        long t0 = probe.now();
        String uid = UUID.randomUUID().toString().substring(0, 8);
        Position p = s.snapshot() == Snapshot.INITIAL ? new Position(uid, 0, 1, 0, t0, null) : new Position(uid, 1, 0, 0, t0, null);
        commit(t, List.of(), p);
        t.objects = objects(t);
        t.ready = false;
        t.batchExists = false;
        t.reconcile = false;
    }

    /** Key columns, the stream (created at T0 if missing), and a staleness check. */
    private void prepare(TableState t) {
        t.key = t.spec.keyColumns().isEmpty() ? t.objects.primaryKey() : t.spec.keyColumns();
        t.target = new ChangeRecords.Target(t.spec.table(), t.spec.topic(), t.key);
        if (t.key.isEmpty()) {
            LOG.warn("bridge {}: table {} has no key columns and no declared primary key; its records have no key", s.name(),
                    t.spec.table());
        }
        try {
            t.objects.createStream(t.position.t0(), s.source().isAppendOnly());
        } catch (SnowflakeSqlException e) {
            if (!e.isRetriable() && ("000707".equals(e.code()) || isStale(e))) {
                stale(t, e.getMessage());
                return;
            }
            throw e;
        }
        String why = t.objects.staleness();
        if (why != null) {
            stale(t, why);
            return;
        }
        t.ready = true;
    }

    /**
     * Matches the batch tables in Snowflake with the position: batch {@code seq} is resumed; the leftover of
     * {@code seq - 1} (the same table the position names) is dropped; any other lower one was made by a fenced
     * predecessor after its batch was published, holds consumed changes, and is adopted as the next batch.
     */
    private void reconcile(TableState t) {
        TreeMap<Long, String> found = t.objects.batches();
        long seq = t.position.seq();
        t.batchExists = found.containsKey(seq);
        if (t.batchExists) {
            t.created = found.get(seq);
            t.batchMillis = SnowflakeObjects.millis(t.created);
            c.notify(() -> s.listener().onBatch(new SourceListener.BatchEvent(t.spec.table(), seq, seq == 0, true)));
        }
        for (Map.Entry<Long, String> e : found.headMap(seq).entrySet()) {
            boolean leftover = e.getKey() == seq - 1 && Objects.equals(e.getValue(), t.position.prevCreated());
            if (leftover) {
                t.objects.drop(e.getKey());
            } else if (!t.batchExists && seq > 0) {
                LOG.warn("bridge {}: batch {} of {} was made by a fenced instance after its position moved on; publishing it as"
                        + " batch {}", s.name(), e.getKey(), t.spec.table(), seq);
                t.objects.rename(e.getKey(), seq);
                t.reconcile = true;
                reconcile(t);
                return;
            }
        }
        t.reconcile = false;
    }

    /** After this instance's CTAS: the batch table now exists (made by it, or by a predecessor, IF NOT EXISTS). */
    private void created(TableState t) {
        long seq = t.position.seq();
        TreeMap<Long, String> found = t.objects.batches();
        if (!found.containsKey(seq)) {
            // renamed or dropped by a newer active instance since (this one is then fenced at its next Kafka call)
            LOG.warn("bridge {}: the batch table {} is gone right after its CREATE TABLE; re-reading what exists", s.name(),
                    t.objects.batch(seq));
            t.reconcile = true;
            return;
        }
        t.created = found.get(seq);
        t.batchMillis = SnowflakeObjects.millis(t.created);
        t.batchExists = true;
        t.reconcile = false;
        t.idlePolls = 0;
        c.notify(() -> s.listener().onBatch(new SourceListener.BatchEvent(t.spec.table(), seq, seq == 0, false)));
    }

    private static boolean isStale(SnowflakeSqlException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("stale") || "000707".equals(e.code());
    }

    private void stale(TableState t, String why) {
        String stream = t.objects.stream();
        if (s.onStale() == Stale.FAIL_FAST) {
            throw new StaleStreamException("the stream " + stream + " of table " + t.spec.table() + " is stale (" + why
                    + "): Snowflake no longer holds the changes it had not consumed. Restart the bridge with onStale("
                    + "Stale.resnapshot()) to publish a new snapshot and go on, or delete the table's position from "
                    + s.offsetsTopic() + " to start it over.");
        }
        LOG.warn("bridge {}: the stream {} of {} is stale ({}); publishing a new snapshot", s.name(), stream, t.spec.table(), why);
        SnowflakeObjects old = t.objects;
        c.ensureTracking(old, t.spec.table(), true);
        String uid = UUID.randomUUID().toString().substring(0, 8);
        commit(t, List.of(), new Position(uid, 0, 1, 0, old.now(), null));
        for (Long seq : old.batches().keySet()) {
            old.drop(seq);
        }
        old.dropStream();
        t.objects = objects(t);
        t.ready = false;
        t.batchExists = false;
        t.reconcile = true;
    }

    /** Publishes the next chunk of the current batch in one transaction; true (work was done). */
    private boolean publish(TableState t) {
        Position p = t.position;
        boolean snapshot = p.seq() == 0;
        SqlResult page = t.objects.page(p.seq(), p.after(), s.maxTransactionRows());
        List<ChangeRecords.Unit> units = c.records().units(page, snapshot, page.rowCount() == s.maxTransactionRows(), p.after());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long bytes = 0;
        long last = p.after();
        boolean all = true;
        for (ChangeRecords.Unit u : units) {
            List<ProducerRecord<byte[], byte[]>> out = c.records().records(t.target, u, p.pass(), snapshot, p.seq(), t.batchMillis);
            long size = ChangeRecords.bytes(out);
            if (!records.isEmpty() && bytes + size > s.maxTransactionBytes()) {
                all = false;
                break;
            }
            records.addAll(out);
            bytes += size;
            last = u.lastRow();
        }
        boolean end = all && page.rowCount() < s.maxTransactionRows();
        Position next;
        boolean done = false;
        if (end && p.pass() == 0) {
            next = p.at(1, 0);
        } else if (end) {
            next = p.nextBatch(t.created);
            done = true;
        } else {
            next = p.at(p.pass(), last);
        }
        if (records.isEmpty() && !done) {
            t.position = next; // nothing to publish in this range: re-reading it after a restart gives nothing again
            return true;
        }
        commit(t, records, next);
        int count = records.size();
        boolean finished = done;
        long lag = Math.max(0, System.currentTimeMillis() - t.batchMillis);
        c.notify(() -> s.listener().onCommit(new SourceListener.CommitEvent(t.spec.table(), p.seq(), count, finished, lag)));
        if (done) {
            c.hook().at(Hook.Step.BEFORE_DROP, t.spec.table(), p.seq());
            t.batchExists = false;
            t.objects.drop(p.seq());
        } else {
            c.hook().at(Hook.Step.AFTER_COMMIT, t.spec.table(), p.seq());
        }
        return true;
    }

    /** Sends the records and the next position in one transaction; the position moves only once it committed. */
    private void commit(TableState t, List<ProducerRecord<byte[], byte[]>> records, Position next) {
        c.publisher().commit(t.spec.table(), records, next.toJson(), t.position == null ? 0 : t.position.seq());
        t.position = next;
    }
}
