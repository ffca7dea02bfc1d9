package io.ksbridge.testkit.emulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The emulator's change-tracking model: versioned tables ({@link TrackedTable}), the streams on them, the
 * {@link ChangeClock}, and faults aimed at particular statements. What a stream does follows Snowflake's documented
 * rules: it stores only an offset (a table version); a {@code SELECT} never moves it; a committed DML or CTAS that
 * reads it moves it to the version current when its transaction began; it is stale once the clock passes its last
 * consumption plus {@code max(DATA_RETENTION_TIME_IN_DAYS, MAX_DATA_EXTENSION_TIME_IN_DAYS)} days, or when its
 * table was recreated or dropped. Thread-safe.
 */
public final class ChangeStore {
    /** A stream: an offset into one table's versions. */
    static final class Stream {
        final String name;
        final TrackedTable table;
        final boolean appendOnly;
        final long createdAt;
        long offset;
        long consumedAt;

        Stream(String name, TrackedTable table, boolean appendOnly, long offset, long now) {
            this.name = name;
            this.table = table;
            this.appendOnly = appendOnly;
            this.offset = offset;
            this.createdAt = now;
            this.consumedAt = now;
        }
    }

    private final ChangeClock clock = new ChangeClock();
    private final TreeMap<String, TrackedTable> tables = new TreeMap<>();
    private final TreeMap<String, Stream> streams = new TreeMap<>();
    private final StatementFaults faults = new StatementFaults();
    private final Metering metering = new Metering(clock);
    private volatile int partitionRows = 10_000;
    private volatile String defaultOwner = SnowflakeRoles.DEFAULT;

    /** The clock that stamps versions and judges staleness. */
    public ChangeClock clock() {
        return clock;
    }

    /** What the account would bill: warehouse resumes and seconds, cloud-services statements, stream probes. */
    public Metering metering() {
        return metering;
    }

    /** Faults aimed at statements by their text. */
    public StatementFaults faults() {
        return faults;
    }

