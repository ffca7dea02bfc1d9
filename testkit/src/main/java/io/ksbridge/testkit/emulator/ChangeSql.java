package io.ksbridge.testkit.emulator;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of the change-tracking model ({@link ChangeStore}), answered before {@link SqlService}'s own statements:
 * <ul>
 *   <li>{@code ALTER TABLE t SET CHANGE_TRACKING = TRUE|FALSE}, {@code ALTER TABLE t RENAME TO u};</li>
 *   <li>{@code CREATE [OR REPLACE] STREAM [IF NOT EXISTS] s ON TABLE t [AT(TIMESTAMP => TO_TIMESTAMP_LTZ(ms, 3))]
 *       [APPEND_ONLY = TRUE]}, {@code DROP STREAM}, {@code SHOW STREAMS LIKE '...' IN SCHEMA d.s};</li>
 *   <li>{@code SELECT SYSTEM$STREAM_HAS_DATA('s')}, {@code SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())};</li>
 *   <li>{@code CREATE [TRANSIENT] TABLE [IF NOT EXISTS] b [DATA_RETENTION_TIME_IN_DAYS = n] AS SELECT *[,
 *       ROW_NUMBER() OVER (ORDER BY c, ...) AS n] FROM <stream or table> [AT(TIMESTAMP => ...)]}: from a stream it
 *       consumes the stream (the offset moves to the version it read);</li>
 *   <li>{@code SELECT * FROM x [AT(...)] [WHERE c > n] [ORDER BY c, ...] [LIMIT n]} on tables and streams (a stream
 *       read by SELECT does not move);</li>
 *   <li>{@code SELECT * FROM t CHANGES(INFORMATION => DEFAULT|APPEND_ONLY) AT(TIMESTAMP => TO_TIMESTAMP_LTZ(ms, 3))
 *       [END(TIMESTAMP => ...)] [ORDER BY ...]}: the read-only window between two times;</li>
 *   <li>{@code SHOW TABLES LIKE '...' IN SCHEMA d.s}, {@code SHOW PRIMARY KEYS IN TABLE t}, {@code DROP TABLE};</li>
 *   <li>DML on tracked tables: {@code INSERT INTO t (c, ...) VALUES (...), ...}, {@code INSERT INTO t SELECT * FROM s
 *       [WHERE 0 = 1]} (consumes s), {@code UPDATE t SET c = v, ... [WHERE c = v]}, {@code DELETE FROM t [WHERE c =
 *       v]}, {@code TRUNCATE TABLE t}.</li>
 * </ul>
 * A stream's rows come in no particular order (shuffled on purpose, as Snowflake promises none).
 */
