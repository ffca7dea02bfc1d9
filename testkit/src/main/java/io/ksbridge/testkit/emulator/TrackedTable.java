package io.ksbridge.testkit.emulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A versioned table of the emulator's change-tracking model: the source tables a {@code SnowflakeToKafkaBridge}
 * reads, and the tables made by {@code CREATE TABLE ... AS SELECT}. Every committed change ({@link #insert},
 * {@link #update}, {@link #delete}, {@link #truncate}, or several in one {@link #transaction}) makes one table
 * version stamped by the {@link ChangeClock}; each row has a stable {@code METADATA$ROW_ID}; the images of every
 * version are kept, so any two versions can be diffed ({@link #delta}) as Snowflake's streams and CHANGES do.
 *
 * <p>Values are held as the SQL API's text ({@link SnowflakeText}); the Java API encodes what tests pass. Columns are
 * matched case-insensitively. Thread-safe: every method locks the table.
 */
public final class TrackedTable {
    /** One change of a net delta: a row's image at the start and at the end of an interval. */
    record Change(String rowId, Map<String, String> before, Map<String, String> after) {
    }

    private record Image(long version, Map<String, String> values) {
    }

    private volatile String name;
    private final ChangeClock clock;
    private final List<ColumnDef> columns = new ArrayList<>();
    private final List<String> primaryKey;
    private final LinkedHashMap<String, Map<String, String>> current = new LinkedHashMap<>();
    private final Map<String, List<Image>> history = new LinkedHashMap<>();
    /** version number → commit time (ms); version 0 is the empty table at creation. */
    private final TreeMap<Long, Long> versions = new TreeMap<>();
    private final Map<Long, Set<String>> touched = new LinkedHashMap<>();
    private final Map<Long, Set<String>> inserted = new LinkedHashMap<>();
    private final long createdAt;
    private boolean changeTracking;
    private long trackedSince = Long.MAX_VALUE;
    private String owner;
    private int retentionDays = 1;
    private int maxExtensionDays = 14;
    private boolean transientTable;

    TrackedTable(String name, List<ColumnDef> columns, List<String> primaryKey, ChangeClock clock, String owner) {
        this.name = name;
        this.clock = clock;
        this.columns.addAll(columns);
        this.primaryKey = List.copyOf(primaryKey);
        this.owner = owner;
        this.createdAt = clock.millis();
        versions.put(0L, createdAt);
    }

    /** The resolved name {@code DB.SCHEMA.TABLE}. */
    public String name() {
        return name;
    }

    void rename(String to) {
        this.name = to;
    }

    /** The columns in order; a copy. */
    public synchronized List<ColumnDef> columns() {
        return List.copyOf(columns);
    }

    /** The declared primary key's columns (Snowflake does not enforce it); may be empty. */
    public List<String> primaryKey() {
        return primaryKey;
    }

    /** The role that owns the table (only it may turn change tracking on). */
    public synchronized String owner() {
        return owner;
    }

    /** Makes another role the owner, so the bridge's role may not turn change tracking on. */
    public synchronized TrackedTable owner(String role) {
        this.owner = Objects.requireNonNull(role, "role must not be null");
        return this;
    }

    /** {@code DATA_RETENTION_TIME_IN_DAYS} (default 1) and {@code MAX_DATA_EXTENSION_TIME_IN_DAYS} (default 14). */
    public synchronized TrackedTable retention(int dataRetentionDays, int maxDataExtensionDays) {
        if (dataRetentionDays < 0 || maxDataExtensionDays < 0) {
            throw new IllegalArgumentException("retention days must be >= 0");
        }
        this.retentionDays = dataRetentionDays;
        this.maxExtensionDays = maxDataExtensionDays;
        return this;
    }

    /** The oldest time Time Travel (and so the CHANGES clause) still reaches: now minus DATA_RETENTION_TIME_IN_DAYS. */
    synchronized long timeTravelHorizon(long now) {
        return now - retentionDays * 86_400_000L;
    }

    synchronized long staleAfterMillis(long consumedAt) {
        return consumedAt + Math.max(retentionDays, maxExtensionDays) * 86_400_000L;
    }

    /** Whether change tracking is on ({@code ALTER TABLE ... SET CHANGE_TRACKING = TRUE}, or the first stream). */
    public synchronized boolean changeTracking() {
        return changeTracking;
    }

    /** Turns change tracking on or off; turning it on again after off gives every row a new ROW_ID. */
    public synchronized TrackedTable changeTracking(boolean on) {
        if (on && !changeTracking) {
            if (trackedSince != Long.MAX_VALUE) { // re-enabled: ROW_IDs are re-keyed
                rekey();
            }
            trackedSince = latestVersion();
        }
        changeTracking = on;
        return this;
    }

    synchronized long trackedSince() {
        return trackedSince;
    }

    synchronized boolean isTransient() {
        return transientTable;
    }

    synchronized void markTransient() {
        transientTable = true;
    }

    /** When the table was created, epoch ms. */
    public long createdAt() {
        return createdAt;
    }

    /** Adds a nullable column; existing rows hold NULL in it. */
    public synchronized TrackedTable addColumn(String column, String ddlType) {
        columns.add(new ColumnDef(Identifiers.normalize(column), ddlType, true));
        return this;
    }

    /** Drops a column from the table (history keeps its values, but every read shows the current columns only). */
    public synchronized TrackedTable dropColumn(String column) {
        ColumnDef c = column(column);
        columns.remove(c);
        return this;
    }

    /** The current rows as SQL API text by column, in insertion order; a copy. */
    public synchronized List<Map<String, String>> rows() {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> r : current.values()) {
            out.add(project(r));
        }
        return out;
    }

    /**
     * Every committed image of every row, by ROW_ID in first-insert order: the images in commit order, null where the
     * row was deleted, current columns only. What a chaos run compares a topic with, change by change.
     */
    public synchronized Map<String, List<Map<String, String>>> history() {
        Map<String, List<Map<String, String>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Image>> e : history.entrySet()) {
            List<Map<String, String>> images = new ArrayList<>();
            for (Image i : e.getValue()) {
                images.add(i.values() == null ? null : project(i.values()));
            }
            out.put(e.getKey(), images);
        }
        return out;
    }

    /** The number of current rows. */
    public synchronized int rowCount() {
        return current.size();
    }

    /** Inserts rows in one transaction (one version); values by column name, encoded with {@link SnowflakeText}. */
    @SafeVarargs
    public final TrackedTable insert(Map<String, ?>... rows) {
        return transaction(tx -> {
            for (Map<String, ?> r : rows) {
                tx.insert(r);
            }
        });
    }

    /** Inserts rows in one transaction (one version). */
    public TrackedTable insertAll(List<? extends Map<String, ?>> rows) {
        return transaction(tx -> rows.forEach(tx::insert));
    }

    /** {@code UPDATE t SET ... WHERE column = value} in one transaction. */
    public TrackedTable update(String column, Object value, Map<String, ?> set) {
        return transaction(tx -> tx.update(column, value, set));
    }

    /** {@code DELETE FROM t WHERE column = value} in one transaction. */
    public TrackedTable delete(String column, Object value) {
        return transaction(tx -> tx.delete(column, value));
    }

    /** {@code TRUNCATE TABLE t}: every row deleted, one version. */
    public TrackedTable truncate() {
        return transaction(Tx::truncate);
    }

    /**
     * Several changes committed together as one version (nothing is visible before the end; an exception rolls back).
     *
     * @param work the changes, never null
     * @return this table
     */
    public synchronized TrackedTable transaction(Consumer<Tx> work) {
        RequestTransaction open = RequestTransaction.current();
        if (open != null) { // inside BEGIN ... COMMIT of a SQL API request: recorded when (and if) it commits
            work.accept(open.tx(this, Tx::new));
            return this;
        }
        Tx tx = new Tx();
        work.accept(tx);
        commit(tx.changes);
        return this;
    }

    /** Commits a transaction's overlay (see {@link RequestTransaction}). */
    synchronized void commit(Tx tx) {
        commit(tx.changes);
    }

    /**
     * {@code ALTER TABLE ... ALTER COLUMN c SET NOT NULL}: refused when a current row holds NULL in it; older versions
     * may still, and a stream whose delta reaches one of them then fails to read.
     */
    public synchronized TrackedTable setNotNull(String column) {
        ColumnDef c = requireColumn(column);
        for (Map<String, String> r : current.values()) {
            if (r.get(c.name()) == null) {
                throw new IllegalArgumentException("Column '" + c.name() + "' contains null values. Not null constraint"
                        + " cannot be added.");
            }
        }
        columns.set(columns.indexOf(c), new ColumnDef(c.name(), c.type(), false));
        return this;
    }

    /**
     * Changes made inside {@link TrackedTable#transaction}, kept as an overlay on the committed rows (ROW_ID to the new
     * image, null for a deleted row), so a transaction costs what it changes, not the table's size. Used on the
     * calling thread only.
     */
    public final class Tx {
        private final LinkedHashMap<String, Map<String, String>> changes = new LinkedHashMap<>();

        Tx() {
        }

        /** Inserts a row. */
        public Tx insert(Map<String, ?> values) {
            Map<String, String> row = new LinkedHashMap<>();
            for (Map.Entry<String, ?> e : values.entrySet()) {
                ColumnDef c = requireColumn(e.getKey());
                row.put(c.name(), SnowflakeText.encode(c.type(), e.getValue()));
            }
            changes.put(newRowId(), row);
            return this;
        }

        /** Updates the rows where {@code column} equals {@code value}. */
        public Tx update(String column, Object value, Map<String, ?> set) {
            return updateWhere(matcher(column, value), set);
        }

        /** Updates the rows that match. */
        public Tx updateWhere(Predicate<Map<String, String>> where, Map<String, ?> set) {
            for (Map.Entry<String, Map<String, String>> e : matching(where)) {
                Map<String, String> row = new LinkedHashMap<>(e.getValue());
                for (Map.Entry<String, ?> s : set.entrySet()) {
                    ColumnDef c = requireColumn(s.getKey());
                    row.put(c.name(), SnowflakeText.encode(c.type(), s.getValue()));
                }
                changes.put(e.getKey(), row);
            }
            return this;
        }

        /** Deletes the rows where {@code column} equals {@code value}. */
        public Tx delete(String column, Object value) {
            return deleteWhere(matcher(column, value));
        }

        /** Deletes the rows that match. */
        public Tx deleteWhere(Predicate<Map<String, String>> where) {
            for (Map.Entry<String, Map<String, String>> e : matching(where)) {
                changes.put(e.getKey(), null);
            }
            return this;
        }

        /** Deletes every row. */
        public Tx truncate() {
            return deleteWhere(r -> true);
        }

        /** The ROW_IDs and rows matching {@code where} as this transaction sees them (its changes over the committed rows). */
        private List<Map.Entry<String, Map<String, String>>> matching(Predicate<Map<String, String>> where) {
            List<Map.Entry<String, Map<String, String>>> out = new ArrayList<>();
            for (Map.Entry<String, Map<String, String>> e : current.entrySet()) {
                Map<String, String> v = changes.containsKey(e.getKey()) ? changes.get(e.getKey()) : e.getValue();
                if (v != null && where.test(v)) {
                    out.add(Map.entry(e.getKey(), v));
                }
            }
            for (Map.Entry<String, Map<String, String>> e : changes.entrySet()) {
                if (e.getValue() != null && !current.containsKey(e.getKey()) && where.test(e.getValue())) {
                    out.add(Map.entry(e.getKey(), e.getValue()));
                }
            }
            return out;
        }

        private Predicate<Map<String, String>> matcher(String column, Object value) {
            ColumnDef c = requireColumn(column);
            String text = SnowflakeText.encode(c.type(), value);
            return row -> Objects.equals(row.get(c.name()), text);
        }
    }

    /** Commits a transaction's changes (ROW_ID to its new image, null when deleted): one version holding what changed. */
    synchronized void commit(LinkedHashMap<String, Map<String, String>> changes) {
        Set<String> changed = new LinkedHashSet<>();
        Set<String> added = new LinkedHashSet<>();
        for (Map.Entry<String, Map<String, String>> e : changes.entrySet()) {
            Map<String, String> before = current.get(e.getKey());
            if (before == null && e.getValue() != null) {
                added.add(e.getKey());
                changed.add(e.getKey());
            } else if (before != null && !before.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        if (changed.isEmpty()) {
            return; // no DML effect, no version
        }
        long version = latestVersion() + 1;
        versions.put(version, clock.commitTime(versions.lastEntry().getValue()));
        for (String id : changed) {
            Map<String, String> after = changes.get(id);
            Map<String, String> image = after == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(after));
            history.computeIfAbsent(id, k -> new ArrayList<>()).add(new Image(version, image));
            if (image == null) {
                current.remove(id);
            } else {
                current.put(id, image);
            }
        }
        touched.put(version, changed);
        inserted.put(version, added);
    }

    /** Loads rows as the content of a new table (a CTAS): one version, no change tracking. */
    synchronized void load(List<Map<String, String>> rows) {
        LinkedHashMap<String, Map<String, String>> next = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            next.put(newRowId(), r);
        }
        commit(next);
    }

    synchronized long latestVersion() {
        return versions.lastKey();
    }

    /** The newest version: 0 for the table as created, one more for each committed change. */
    public synchronized long version() {
        return versions.lastKey();
    }

    /** The newest version committed at or before {@code millis}, or -1 when the table did not exist then. */
    synchronized long versionAt(long millis) {
        if (millis < createdAt) {
            return -1;
        }
        Map.Entry<Long, Long> best = null;
        for (Map.Entry<Long, Long> e : versions.entrySet()) {
            if (e.getValue() <= millis) {
                best = e;
            }
        }
        return best == null ? -1 : best.getKey();
    }

    synchronized long versionTime(long version) {
        return versions.get(version);
    }

    /** The rows as they were at {@code version}, with their ROW_IDs, current columns only. */
    synchronized LinkedHashMap<String, Map<String, String>> rowsAt(long version) {
        LinkedHashMap<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Image>> e : history.entrySet()) {
            Map<String, String> image = imageAt(e.getValue(), version);
            if (image != null) {
                out.put(e.getKey(), project(image));
            }
        }
        return out;
    }

    /**
     * The rows at {@code version} that match {@code where}, as stored (read-only; a dropped column may still be in
     * them, an added one absent, read as NULL): what a filtered SELECT needs without copying every row.
     */
    synchronized List<Map<String, String>> scanAt(long version, Predicate<Map<String, String>> where) {
        List<Map<String, String>> out = new ArrayList<>();
        for (List<Image> images : history.values()) {
            Map<String, String> image = imageAt(images, version);
            if (image != null && where.test(image)) {
                out.add(image);
            }
        }
        return out;
    }

    /**
     * The net changes between two versions, one entry per ROW_ID whose image differs: {@code before} is the image at
     * {@code from} (null when the row did not exist), {@code after} at {@code to} (null when deleted). A row inserted
     * and deleted in between is not there. Append-only: every row inserted in between, with its inserted image.
     */
    synchronized List<Change> delta(long from, long to, boolean appendOnly) {
        List<Change> out = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (long v = from + 1; v <= to; v++) {
            Set<String> s = (appendOnly ? inserted : touched).get(v);
            if (s != null) {
                ids.addAll(s);
            }
        }
        for (String id : ids) {
            List<Image> images = history.get(id);
            if (appendOnly) {
                Map<String, String> first = firstImageAfter(images, from);
                if (first != null) {
                    out.add(new Change(id, null, project(first)));
                }
                continue;
            }
            Map<String, String> before = imageAt(images, from);
            Map<String, String> after = imageAt(images, to);
            if (before == null && after == null || before != null && before.equals(after)) {
                continue;
            }
            out.add(new Change(id, before == null ? null : project(before), after == null ? null : project(after)));
        }
        return out;
    }

    /** True when some version after {@code from} exists (what SYSTEM$STREAM_HAS_DATA diffs: false positives included). */
    synchronized boolean changedSince(long from, boolean appendOnly) {
        for (long v = from + 1; v <= latestVersion(); v++) {
            if (!appendOnly || !inserted.getOrDefault(v, Set.of()).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> imageAt(List<Image> images, long version) {
        Map<String, String> found = null;
        for (Image i : images) {
            if (i.version() <= version) {
                found = i.values();
            } else {
                break;
            }
        }
        return found;
    }

    private static Map<String, String> firstImageAfter(List<Image> images, long version) {
        for (Image i : images) {
            if (i.version() > version && i.values() != null) {
                return i.values();
            }
        }
        return null;
    }

    private Map<String, String> project(Map<String, String> image) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ColumnDef c : columns) {
            out.put(c.name(), image.get(c.name()));
        }
        return out;
    }

    private void rekey() {
        // ROW_IDs change when change tracking is re-enabled: the history before is no longer reachable
        LinkedHashMap<String, Map<String, String>> rows = new LinkedHashMap<>(current);
        current.clear();
        history.clear();
        touched.clear();
        inserted.clear();
        long version = latestVersion() + 1;
        versions.put(version, clock.commitTime(versions.lastEntry().getValue()));
        for (Map<String, String> r : rows.values()) {
            String id = newRowId();
            current.put(id, r);
            history.computeIfAbsent(id, k -> new ArrayList<>()).add(new Image(version, r));
        }
    }

    ColumnDef column(String column) {
        String resolved = Identifiers.normalize(column);
        for (ColumnDef c : columns) {
            if (c.name().equals(resolved) || c.name().equalsIgnoreCase(column)) {
                return c;
            }
        }
        return null;
    }

    private ColumnDef requireColumn(String column) {
        ColumnDef c = column(column);
        if (c == null) {
            throw new IllegalArgumentException("invalid identifier '" + column + "' (table " + name + " has columns "
                    + columns + ")");
        }
        return c;
    }

    /** 40 hex digits, unique in the emulator: a random salt per JVM, then a counter (no SecureRandom per row). */
    private static String newRowId() {
        String n = Long.toHexString(ROW_IDS.incrementAndGet());
        return ROW_ID_SALT + "0000000000000000".substring(n.length()) + n;
    }

    private static final String ROW_ID_SALT = UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    private static final java.util.concurrent.atomic.AtomicLong ROW_IDS = new java.util.concurrent.atomic.AtomicLong(
            new java.util.Random().nextInt(1 << 20));

    @Override
    public synchronized String toString() {
        return "TrackedTable{" + name + ", rows=" + current.size() + ", version=" + latestVersion() + "}";
    }
}