    /**
     * How many rows a result partition of the SQL API holds (default 10,000): a larger result answers its first
     * partition inline and the rest through {@code GET /api/v2/statements/{handle}?partition=N}, gzip-encoded.
     */
    public ChangeStore partitionRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("partitionRows must be >= 1, was " + rows);
        }
        this.partitionRows = rows;
        return this;
    }

    int partitionRows() {
        return partitionRows;
    }

    /** The role that owns tables created from now on (default: the emulator account's role). */
    public ChangeStore defaultOwner(String role) {
        this.defaultOwner = Objects.requireNonNull(role, "role must not be null");
        return this;
    }

    /**
     * Creates a source table, change tracking off, owned by the default owner.
     *
     * @param qualifiedName {@code DB.SCHEMA.TABLE}
     * @param primaryKey    the declared (unenforced) primary key's columns; may be empty
     * @param columns       the columns, at least one
     * @throws IllegalArgumentException when a table of that name exists
     */
    public synchronized TrackedTable createTable(String qualifiedName, List<String> primaryKey, ColumnDef... columns) {
        String key = TableStore.key(qualifiedName);
        if (tables.containsKey(key)) {
            throw new IllegalArgumentException("Object '" + key + "' already exists.");
        }
        return put(key, List.of(columns), primaryKey);
    }

    /**
     * {@code CREATE OR REPLACE TABLE}: a new, empty table of the same name and columns. The old one's history is
     * gone, so every stream on it is stale.
     */
    public synchronized TrackedTable recreateTable(String qualifiedName) {
        TrackedTable old = table(qualifiedName);
        return put(old.name(), old.columns(), old.primaryKey());
    }

    /** Renames a table ({@code ALTER TABLE ... RENAME TO}); streams on it keep working. */
    public synchronized TrackedTable renameTable(String from, String to) {
        TrackedTable t = table(from);
        String key = TableStore.key(to);
        if (tables.containsKey(key)) {
            throw new IllegalArgumentException("Object '" + key + "' already exists.");
        }
        tables.remove(t.name());
        t.rename(key);
        tables.put(key, t);
        return t;
    }

    private TrackedTable put(String key, List<ColumnDef> columns, List<String> primaryKey) {
        List<String> pk = new ArrayList<>();
        for (String c : primaryKey) {
            pk.add(Identifiers.normalize(c));
        }
        TrackedTable t = new TrackedTable(key, columns, pk, clock, defaultOwner);
        tables.put(key, t);
        return t;
    }

    /** The table. @throws NoSuchElementException when there is none of that name */
    public synchronized TrackedTable table(String qualifiedName) {
        return find(qualifiedName).orElseThrow(() -> new NoSuchElementException("Table '" + TableStore.key(qualifiedName)
                + "' does not exist or not authorized."));
    }

    /** The table, or empty. */
    public synchronized Optional<TrackedTable> find(String qualifiedName) {
        return Optional.ofNullable(tables.get(TableStore.key(qualifiedName)));
    }

    /** Every table's resolved name, sorted. */
    public synchronized List<String> tableNames() {
        return new ArrayList<>(tables.keySet());
    }

    /** Every stream's resolved name, sorted. */
    public synchronized List<String> streamNames() {
        return new ArrayList<>(streams.keySet());
    }

    /** Drops a table; true when it existed. Streams on it turn stale. */
    public synchronized boolean dropTable(String qualifiedName) {
        return tables.remove(TableStore.key(qualifiedName)) != null;
    }

    synchronized TrackedTable createCopy(String qualifiedName, List<ColumnDef> columns, List<java.util.Map<String, String>> rows) {
        String key = TableStore.key(qualifiedName);
        TrackedTable t = put(key, columns, List.of());
        t.markTransient();
        t.load(rows);
        return t;
    }

    synchronized Optional<Stream> stream(String qualifiedName) {
        return Optional.ofNullable(streams.get(TableStore.key(qualifiedName)));
    }

    synchronized void putStream(Stream s) {
        streams.put(s.name, s);
    }

    synchronized boolean dropStream(String qualifiedName) {
        return streams.remove(TableStore.key(qualifiedName)) != null;
    }

    /** Why a stream cannot be read, or null when it can. */
    synchronized String staleness(Stream s) {
        if (!tables.containsValue(s.table)) {
            return "the table " + s.table.name() + " was dropped or recreated";
        }
        if (clock.millis() > s.table.staleAfterMillis(s.consumedAt)) {
            return "its offset is outside the table's retention (stale after " + java.time.Instant.ofEpochMilli(
                    s.table.staleAfterMillis(s.consumedAt)) + ")";
        }
        return null;
    }

    /** The offset version of a stream, for tests. @throws NoSuchElementException when there is no such stream */
    public synchronized long streamOffset(String qualifiedName) {
        return stream(qualifiedName).orElseThrow(() -> new NoSuchElementException("no stream " + qualifiedName)).offset;
    }

    /** Moves the clock so that every stream whose last consumption is older than {@code age} is judged by it. */
    public ChangeStore advance(Duration by) {
        clock.advance(by);
        return this;
    }

    /** Faults aimed at statements whose text matches a pattern. Thread-safe. */
    public static final class StatementFaults {
        /** What to do to a matching statement. */
        public enum Kind {
            /** Answer 503 without running it. */
            FAIL_503,
            /** Run it (and commit), then close the connection without an answer. */
            DROP_RESPONSE,
            /** Run it, then close the connection, and forget its requestId so a {@code retry=true} runs it again. */
            DROP_RESPONSE_FORGET,
            /** Run it, answer 202 with a handle, and answer 202 to the first poll too. */
            SLOW_202
        }

        private record Rule(Pattern pattern, Kind kind, int[] remaining) {
        }

        private final List<Rule> rules = new ArrayList<>();
        private final List<String> hits = new ArrayList<>();

        /**
         * The next {@code times} statements whose text matches {@code regex} (case-insensitive, found anywhere) get
         * {@code kind}.
         */
        public synchronized StatementFaults on(String regex, Kind kind, int times) {
            rules.add(new Rule(Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL), kind, new int[] {times}));
            return this;
        }

        /** Removes every rule. */
        public synchronized StatementFaults clear() {
            rules.clear();
            return this;
        }

        /** Each fault applied so far, as {@code KIND: statement}. */
        public synchronized List<String> applied() {
            return List.copyOf(hits);
        }

        synchronized Kind decide(String statement) {
            for (Rule r : rules) {
                if (r.remaining()[0] > 0 && r.pattern().matcher(statement).find()) {
                    r.remaining()[0]--;
                    hits.add(r.kind() + ": " + statement);
                    return r.kind();
                }
            }
            return null;
        }
    }

    /** The role names the change model uses. */
    static final class SnowflakeRoles {
        static final String DEFAULT = "KSBRIDGE_ROLE";

        private SnowflakeRoles() {
        }
    }
}