final class ChangeSql {
    private static final int I = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final String N = SqlService.NAME;
    private static final String AT = "(?:\\s+AT\\s*\\(\\s*TIMESTAMP\\s*=>\\s*TO_TIMESTAMP_LTZ\\s*\\(\\s*(-?\\d+)\\s*,\\s*3\\s*\\)\\s*\\))?";
    private static final Pattern NOW = Pattern.compile(
            "\\s*SELECT\\s+DATE_PART\\s*\\(\\s*'?EPOCH_MILLISECOND'?\\s*,\\s*CURRENT_TIMESTAMP\\s*\\(\\s*\\)\\s*\\)\\s*(?:AS\\s+\\w+\\s*)?;?\\s*", I);
    private static final Pattern TRACKING = Pattern.compile(
            "\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?" + N + "\\s+SET\\s+CHANGE_TRACKING\\s*=\\s*(TRUE|FALSE)\\s*;?\\s*", I);
    private static final Pattern RENAME = Pattern.compile(
            "\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?" + N + "\\s+RENAME\\s+TO\\s+" + N + "\\s*;?\\s*", I);
    private static final Pattern CREATE_STREAM = Pattern.compile("\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?STREAM\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"
            + N + "\\s+ON\\s+TABLE\\s+" + N + AT + "(?:\\s+APPEND_ONLY\\s*=\\s*(TRUE|FALSE))?(?:\\s+COMMENT\\s*=\\s*'(?:[^']|'')*')?\\s*;?\\s*", I);
    private static final Pattern DROP_STREAM = Pattern.compile("\\s*DROP\\s+STREAM\\s+(IF\\s+EXISTS\\s+)?" + N + "\\s*;?\\s*", I);
    private static final Pattern SHOW = Pattern.compile(
            "\\s*SHOW\\s+(TABLES|STREAMS)(?:\\s+LIKE\\s+'((?:[^']|'')*)')?(?:\\s+IN\\s+SCHEMA\\s+" + N + ")?\\s*;?\\s*", I);
    private static final Pattern SHOW_PK = Pattern.compile("\\s*SHOW\\s+PRIMARY\\s+KEYS\\s+IN\\s+(?:TABLE\\s+)?" + N + "\\s*;?\\s*", I);
    private static final Pattern HAS_DATA = Pattern.compile(
            "\\s*SELECT\\s+SYSTEM\\$STREAM_HAS_DATA\\s*\\(\\s*'((?:[^']|'')*)'\\s*\\)\\s*(?:AS\\s+\\w+\\s*)?;?\\s*", I);
    private static final Pattern CTAS = Pattern.compile("\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?(?:(TRANSIENT|TEMPORARY|TEMP)\\s+)?TABLE\\s+"
            + "(IF\\s+NOT\\s+EXISTS\\s+)?" + N + "(?:\\s+DATA_RETENTION_TIME_IN_DAYS\\s*=\\s*\\d+)?\\s+AS\\s+SELECT\\s+\\*"
            + "(?:\\s*,\\s*ROW_NUMBER\\s*\\(\\s*\\)\\s+OVER\\s*\\(\\s*ORDER\\s+BY\\s+([^)]*)\\)\\s+AS\\s+([A-Za-z_$0-9]+|\"[^\"]+\"))?"
            + "\\s+FROM\\s+" + N + AT + "\\s*;?\\s*", I);
    private static final String TS = "\\s*\\(\\s*TIMESTAMP\\s*=>\\s*TO_TIMESTAMP_LTZ\\s*\\(\\s*(-?\\d+)\\s*,\\s*3\\s*\\)\\s*\\)";
    private static final Pattern CHANGES = Pattern.compile("\\s*SELECT\\s+\\*\\s+FROM\\s+" + N + "\\s+CHANGES\\s*\\(\\s*INFORMATION\\s*=>\\s*"
            + "(DEFAULT|APPEND_ONLY)\\s*\\)\\s+AT" + TS + "(?:\\s+END" + TS + ")?(?:\\s+ORDER\\s+BY\\s+(.*?))?\\s*;?\\s*", I);
    private static final Pattern SELECT = Pattern.compile("\\s*SELECT\\s+\\*\\s+FROM\\s+" + N + AT
            + "(?:\\s+WHERE\\s+(\\S+)\\s*(>|=)\\s*('(?:[^']|'')*'|-?[0-9.]+))?(?:\\s+ORDER\\s+BY\\s+(.*?))?(?:\\s+LIMIT\\s+(\\d+))?\\s*;?\\s*", I);
    private static final Pattern DROP_TABLE = Pattern.compile("\\s*DROP\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?" + N + "\\s*;?\\s*", I);
    private static final Pattern INSERT_VALUES = Pattern.compile("\\s*INSERT\\s+INTO\\s+" + N + "\\s*\\(([^)]*)\\)\\s*VALUES\\s*(.*?)\\s*;?\\s*", I);
    private static final Pattern INSERT_SELECT = Pattern.compile(
            "\\s*INSERT\\s+INTO\\s+" + N + "\\s+SELECT\\s+\\*\\s+FROM\\s+" + N + "(\\s+WHERE\\s+0\\s*=\\s*1)?\\s*;?\\s*", I);
    private static final Pattern UPDATE = Pattern.compile("\\s*UPDATE\\s+" + N + "\\s+SET\\s+(.*?)(?:\\s+WHERE\\s+(\\S+)\\s*=\\s*('(?:[^']|'')*'|-?[0-9.]+|TRUE|FALSE))?\\s*;?\\s*", I);
    private static final Pattern DELETE = Pattern.compile("\\s*DELETE\\s+FROM\\s+" + N + "(?:\\s+WHERE\\s+(\\S+)\\s*=\\s*('(?:[^']|'')*'|-?[0-9.]+|TRUE|FALSE))?\\s*;?\\s*", I);
    private static final Pattern TRUNCATE = Pattern.compile("\\s*TRUNCATE\\s+(?:TABLE\\s+)?(?:IF\\s+EXISTS\\s+)?" + N + "\\s*;?\\s*", I);

    static final String ACTION = "METADATA$ACTION";
    static final String IS_UPDATE = "METADATA$ISUPDATE";
    static final String ROW_ID = "METADATA$ROW_ID";

