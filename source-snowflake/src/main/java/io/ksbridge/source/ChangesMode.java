package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.BridgeException;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only source ({@link ChangeSource#changes()}), for each table: read the window from the committed position
 * P to Q (Snowflake's clock minus the settle lag) with the CHANGES clause, and publish it in one Kafka transaction
 * that moves the position to Q. A window of more than {@code maxTransactionRows} rows (or bytes) is halved in time
 * until it fits, since its rows have no order across commits and a window is published whole; a one-millisecond
 * window that still does not fit is published in pages, each with its row in the position. The first start publishes
 * a snapshot at T0 and goes on with the changes after T0. Snowflake holds no state of the bridge: the committed
 * position is the whole truth, so a restart re-reads the window after it. Called on the bridge's thread.
 */
final class ChangesMode implements SourceMode {
    private static final Logger LOG = LoggerFactory.getLogger(ChangesMode.class);

    /** One table's state while this instance is active. */
    private static final class TableState {
        final TableSpec spec;
        ChangesPosition position;
        SnowflakeObjects objects;
        List<String> key;
        List<String> order;
        ChangeRecords.Target target;
        /** When the first start was tried (Snowflake's clock), or -1: a young table's start is retried for a while. */
        long firstStart = -1;

        TableState(TableSpec spec) {
            this.spec = spec;
        }
    }

    private final SourceContext c;
    /** How long past twice the settle lag a young table's first start is retried (see {@link #start}). */
    static final long YOUNG_GRACE_MS = 10_000;

    private final SourceSettings s;
    private final long settle;
    private final Map<String, TableState> tables = new LinkedHashMap<>();

    ChangesMode(SourceContext context) {
        this.c = context;
        this.s = context.s();
        this.settle = s.source().settle().toMillis();
        for (TableSpec t : s.tables()) {
            tables.put(t.table(), new TableState(t));
        }
    }

    @Override
    public void activate(Map<String, JsonNode> committed) {
        for (TableState t : tables.values()) {
            JsonNode v = committed.get(t.spec.table());
            if (v != null && !ChangesPosition.MODE.equals(v.path("mode").asText())) {
                throw new BridgeException("the position of table " + t.spec.table() + " in " + s.offsetsTopic() + " was written by"
                        + " the '" + v.path("mode").asText() + "' source, and this bridge reads the CHANGES clause; give the"
                        + " bridge another name, or delete the table's position from the topic to start it over");
            }
            t.position = v == null ? null : ChangesPosition.parse(v);
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
        // nothing to resolve: Snowflake holds no state of this mode, and the position moves only after a Kafka commit
    }

    @Override
    public void deactivate() {
        for (TableState t : tables.values()) {
            t.position = null;
        }
    }

    private boolean step(TableState t) {
        if (t.objects == null) {
            prepare(t);
        }
        try {
            if (t.position == null) {
                return start(t);
            }
            if (t.position.snapshot()) {
                return snapshotPage(t);
            }
            if (t.position.paging()) {
                return windowPage(t);
            }
            return window(t);
        } catch (SnowflakeSqlException e) {
            if (isStale(e)) {
                stale(t, e.getMessage());
                return true;
            }
            throw e;
        }
    }

    /** Change tracking checked (never turned on: this mode is read-only), key columns and snapshot order found. */
    private void prepare(TableState t) {
        SnowflakeObjects objects = new SnowflakeObjects(c.sql(), s.name(), t.spec.table(), null, "-");
        c.ensureTracking(objects, t.spec.table(), false);
        t.key = t.spec.keyColumns().isEmpty() ? objects.primaryKey() : t.spec.keyColumns();
        if (t.key.isEmpty()) {
            LOG.warn("bridge {}: table {} has no key columns and no declared primary key; its records have no key", s.name(),
                    t.spec.table());
        }
        List<String> order = new ArrayList<>(t.key);
        for (String col : objects.columns()) {
            if (!order.contains(col)) {
                order.add(col); // a total order even when the (unenforced) key has duplicates
            }
        }
        t.order = order;
        t.target = new ChangeRecords.Target(t.spec.table(), t.spec.topic(), t.key);
        t.objects = objects;
    }

    /**
     * First start for a table: T0 from Snowflake's clock, checked readable (one empty CHANGES window at T0: the table
     * and its change tracking are older than T0), committed before anything is read. A table created, or whose change
     * tracking was turned on, less than the settle lag ago is not readable at T0 yet (000707, "before the object
     * creation time"): nothing is committed and the start is tried again on the next poll, with a later T0, for up to
     * twice the settle lag plus {@link #YOUNG_GRACE_MS}; after that it is stale as any unreadable position is.
     *
     * @return true when T0 was committed (work was done), false when the start waits for a young table
     */
    private boolean start(TableState t) {
        long now = t.objects.now();
        long t0 = now - settle;
        try {
            t.objects.changes(t0, t0, s.source().isAppendOnly(), 1, 0);
        } catch (SnowflakeSqlException e) {
            if (t.firstStart < 0) {
                t.firstStart = now;
            }
            if (isStale(e) && now - t.firstStart <= 2 * settle + YOUNG_GRACE_MS) {
                LOG.info("bridge {}: table {} is not readable at T0 {} yet (created, or its change tracking turned on,"
                        + " less than the settle lag ago?): {}; trying again", s.name(), t.spec.table(),
                        Instant.ofEpochMilli(t0), e.getMessage());
                return false;
            }
            throw e;
        }
        commit(t, List.of(), s.snapshot() == Snapshot.INITIAL ? ChangesPosition.snapshotAt(t0) : ChangesPosition.from(t0));
        t.firstStart = -1;
        return true;
    }

    /** Publishes the next page of the snapshot at T0 ({@code op: r}); true (work was done). */
    private boolean snapshotPage(TableState t) {
        ChangesPosition p = t.position;
        SqlResult page = t.objects.snapshotPage(p.atMillis(), t.order, s.maxTransactionRows(), p.after());
        c.hook().at(Hook.Step.AFTER_READ, t.spec.table(), page.rowCount());
        List<ChangeRecords.Unit> units = c.records().units(page, true, false, p.after());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long last = fill(t, units, 1, true, p.atMillis(), p.after(), s.maxTransactionBytes(), records);
        boolean end = last == p.after() + page.rowCount() && page.rowCount() < s.maxTransactionRows();
        commit(t, records, end ? ChangesPosition.from(p.atMillis()) : p.snapshotAfter(last));
        notifyCommit(t, p.atMillis(), records.size(), end, 0);
        return true;
    }

    /**
     * Reads the window from the position to Snowflake's clock minus the settle lag, halved until it fits, and publishes
     * it in one transaction; false when the window was the whole backlog (the loop may sleep).
     */
    private boolean window(TableState t) {
        long from = t.position.atMillis();
        long now = t.objects.now();
        long end = now - settle;
        if (end <= from) {
            return false;
        }
        int max = s.maxTransactionRows();
        boolean halved = false;
        while (true) {
            SqlResult rows = t.objects.changes(from, end, s.source().isAppendOnly(), max + 1, 0);
            c.hook().at(Hook.Step.AFTER_READ, t.spec.table(), rows.rowCount());
            List<ProducerRecord<byte[], byte[]>> records = null;
            if (rows.rowCount() <= max) {
                List<ChangeRecords.Unit> units = c.records().units(rows, false, false, 0);
                records = new ArrayList<>();
                fill(t, units, 0, false, end, 0, Long.MAX_VALUE, records);
                fill(t, units, 1, false, end, 0, Long.MAX_VALUE, records);
                if (ChangeRecords.bytes(records) > s.maxTransactionBytes() && units.size() > 1) {
                    records = null;
                }
            }
            if (records != null) {
                commit(t, records, ChangesPosition.from(end));
                notifyCommit(t, end, records.size(), true, now - end);
                return halved;
            }
            if (end - from <= 1) {
                LOG.info("bridge {}: the changes of {} at {} hold more than one transaction's rows or bytes; publishing them"
                        + " in pages", s.name(), t.spec.table(), Instant.ofEpochMilli(end));
                t.position = t.position.page(end, 0, 0); // not committed: nothing published yet
                return true;
            }
            end = from + (end - from) / 2;
            halved = true;
        }
    }

    /** Publishes the next page of a one-millisecond window too large for one transaction; true (work was done). */
    private boolean windowPage(TableState t) {
        ChangesPosition p = t.position;
        int max = s.maxTransactionRows();
        SqlResult page = t.objects.changes(p.atMillis(), p.endMillis(), s.source().isAppendOnly(), max, p.after());
        c.hook().at(Hook.Step.AFTER_READ, t.spec.table(), page.rowCount());
        boolean full = page.rowCount() == max;
        List<ChangeRecords.Unit> units = c.records().units(page, false, full, p.after());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long last = fill(t, units, p.pass(), false, p.endMillis(), p.after(), s.maxTransactionBytes(), records);
        boolean all = units.isEmpty() || last == units.get(units.size() - 1).lastRow();
        boolean endOfPass = all && !full;
        ChangesPosition next;
        boolean done = false;
        if (endOfPass && p.pass() == 0) {
            next = p.page(p.endMillis(), 1, 0);
        } else if (endOfPass) {
            next = ChangesPosition.from(p.endMillis());
            done = true;
        } else {
            next = p.page(p.endMillis(), p.pass(), last);
        }
        if (records.isEmpty() && !done) {
            t.position = next; // nothing to publish in this range: re-reading it after a restart gives nothing again
            return true;
        }
        commit(t, records, next);
        notifyCommit(t, p.endMillis(), records.size(), done, 0);
        return true;
    }

    /**
     * Adds the records of units in one pass, up to {@code maxBytes} (at least one unit's); returns the last row of the
     * last unit added, or {@code after} when none was.
     */
    private long fill(TableState t, List<ChangeRecords.Unit> units, int pass, boolean snapshot, long seq, long after,
                      long maxBytes, List<ProducerRecord<byte[], byte[]>> records) {
        long bytes = ChangeRecords.bytes(records);
        long last = after;
        for (ChangeRecords.Unit u : units) {
            List<ProducerRecord<byte[], byte[]>> out = c.records().records(t.target, u, pass, snapshot, seq, seq);
            long size = ChangeRecords.bytes(out);
            if (!records.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            records.addAll(out);
            bytes += size;
            last = u.lastRow();
        }
        return last;
    }

    private static boolean isStale(SnowflakeSqlException e) {
        return !e.isRetriable() && ("000707".equals(e.code())
                || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("time travel data is not available"));
    }

    /** The position is outside the table's Time Travel: fail, or publish a new snapshot and go on from it. */
    private void stale(TableState t, String why) {
        String at = t.position == null ? "(none)" : Instant.ofEpochMilli(t.position.atMillis()).toString();
        if (s.onStale() == Stale.FAIL_FAST) {
            throw new StaleStreamException("the CHANGES position " + at + " of table " + t.spec.table() + " is no longer readable"
                    + " (" + why + "): the changes since are gone, as the table's DATA_RETENTION_TIME_IN_DAYS is shorter than"
                    + " the outage (or, at a first start, change tracking was turned on too recently, or the retention is 0)."
                    + " Restart the bridge with onStale(Stale.resnapshot()) to publish a new snapshot and go on, or"
                    + " delete the table's position from " + s.offsetsTopic() + " to start it over; a longer retention, or"
                    + " ChangeSource.stream() (whose stream extends it), survives longer outages.");
        }
        LOG.warn("bridge {}: the CHANGES position {} of {} is stale ({}); publishing a new snapshot", s.name(), at,
                t.spec.table(), why);
        c.ensureTracking(t.objects, t.spec.table(), false);
        commit(t, List.of(), ChangesPosition.snapshotAt(t.objects.now() - settle));
    }

    /** Sends the records and the next position in one transaction; the position moves only once it committed. */
    private void commit(TableState t, List<ProducerRecord<byte[], byte[]>> records, ChangesPosition next) {
        c.publisher().commit(t.spec.table(), records, next.toJson(), next.paging() ? next.endMillis() : next.atMillis());
        t.position = next;
    }

    private void notifyCommit(TableState t, long seq, int count, boolean finished, long lag) {
        c.notify(() -> s.listener().onCommit(new SourceListener.CommitEvent(t.spec.table(), seq, count, finished, lag)));
    }
}
