package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.BridgeException;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's loop, on its own thread. It keeps this instance in the election group (a consumer of the offsets topic
 * in group {@code ksbridge-<name>}: the member assigned its one partition is the active instance), and while active,
 * for each table: probe the stream, consume it into a batch table by CTAS, publish the batch chunk by chunk in Kafka
 * transactions carrying the position, drop the batch. State changes only after a Kafka commit; any doubt (a Kafka
 * error, a failed statement) is resolved by reading the committed position back.
 */
final class SourceLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceLoop.class);
    private static final int RECHECK_EVERY_IDLE_POLLS = 20;
    private static final int MAX_CONSECUTIVE_FAILURES = 10;

    /** One table's state while this instance is active. */
    private static final class TableState {
        final TableSpec spec;
        Position position;
        SnowflakeObjects objects;
        List<String> key;
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

    /** This instance lost the active role (fenced, or its partition revoked). */
    private static final class NotLeader extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotLeader(String why, Throwable cause) {
            super(why, cause);
        }
    }

    private final SourceSettings s;
    private final SqlApiClient sql;
    private final Hook hook;
    private final PositionStore positions;
    private final Map<String, TableState> tables = new LinkedHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile boolean active;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private boolean assigned;
    private KafkaProducer<byte[], byte[]> producer;
    private int failures;

    SourceLoop(SourceSettings settings, SqlApiClient sql, Hook hook) {
        this.s = settings;
        this.sql = sql;
        this.hook = hook;
        this.positions = new PositionStore(settings);
        for (TableSpec t : settings.tables()) {
            tables.put(t.table(), new TableState(t));
        }
    }

    Throwable failure() {
        return failure.get();
    }

    boolean isActive() {
        return active;
    }

    void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        boolean crashed = false;
        try {
            positions.ensureTopic();
            consumer = new KafkaConsumer<>(electionProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(s.offsetsTopic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (partitions.contains(positions.partition())) {
                        assigned = false;
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    consumer.pause(partitions); // membership only: the election consumer reads nothing
                    if (partitions.contains(positions.partition())) {
                        assigned = true;
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            });
            boolean idle = true;
            while (running) {
                consumer.poll(idle ? (active ? s.pollInterval() : Duration.ofMillis(200)) : Duration.ZERO);
                if (!assigned) {
                    stepDown("the election partition is assigned elsewhere");
                    idle = true;
                    continue;
                }
                try {
                    if (producer == null) {
                        becomeActive();
                    }
                    boolean worked = false;
                    for (TableState t : tables.values()) {
                        worked |= step(t);
                    }
                    idle = !worked;
                    failures = 0;
                } catch (NotLeader e) {
                    LOG.info("bridge {}: no longer the active instance ({})", s.name(), e.getMessage());
                    stepDown(e.getMessage());
                    idle = true;
                } catch (KafkaException e) {
                    if (e instanceof WakeupException) {
                        throw e;
                    }
                    retryLater(e, true);
                    idle = true;
                } catch (SnowflakeSqlException e) {
                    if (!e.isRetriable()) {
                        throw e;
                    }
                    retryLater(e, false);
                    idle = true;
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (Hook.Crash e) {
            crashed = true;
            failure.set(e);
        } catch (Throwable e) {
            if (e instanceof Error && !(e instanceof AssertionError)) {
                failure.set(e);
                throw (Error) e;
            }
            failure.set(e);
            LOG.error("bridge {} stopped: {}", s.name(), e.toString());
            notify(() -> s.listener().onFailure(e));
        } finally {
            closeClients(crashed);
        }
    }

    /** A transient failure: count it, and resolve any doubt about Kafka state by re-reading the position. */
    private void retryLater(RuntimeException e, boolean kafka) {
        failures++;
        if (failures >= MAX_CONSECUTIVE_FAILURES) {
            throw new BridgeException("bridge " + s.name() + " gave up after " + failures + " consecutive failures; the last: "
                    + e.getMessage(), e);
        }
        LOG.warn("bridge {}: {} (attempt {}; retrying)", s.name(), e.toString(), failures);
        for (TableState t : tables.values()) {
            t.reconcile = true;
        }
        if (kafka) {
            closeProducer(false); // the next round re-reads the committed positions
        }
    }

    private Map<String, Object> electionProperties() {
        Map<String, Object> props = new HashMap<>(s.consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) s.electionTimeout().toMillis());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) Math.min(45_000, Math.max(6_000, s.electionTimeout().toMillis())));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // a member joining or leaving does not take the partition from the active instance (no needless re-fencing)
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return props;
    }

    private void becomeActive() {
        Map<String, Object> props = new HashMap<>(s.producerProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (s.transactional()) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, s.transactionalId());
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) s.transactionTimeout().toMillis());
        }
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            if (s.transactional()) {
                producer.initTransactions(); // fences every earlier incarnation and aborts its open transaction
            }
            Map<String, Position> committed = positions.read(s.transactionTimeout().plusSeconds(30));
            for (TableState t : tables.values()) {
                t.position = committed.get(t.spec.table());
                t.ready = false;
                t.batchExists = false;
                t.reconcile = true;
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new NotLeader("fenced while starting", e);
        }
        active = true;
        LOG.info("bridge {}: active", s.name());
        notify(() -> s.listener().onLeadership(true));
    }

    private void stepDown(String why) {
        if (producer != null) {
            closeProducer(false);
        }
        if (active) {
            LOG.info("bridge {}: standing by ({})", s.name(), why);
            active = false;
            notify(() -> s.listener().onLeadership(false));
        }
    }

    /** Polls the election group at once, so a revocation is known before a Snowflake write. */
    private void requireLeader() {
        consumer.poll(Duration.ZERO);
        if (!assigned) {
            throw new NotLeader("the election partition was revoked", null);
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
                requireLeader();
                hook.at(Hook.Step.BEFORE_CTAS, t.spec.table(), 0);
                t.reconcile = true; // until known: the CTAS may have run even if its answer is lost
                t.objects.snapshotInto(t.position.t0(), t.key.isEmpty() ? List.of(t.objects.columns().get(0)) : t.key);
                hook.at(Hook.Step.AFTER_CTAS, t.spec.table(), 0);
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
            requireLeader();
            hook.at(Hook.Step.BEFORE_CTAS, t.spec.table(), t.position.seq());
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
            hook.at(Hook.Step.AFTER_CTAS, t.spec.table(), t.position.seq());
            created(t);
            return true;
        }
        return publish(t);
    }

    private SnowflakeObjects objects(TableState t) {
        return new SnowflakeObjects(sql, s.name(), t.spec.table(), s.source().stagingSchema(), t.position.uid());
    }

    /** First start for a table: change tracking checked, T0 chosen and committed before any object is made. */
    private void start(TableState t) {
        SnowflakeObjects probe = new SnowflakeObjects(sql, s.name(), t.spec.table(), s.source().stagingSchema(), "-");
        ensureTracking(probe, t.spec.table());
        long t0 = probe.now();
        String uid = UUID.randomUUID().toString().substring(0, 8);
        Position p = s.snapshot() == Snapshot.INITIAL ? new Position(uid, 0, 1, 0, t0, null) : new Position(uid, 1, 0, 0, t0, null);
        commit(t, List.of(), p);
        t.objects = objects(t);
        t.ready = false;
        t.batchExists = false;
        t.reconcile = false;
    }

    private void ensureTracking(SnowflakeObjects objects, String table) {
        SqlResult info = objects.describeSource();
        if (info == null) {
            throw new BridgeException("the source table " + table + " does not exist, or the role "
                    + s.account().role().orElse("(default)") + " may not see it");
        }
        if (!"ON".equalsIgnoreCase(info.get(0, "change_tracking"))) {
            try {
                objects.enableChangeTracking();
            } catch (SnowflakeSqlException e) {
                throw new BridgeException("change tracking is off on " + table + " and the role " + s.account().role().orElse("(default)")
                        + " cannot turn it on (only the table's owner, " + info.get(0, "owner") + ", can). Ask the owner to run: ALTER TABLE "
                        + table + " SET CHANGE_TRACKING = TRUE", e);
            }
        }
    }

    /** Key columns, the stream (created at T0 if missing), and a staleness check. */
    private void prepare(TableState t) {
        t.key = t.spec.keyColumns().isEmpty() ? t.objects.primaryKey() : t.spec.keyColumns();
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
            notify(() -> s.listener().onBatch(new SourceListener.BatchEvent(t.spec.table(), seq, seq == 0, true)));
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
        notify(() -> s.listener().onBatch(new SourceListener.BatchEvent(t.spec.table(), seq, seq == 0, false)));
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
        ensureTracking(old, t.spec.table());
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

    /** One group of rows of a batch: a change of one ROW_ID (an update is a DELETE row then an INSERT row). */
    private record Unit(long lastRow, long firstRow, String rowId, ObjectNode before, ObjectNode after) {
    }

    /** Publishes the next chunk of the current batch in one transaction; true (work was done). */
    private boolean publish(TableState t) {
        Position p = t.position;
        boolean snapshot = p.seq() == 0;
        SqlResult page = t.objects.page(p.seq(), p.after(), s.maxTransactionRows());
        List<Unit> units = units(page, snapshot, page.rowCount() == s.maxTransactionRows());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long bytes = 0;
        long last = p.after();
        boolean all = true;
        for (Unit u : units) {
            List<ProducerRecord<byte[], byte[]>> out = records(t, u, p.pass(), snapshot);
            long size = 0;
            for (ProducerRecord<byte[], byte[]> r : out) {
                size += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
            }
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
        notify(() -> s.listener().onCommit(new SourceListener.CommitEvent(t.spec.table(), p.seq(), count, finished, lag)));
        if (done) {
            hook.at(Hook.Step.BEFORE_DROP, t.spec.table(), p.seq());
            t.batchExists = false;
            t.objects.drop(p.seq());
        } else {
            hook.at(Hook.Step.AFTER_COMMIT, t.spec.table(), p.seq());
        }
        return true;
    }

    /** Groups a page's rows by ROW_ID; a full page's last update half waits for the next page (its pair is there). */
    private List<Unit> units(SqlResult page, boolean snapshot, boolean full) {
        List<SqlResult.Column> cols = page.columnTypes();
        int action = page.columnIndex(SnowflakeObjects.ACTION);
        int isUpdate = page.columnIndex(SnowflakeObjects.IS_UPDATE);
        int rowId = page.columnIndex(SnowflakeObjects.ROW_ID);
        int ordinal = page.columnIndex(SnowflakeObjects.ROW);
        List<Unit> out = new ArrayList<>();
        Unit open = null;
        for (List<String> row : page.rows()) {
            long n = Long.parseLong(row.get(ordinal));
            ObjectNode image = Json.MAPPER.createObjectNode();
            for (int i = 0; i < cols.size(); i++) {
                String name = cols.get(i).name();
                if (i != ordinal && !name.startsWith("METADATA$")) {
                    image.set(name, decode(cols.get(i), row.get(i), n));
                }
            }
            if (snapshot) {
                out.add(new Unit(n, n, null, null, image));
                continue;
            }
            String id = row.get(rowId);
            boolean delete = "DELETE".equals(row.get(action));
            if (open != null && open.rowId().equals(id) && !delete) {
                out.add(new Unit(n, open.firstRow(), id, open.before(), image));
                open = null;
                continue;
            }
            if (open != null) {
                out.add(open);
                open = null;
            }
            if (delete && "true".equalsIgnoreCase(row.get(isUpdate))) {
                open = new Unit(n, n, id, image, null);
            } else {
                out.add(delete ? new Unit(n, n, id, image, null) : new Unit(n, n, id, null, image));
            }
        }
        if (open != null && !full) {
            out.add(open);
        }
        return out;
    }

    private static JsonNode decode(SqlResult.Column column, String text, long row) {
        try {
            return TextValues.decode(column, text);
        } catch (IllegalArgumentException e) {
            throw new BridgeException("batch row " + row + ": " + e.getMessage(), e);
        }
    }

    /** The records of one unit in one pass: pass 0 emits delete images, pass 1 insert images. */
    private List<ProducerRecord<byte[], byte[]>> records(TableState t, Unit u, int pass, boolean snapshot) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
        ObjectNode oldKey = key(t, u.before());
        ObjectNode newKey = key(t, u.after());
        boolean keyChanged = u.before() != null && u.after() != null && !Objects.equals(oldKey, newKey);
        if (pass == 0) {
            if (u.before() != null && (u.after() == null || keyChanged)) {
                ChangeEvent e = new ChangeEvent(ChangeEvent.Op.DELETE, t.spec.table(), oldKey, u.before(), null, t.position.seq(),
                        u.firstRow(), u.rowId(), t.batchMillis);
                if (s.deletes().event()) {
                    out.add(record(t, e, s.format().value(e)));
                }
                if (s.deletes().tombstone() && oldKey != null) {
                    out.add(record(t, e, null));
                }
            }
            return out;
        }
        if (u.after() == null) {
            return out;
        }
        ChangeEvent.Op op = snapshot ? ChangeEvent.Op.READ : u.before() != null && !keyChanged ? ChangeEvent.Op.UPDATE
                : ChangeEvent.Op.CREATE;
        ChangeEvent e = new ChangeEvent(op, t.spec.table(), newKey, op == ChangeEvent.Op.UPDATE ? u.before() : null, u.after(),
                t.position.seq(), u.firstRow(), u.rowId(), t.batchMillis);
        out.add(record(t, e, s.format().value(e)));
        return out;
    }

    private ProducerRecord<byte[], byte[]> record(TableState t, ChangeEvent e, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ksb.op", (value == null ? "tombstone" : e.op().code()).getBytes(StandardCharsets.UTF_8));
        headers.add("ksb.table", e.table().getBytes(StandardCharsets.UTF_8));
        headers.add("ksb.position", (e.seq() + ":" + e.row()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(t.spec.topic(), null, null, s.format().key(e), value, headers);
    }

    private static ObjectNode key(TableState t, ObjectNode image) {
        if (image == null || t.key.isEmpty()) {
            return null;
        }
        ObjectNode k = Json.MAPPER.createObjectNode();
        for (String c : t.key) {
            JsonNode v = image.get(c);
            if (v == null) {
                throw new BridgeException("table " + t.spec.table() + " has no key column " + c + " (columns: "
                        + iterable(image) + ")");
            }
            k.set(c, v);
        }
        return k;
    }

    private static List<String> iterable(ObjectNode image) {
        List<String> names = new ArrayList<>();
        image.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Sends the records and the position in one transaction (or, not transactional, records first, then position). */
    private void commit(TableState t, List<ProducerRecord<byte[], byte[]>> records, Position next) {
        ProducerRecord<byte[], byte[]> position = new ProducerRecord<>(s.offsetsTopic(), 0, positions.key(t.spec.table()), next.toJson());
        try {
            if (s.transactional()) {
                producer.beginTransaction();
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(r);
                }
                producer.send(position);
                // commitTransaction flushes first anyway; flushing here puts the records in the log before the step
                // a kill may interrupt, as a real kill after the sends completed would leave them (aborted, unread
                // by read_committed consumers)
                producer.flush();
                hook.at(Hook.Step.BEFORE_COMMIT, t.spec.table(), t.position == null ? 0 : t.position.seq());
                producer.commitTransaction();
            } else {
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (ProducerRecord<byte[], byte[]> r : records) {
                    sent.add(producer.send(r));
                }
                producer.flush();
                await(sent);
                hook.at(Hook.Step.BEFORE_COMMIT, t.spec.table(), t.position == null ? 0 : t.position.seq());
                await(List.of(producer.send(position)));
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new NotLeader("fenced by a newer instance", e);
        }
        t.position = next;
    }

    private static void await(List<java.util.concurrent.Future<?>> sent) {
        for (java.util.concurrent.Future<?> f : sent) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while sending", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof KafkaException ? (KafkaException) e.getCause() : new KafkaException(e.getCause());
            }
        }
    }

    private void closeProducer(boolean crashed) {
        KafkaProducer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(crashed ? Duration.ZERO : Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the producer: {}", e.toString());
            }
        }
        for (TableState t : tables.values()) {
            t.position = null;
            t.objects = null;
            t.ready = false;
        }
    }

    private void closeClients(boolean crashed) {
        closeProducer(crashed);
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            try {
                c.close(crashed ? Duration.ZERO : Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the election consumer: {}", e.toString());
            }
        }
        if (active) {
            active = false;
            if (!crashed) {
                notify(() -> s.listener().onLeadership(false));
            }
        }
    }

    private void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("bridge {}: a listener threw {}; ignored", s.name(), e.toString());
        }
    }
}