    private final ChangeStore store;
    private final Random shuffle = new Random();

    ChangeSql(ChangeStore store) {
        this.store = store;
    }

    /** A statement's result, or null when the statement is not one of the change model's. */
    SqlService.Result execute(String sql, String db, String sc, String role) {
        store.metering().statement(sql);
        Matcher m;
        if (NOW.matcher(sql).matches()) {
            return typed(List.of("NOW"), List.of("NUMBER(38,0)")).row(Long.toString(store.clock().millis()));
        }
        if ((m = TRACKING.matcher(sql)).matches()) {
            TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
            if (t == null) {
                return null;
            }
            boolean on = "TRUE".equalsIgnoreCase(m.group(2));
            if (!t.owner().equalsIgnoreCase(role == null ? ChangeStore.SnowflakeRoles.DEFAULT : role)) {
                throw privileges(t);
            }
            t.changeTracking(on);
            return SqlService.Result.status("Statement executed successfully.");
        }
        if ((m = RENAME.matcher(sql)).matches()) {
            if (store.find(q(m.group(1), db, sc)).isEmpty()) {
                return null;
            }
            store.renameTable(q(m.group(1), db, sc), q(m.group(2), db, sc));
            return SqlService.Result.status("Statement executed successfully.");
        }
        if ((m = CREATE_STREAM.matcher(sql)).matches()) {
            return createStream(m, db, sc, role);
        }
        if ((m = DROP_STREAM.matcher(sql)).matches()) {
            String name = q(m.group(2), db, sc);
            if (!store.dropStream(name) && m.group(1) == null) {
                throw new SqlService.SqlError("002003", "02000", "SQL compilation error:\nStream '" + name
                        + "' does not exist or not authorized.");
            }
            return SqlService.Result.status(Identifiers.split(name).get(2) + " successfully dropped.");
        }
        if ((m = SHOW.matcher(sql)).matches()) {
            return show(m, db, sc);
        }
        if ((m = SHOW_PK.matcher(sql)).matches()) {
            TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
            if (t == null) {
                return null;
            }
            SqlService.Result r = new SqlService.Result("created_on", "database_name", "schema_name", "table_name",
                    "column_name", "key_sequence", "constraint_name");
            List<String> parts = Identifiers.split(t.name());
            int seq = 1;
            for (String c : t.primaryKey()) {
                r.row(null, parts.get(0), parts.get(1), parts.get(2), c, Integer.toString(seq++), "PK");
            }
            return r;
        }
        if ((m = HAS_DATA.matcher(sql)).matches()) {
            ChangeStore.Stream s = stream(q(m.group(1).replace("''", "'"), db, sc));
            requireFresh(s);
            boolean has = s.table.changedSince(s.offset, s.appendOnly);
            if (!has) {
                s.consumedAt = store.clock().millis(); // an empty stream probed FALSE does not go stale
            }
            return typed(List.of("SYSTEM$STREAM_HAS_DATA('" + s.name + "')"), List.of("BOOLEAN")).row(Boolean.toString(has));
        }
        if ((m = CTAS.matcher(sql)).matches()) {
            return ctas(m, db, sc);
        }
        if ((m = CHANGES.matcher(sql)).matches()) {
            return changes(m, db, sc);
        }
        if ((m = SELECT.matcher(sql)).matches()) {
            return select(m, db, sc);
        }
        if ((m = DROP_TABLE.matcher(sql)).matches()) {
            String name = q(m.group(2), db, sc);
            if (store.find(name).isEmpty()) {
                return null;
            }
            store.dropTable(name);
            return SqlService.Result.status(Identifiers.split(name).get(2) + " successfully dropped.");
        }
        if ((m = INSERT_SELECT.matcher(sql)).matches()) {
            return insertSelect(m, db, sc);
        }
        if ((m = INSERT_VALUES.matcher(sql)).matches()) {
            TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
            if (t == null) {
                return null;
            }
            List<String> cols = SqlService.splitTopLevel(m.group(2));
            int n = 0;
            List<Map<String, String>> rows = new ArrayList<>();
            for (String tuple : SqlService.splitTopLevel(m.group(3))) {
                String inner = tuple.trim();
                if (!inner.startsWith("(") || !inner.endsWith(")")) {
                    throw new SqlService.SqlError("001003", "42000", "SQL compilation error:\nsyntax error near '" + inner + "'");
                }
                List<String> values = SqlService.splitTopLevel(inner.substring(1, inner.length() - 1));
                if (values.size() != cols.size()) {
                    throw new SqlService.SqlError("002020", "21S01", "SQL compilation error:\nInsert value list does not match"
                            + " column list expecting " + cols.size() + " but got " + values.size());
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < cols.size(); i++) {
                    ColumnDef c = column(t, cols.get(i));
                    row.put(c.name(), literal(c, values.get(i)));
                }
                rows.add(row);
                n++;
            }
            int count = n;
            t.transaction(tx -> rows.forEach(tx::insert));
            return dml("number of rows inserted", count);
        }
        if ((m = UPDATE.matcher(sql)).matches()) {
            TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
            if (t == null) {
                return null;
            }
            Map<String, Object> set = new LinkedHashMap<>();
            for (String assignment : SqlService.splitTopLevel(m.group(2))) {
                int eq = assignment.indexOf('=');
                ColumnDef c = column(t, assignment.substring(0, eq));
                set.put(c.name(), new Literal(literal(c, assignment.substring(eq + 1))));
            }
            int[] count = {0};
            java.util.function.Predicate<Map<String, String>> where = where(t, m.group(3), m.group(4), count);
            t.transaction(tx -> tx.updateWhere(where, set));
            return dml("number of rows updated", count[0]);
        }
        if ((m = DELETE.matcher(sql)).matches()) {
            TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
            if (t == null) {
                return null;
            }
            int[] count = {0};
            java.util.function.Predicate<Map<String, String>> where = where(t, m.group(2), m.group(3), count);
            t.transaction(tx -> tx.deleteWhere(where));
            return dml("number of rows deleted", count[0]);
        }
        if ((m = TRUNCATE.matcher(sql)).matches()) {
            TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
            if (t == null) {
                return null;
            }
            t.truncate();
            return SqlService.Result.status("Statement executed successfully.");
        }
        return null;
    }

    /**
     * An already-encoded value passed through {@link TrackedTable.Tx#updateWhere}: its {@code toString()} is the SQL
     * API text, which {@link SnowflakeText#encode} keeps as given.
     */
    private record Literal(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private SqlService.Result createStream(Matcher m, String db, String sc, String role) {
        String name = q(m.group(3), db, sc);
        TrackedTable t = store.find(q(m.group(4), db, sc)).orElseThrow(() -> new SqlService.SqlError("002003", "42S02",
                "SQL compilation error:\nTable '" + q(m.group(4), db, sc) + "' does not exist or not authorized."));
        boolean orReplace = m.group(1) != null;
        if (store.stream(name).isPresent() && !orReplace) {
            if (m.group(2) != null) {
                return SqlService.Result.status(Identifiers.split(name).get(2) + " already exists, statement succeeded.");
            }
            throw new SqlService.SqlError("002002", "42710", "SQL compilation error:\nObject '" + name + "' already exists.");
        }
        if (!t.changeTracking()) {
            if (!t.owner().equalsIgnoreCase(role == null ? ChangeStore.SnowflakeRoles.DEFAULT : role)) {
                throw privileges(t);
            }
            t.changeTracking(true);
        }
        long offset = t.latestVersion();
        if (m.group(5) != null) {
            long at = Long.parseLong(m.group(5));
            long v = t.versionAt(at);
            if (v < 0 || v < t.trackedSince() && at < t.versionTime(t.trackedSince())) {
                throw new SqlService.SqlError("000707", "02000", "No stream can be created at a time in the past before change"
                        + " tracking was recorded (table " + t.name() + ", requested " + Instant.ofEpochMilli(at) + ").");
            }
            offset = Math.max(v, t.trackedSince());
        }
        store.putStream(new ChangeStore.Stream(name, t, "TRUE".equalsIgnoreCase(m.group(6)), offset, store.clock().millis()));
        return SqlService.Result.status("Stream " + Identifiers.split(name).get(2) + " successfully created.");
    }

    private SqlService.Result show(Matcher m, String db, String sc) {
        Pattern like = m.group(2) == null ? null : likePattern(m.group(2).replace("''", "'"));
        String schema = m.group(3) == null ? null : String.join(".", Identifiers.split(Identifiers.qualify(m.group(3) + ".X", db, sc))
                .subList(0, 2));
        if ("TABLES".equalsIgnoreCase(m.group(1))) {
            SqlService.Result r = typed(List.of("created_on", "name", "database_name", "schema_name", "kind", "rows", "owner",
                    "change_tracking", "retention_time"), List.of("TIMESTAMP_LTZ", "TEXT", "TEXT", "TEXT", "TEXT", "NUMBER(38,0)",
                    "TEXT", "TEXT", "TEXT"));
            for (String name : store.tableNames()) {
                List<String> parts = Identifiers.split(name);
                if ((schema == null || schema.equals(parts.get(0) + "." + parts.get(1)))
                        && (like == null || like.matcher(parts.get(2)).matches())) {
                    TrackedTable t = store.table(name);
                    r.row(SnowflakeText.encode("TIMESTAMP_LTZ", Instant.ofEpochMilli(t.createdAt())), parts.get(2), parts.get(0),
                            parts.get(1), t.isTransient() ? "TRANSIENT" : "TABLE", Integer.toString(t.rowCount()), t.owner(),
                            t.changeTracking() ? "ON" : "OFF", t.isTransient() ? "0" : "1");
                }
            }
            return r;
        }
        SqlService.Result r = typed(List.of("created_on", "name", "database_name", "schema_name", "owner", "table_name",
                "source_type", "type", "stale", "mode", "stale_after", "invalid_reason"), List.of("TIMESTAMP_LTZ", "TEXT", "TEXT",
                "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TIMESTAMP_LTZ", "TEXT"));
        for (String name : store.streamNames()) {
            List<String> parts = Identifiers.split(name);
            if ((schema == null || schema.equals(parts.get(0) + "." + parts.get(1)))
                    && (like == null || like.matcher(parts.get(2)).matches())) {
                ChangeStore.Stream s = store.stream(name).orElseThrow();
                String why = store.staleness(s);
                r.row(SnowflakeText.encode("TIMESTAMP_LTZ", Instant.ofEpochMilli(s.createdAt)), parts.get(2), parts.get(0),
                        parts.get(1), ChangeStore.SnowflakeRoles.DEFAULT, s.table.name(), "Table", "DELTA",
                        Boolean.toString(why != null), s.appendOnly ? "APPEND_ONLY" : "DEFAULT",
                        SnowflakeText.encode("TIMESTAMP_LTZ", Instant.ofEpochMilli(s.table.staleAfterMillis(s.consumedAt))),
                        why == null ? "N/A" : why);
            }
        }
        return r;
    }

    private SqlService.Result ctas(Matcher m, String db, String sc) {
        String target = q(m.group(4), db, sc);
        if (store.find(target).isPresent()) {
            if (m.group(3) != null) {
                return SqlService.Result.status("Table " + Identifiers.split(target).get(2) + " already exists, statement succeeded.");
            }
            if (m.group(1) == null) {
                throw new SqlService.SqlError("002002", "42710", "SQL compilation error:\nObject '" + target + "' already exists.");
            }
        }
        String source = q(m.group(7), db, sc);
        Read read = read(source, m.group(8), true);
        List<ColumnDef> columns = new ArrayList<>(read.columns);
        List<Map<String, String>> rows = read.rows;
        if (m.group(5) != null) {
            String numberColumn = Identifiers.normalize(m.group(6));
            rows = new ArrayList<>(rows);
            rows.sort(comparator(columns, m.group(5)));
            long n = 1;
            for (Map<String, String> row : rows) {
                row.put(numberColumn, Long.toString(n++));
            }
            columns.add(new ColumnDef(numberColumn, "NUMBER(18,0)", false));
        }
        if (m.group(1) != null) {
            store.dropTable(target);
        }
        store.createCopy(target, columns, rows);
        if (read.stream != null) { // the CTAS committed: it consumed the stream up to the version it read
            consumed(read);
        }
        return SqlService.Result.status("Table " + Identifiers.split(target).get(2) + " successfully created.");
    }

    /** A committed DML or CTAS read the stream: it moves to the version read (at COMMIT inside BEGIN ... COMMIT). */
    private void consumed(Read read) {
        ChangeStore.Stream s = read.stream;
        long version = read.version;
        Runnable move = () -> {
            s.offset = version;
            s.consumedAt = store.clock().millis();
        };
        RequestTransaction open = RequestTransaction.current();
        if (open != null) {
            open.onCommit(move);
        } else {
            move.run();
        }
    }

    private SqlService.Result insertSelect(Matcher m, String db, String sc) {
        TrackedTable target = store.find(q(m.group(1), db, sc)).orElse(null);
        if (target == null) {
            return null;
        }
        Read read = read(q(m.group(2), db, sc), null, true);
        List<Map<String, String>> rows = new ArrayList<>();
        if (m.group(3) == null) {
            for (Map<String, String> r : read.rows) {
                Map<String, String> row = new LinkedHashMap<>();
                for (ColumnDef c : target.columns()) {
                    row.put(c.name(), r.get(c.name()));
                }
                rows.add(row);
            }
        }
        target.transaction(tx -> rows.forEach(r -> tx.insert(passThrough(r))));
        if (read.stream != null) {
            consumed(read);
        }
        return dml("number of rows inserted", rows.size());
    }

    private static Map<String, Object> passThrough(Map<String, String> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v == null ? null : new Literal(v)));
        return out;
    }

    private SqlService.Result select(Matcher m, String db, String sc) {
        String source = q(m.group(1), db, sc);
        if (store.find(source).isEmpty() && store.stream(source).isEmpty()) {
            return null;
        }
        java.util.function.Predicate<Map<String, String>> where = r -> true;
        Read read;
        List<Map<String, String>> rows;
        if (store.stream(source).isPresent()) {
            read = read(source, m.group(2), false);
            rows = new ArrayList<>(read.rows);
        } else { // a table: filtered as stored, only what passes is sorted and answered (a keyset page of a big batch)
            TrackedTable t = store.find(source).orElseThrow();
            read = new Read(t.columns(), List.of(), null, version(t, m.group(2)));
            rows = null;
        }
        if (m.group(3) != null) {
            ColumnDef c = columnOf(read.columns, m.group(3));
            String api = SnowflakeText.apiType(c.type());
            String literal = unquote(m.group(5));
            boolean greater = ">".equals(m.group(4));
            where = r -> {
                int cmp = compare(api, r.get(c.name()), literal);
                return greater ? cmp > 0 : cmp == 0;
            };
        }
        if (rows == null) {
            rows = store.find(source).orElseThrow().scanAt(read.version, where);
        } else {
            rows.removeIf(where.negate());
        }
        if (m.group(6) != null) {
            rows.sort(comparator(read.columns, m.group(6)));
        }
        if (m.group(7) != null) {
            int limit = Integer.parseInt(m.group(7));
            if (rows.size() > limit) {
                rows = rows.subList(0, limit);
            }
        }
        return answer(read.columns, rows);
    }

    /** A result of these columns, each row's values taken by column name (absent: NULL). */
    private static SqlService.Result answer(List<ColumnDef> columns, List<Map<String, String>> rows) {
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (ColumnDef c : columns) {
            names.add(c.name());
            types.add(c.type());
        }
        SqlService.Result r = typed(names, types);
        for (Map<String, String> row : rows) {
            String[] values = new String[names.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.get(names.get(i));
            }
            r.row(values);
        }
        return r;
    }

    /** A table's columns and the three change metadata columns, as a stream or CHANGES answers them. */
    private static List<ColumnDef> changeColumns(TrackedTable t) {
        List<ColumnDef> columns = new ArrayList<>(t.columns());
        columns.add(new ColumnDef(ACTION, "VARCHAR", false));
        columns.add(new ColumnDef(IS_UPDATE, "BOOLEAN", false));
        columns.add(new ColumnDef(ROW_ID, "VARCHAR", false));
        return columns;
    }

    /** Net changes as change rows: an update is a DELETE row and an INSERT row, both with ISUPDATE = TRUE. */
    private static List<Map<String, String>> changeRows(List<TrackedTable.Change> changes) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (TrackedTable.Change c : changes) {
            boolean update = c.before() != null && c.after() != null;
            if (c.before() != null) {
                rows.add(changeRow(c.before(), "DELETE", update, c.rowId()));
            }
            if (c.after() != null) {
                rows.add(changeRow(c.after(), "INSERT", update, c.rowId()));
            }
        }
        return rows;
    }

    /**
     * {@code SELECT * FROM t CHANGES(INFORMATION => DEFAULT | APPEND_ONLY) AT(TIMESTAMP => TO_TIMESTAMP_LTZ(ms, 3))
     * [END(TIMESTAMP => TO_TIMESTAMP_LTZ(ms, 3))] [ORDER BY ...]}: the net delta (or the inserts) between the version
     * current at AT (changes stamped at or before it are in the baseline) and the version current at END (inclusive;
     * now when absent). Read-only: it moves nothing and, unlike a stream, extends no retention. Fails with {@code 000707}
     * when AT is older than the table's Time Travel horizon, and when change tracking was off at AT.
     */
    private SqlService.Result changes(Matcher m, String db, String sc) {
        String name = q(m.group(1), db, sc);
        TrackedTable t = store.find(name).orElseThrow(() -> new SqlService.SqlError("002003", "42S02",
                "SQL compilation error:\nObject '" + name + "' does not exist or not authorized."));
        boolean appendOnly = "APPEND_ONLY".equalsIgnoreCase(m.group(2));
        long at = Long.parseLong(m.group(3));
        long now = store.clock().millis();
        long from = t.versionAt(at);
        if (at < t.timeTravelHorizon(now) || from < 0) {
            throw new SqlService.SqlError("000707", "02000", "Time travel data is not available for table " + t.name()
                    + ". The requested time is either beyond the allowed time travel period or before the object creation time.");
        }
        if (!t.changeTracking() || from < t.trackedSince()) {
            throw new SqlService.SqlError("000707", "02000", "Change tracking is not enabled or has been turned off for table "
                    + t.name() + " at the requested time " + Instant.ofEpochMilli(at) + ".");
        }
        long to = m.group(4) == null ? t.latestVersion() : t.versionAt(Long.parseLong(m.group(4)));
        List<ColumnDef> columns = changeColumns(t);
        List<Map<String, String>> rows = changeRows(t.delta(from, Math.max(from, to), appendOnly));
        Collections.shuffle(rows, shuffle);
        if (m.group(5) != null) {
            rows.sort(comparator(columns, m.group(5)));
        }
        return answer(columns, rows);
    }

    private record Read(List<ColumnDef> columns, List<Map<String, String>> rows, ChangeStore.Stream stream, long version) {
    }

    /** Reads a table (at a time, or now) or a stream (its delta up to now; never moves it). */
    private Read read(String source, String atMillis, boolean forWrite) {
        ChangeStore.Stream s = store.stream(source).orElse(null);
        if (s != null) {
            requireFresh(s);
            TrackedTable t = s.table;
            long to = t.latestVersion();
            List<ColumnDef> columns = changeColumns(t);
            List<Map<String, String>> rows = changeRows(t.delta(s.offset, to, s.appendOnly));
            for (ColumnDef c : t.columns()) {
                if (!c.nullable() && rows.stream().anyMatch(r -> r.get(c.name()) == null)) {
                    throw new SqlService.SqlError("100072", "22000", "NULL result in a non-nullable column"
                            + " (column " + c.name() + " of " + t.name() + ", read through stream " + s.name + ")");
                }
            }
            Collections.shuffle(rows, shuffle);
            return new Read(columns, rows, s, to);
        }
        TrackedTable t = store.find(source).orElseThrow(() -> new SqlService.SqlError("002003", "42S02",
                "SQL compilation error:\nObject '" + source + "' does not exist or not authorized."));
        long version = version(t, atMillis);
        return new Read(t.columns(), new ArrayList<>(t.rowsAt(version).values()), null, version);
    }

    /** The table's version at an {@code AT(TIMESTAMP => ...)} (epoch ms), or its latest when there is none. */
    private static long version(TrackedTable t, String atMillis) {
        if (atMillis == null) {
            return t.latestVersion();
        }
        long version = t.versionAt(Long.parseLong(atMillis));
        if (version < 0) {
            throw new SqlService.SqlError("000707", "02000", "Time travel data is not available for table " + t.name()
                    + ". The requested time is either beyond the allowed time travel period or before the object creation time.");
        }
        return version;
    }

    private static Map<String, String> changeRow(Map<String, String> image, String action, boolean update, String rowId) {
        Map<String, String> row = new LinkedHashMap<>(image);
        row.put(ACTION, action);
        row.put(IS_UPDATE, Boolean.toString(update));
        row.put(ROW_ID, rowId);
        return row;
    }

    private void requireFresh(ChangeStore.Stream s) {
        String why = store.staleness(s);
        if (why != null) {
            throw new SqlService.SqlError("091901", "01000", "Stream " + s.name + " is stale: " + why + ". Recreate the stream"
                    + " (its unconsumed changes are lost).");
        }
    }

    private ChangeStore.Stream stream(String name) {
        return store.stream(name).orElseThrow(() -> new SqlService.SqlError("002003", "02000",
                "SQL compilation error:\nStream '" + name + "' does not exist or not authorized."));
    }

    private static SqlService.SqlError privileges(TrackedTable t) {
        return new SqlService.SqlError("003001", "42501", "SQL access control error:\nInsufficient privileges to operate on table '"
                + Identifiers.split(t.name()).get(2) + "'. Change tracking is not enabled on it, and only its owner (" + t.owner()
                + ") can enable it: ALTER TABLE " + t.name() + " SET CHANGE_TRACKING = TRUE");
    }

    private static SqlService.Result typed(List<String> names, List<String> types) {
        return new SqlService.Result(names, types);
    }

    private static SqlService.Result dml(String column, int count) {
        return typed(List.of(column), List.of("NUMBER(38,0)")).row(Integer.toString(count));
    }

    private static String q(String name, String db, String sc) {
        return Identifiers.qualify(name, db, sc);
    }

    private static ColumnDef column(TrackedTable t, String name) {
        ColumnDef c = t.column(name.trim());
        if (c == null) {
            throw new SqlService.SqlError("000904", "42000", "SQL compilation error: error line 1 at position 0\ninvalid identifier '"
                    + name.trim() + "'");
        }
        return c;
    }

    private static ColumnDef columnOf(List<ColumnDef> columns, String name) {
        String n = Identifiers.normalize(name.trim());
        for (ColumnDef c : columns) {
            if (c.name().equals(n)) {
                return c;
            }
        }
        throw new SqlService.SqlError("000904", "42000", "SQL compilation error: error line 1 at position 0\ninvalid identifier '"
                + name.trim() + "'");
    }

    /** A SQL literal as the SQL API text of the column's type: quoted strings, numbers, TRUE/FALSE, NULL. */
    private static String literal(ColumnDef c, String literal) {
        String l = literal.trim();
        if ("NULL".equalsIgnoreCase(l)) {
            return null;
        }
        String v = unquote(l);
        return "fixed".equals(SnowflakeText.apiType(c.type())) ? SnowflakeText.encode(c.type(), v) : v;
    }

    private static String unquote(String literal) {
        String l = literal.trim();
        return l.startsWith("'") && l.endsWith("'") ? l.substring(1, l.length() - 1).replace("''", "'") : l;
    }

    private static java.util.function.Predicate<Map<String, String>> where(TrackedTable t, String column, String literal, int[] count) {
        if (column == null) {
            return row -> {
                count[0]++;
                return true;
            };
        }
        ColumnDef c = column(t, column);
        String text = literal(c, literal);
        return row -> {
            boolean hit = compare(c, row.get(c.name()), text) == 0;
            if (hit) {
                count[0]++;
            }
            return hit;
        };
    }

    private static Comparator<Map<String, String>> comparator(List<ColumnDef> columns, String orderBy) {
        Comparator<Map<String, String>> cmp = null;
        for (String part : SqlService.splitTopLevel(orderBy)) {
            String p = part.trim().replaceAll("(?i)\\s+ASC$", "");
            ColumnDef c = columnOf(columns, p);
            String api = SnowflakeText.apiType(c.type());
            Comparator<Map<String, String>> next = (a, b) -> compare(api, a.get(c.name()), b.get(c.name()));
            cmp = cmp == null ? next : cmp.thenComparing(next);
        }
        return cmp;
    }

    /** Compares two SQL API texts of a column: numerically for numbers, dates and times, else as strings; NULL last. */
    static int compare(ColumnDef c, String a, String b) {
        return compare(SnowflakeText.apiType(c.type()), a, b);
    }

    /** {@link #compare(ColumnDef, String, String)} with the column's SQL API type already known. */
    static int compare(String api, String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (api.equals("fixed") || api.equals("real") || api.equals("date") || api.startsWith("time")) {
            if (a.length() < 18 && b.length() < 18 && a.indexOf('.') < 0 && b.indexOf('.') < 0 && a.indexOf(' ') < 0
                    && b.indexOf(' ') < 0) {
                try {
                    return Long.compare(Long.parseLong(a), Long.parseLong(b)); // the common case, without BigDecimal
                } catch (NumberFormatException e) {
                    // not an integer: compare as decimals
                }
            }
            try {
                return new BigDecimal(a.split(" ")[0]).compareTo(new BigDecimal(b.split(" ")[0]));
            } catch (NumberFormatException e) {
                return a.compareTo(b);
            }
        }
        return a.compareTo(b);
    }

    private static Pattern likePattern(String like) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char ch = like.charAt(i);
            if (ch == '\\' && i + 1 < like.length()) {
                re.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (ch == '%') {
                re.append(".*");
            } else if (ch == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
