package io.ksbridge.testkit.emulator;

import static io.ksbridge.testkit.emulator.ChangeText.q;
import static io.ksbridge.testkit.emulator.ChangeText.typed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;

/**
 * The change model's reads ({@link ChangeSql} matches them): {@code SELECT} on tables (at a time) and streams (which a
 * SELECT never moves), the {@code CHANGES} clause, {@code CREATE TABLE ... AS SELECT} (which consumes a stream it
 * reads), {@code SYSTEM$STREAM_HAS_DATA} and {@code CURRENT_TIMESTAMP()}. A stream's or a window's rows come in no
 * particular order (shuffled on purpose, as Snowflake promises none). Thread-safe (the store and tables lock).
 */
final class ChangeReads {
    static final String ACTION = "METADATA$ACTION";
    static final String IS_UPDATE = "METADATA$ISUPDATE";
    static final String ROW_ID = "METADATA$ROW_ID";

    private final ChangeStore store;
    private final Random shuffle = new Random();

    ChangeReads(ChangeStore store) {
        this.store = store;
    }

    /** {@code SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())}: the emulator clock. */
    SqlService.Result now() {
        return typed(List.of("NOW"), List.of("NUMBER(38,0)")).row(Long.toString(store.clock().millis()));
    }

    /** {@code SELECT SYSTEM$STREAM_HAS_DATA('s')}: group 1 the stream's name as a literal. */
    SqlService.Result hasData(Matcher m, String db, String sc) {
        ChangeStore.Stream s = stream(q(m.group(1).replace("''", "'"), db, sc));
        requireFresh(s);
        boolean has = s.table.changedSince(s.offset, s.appendOnly);
        if (!has) {
            s.consumedAt = store.clock().millis(); // an empty stream probed FALSE does not go stale
        }
        return typed(List.of("SYSTEM$STREAM_HAS_DATA('" + s.name + "')"), List.of("BOOLEAN")).row(Boolean.toString(has));
    }

    SqlService.Result ctas(Matcher m, String db, String sc) {
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
            rows.sort(ChangeText.comparator(columns, m.group(5)));
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
    void consumed(Read read) {
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

    SqlService.Result select(Matcher m, String db, String sc) {
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
            ColumnDef c = ChangeText.columnOf(read.columns, m.group(3));
            String api = SnowflakeText.apiType(c.type());
            String literal = ChangeText.unquote(m.group(5));
            boolean greater = ">".equals(m.group(4));
            where = r -> {
                int cmp = ChangeText.compare(api, r.get(c.name()), literal);
                return greater ? cmp > 0 : cmp == 0;
            };
        }
        if (rows == null) {
            rows = store.find(source).orElseThrow().scanAt(read.version, where);
        } else {
            rows.removeIf(where.negate());
        }
        if (m.group(6) != null) {
            rows.sort(ChangeText.comparator(read.columns, m.group(6)));
        }
        rows = limit(rows, m.group(7), m.group(8));
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
     * [END(TIMESTAMP => TO_TIMESTAMP_LTZ(ms, 3))] [ORDER BY ...] [LIMIT n [OFFSET k]]}: the net delta (or the inserts) between the version
     * current at AT (changes stamped at or before it are in the baseline) and the version current at END (inclusive;
     * now when absent). Read-only: it moves nothing and, unlike a stream, extends no retention. Fails with {@code 000707}
     * when AT is older than the table's Time Travel horizon, and when change tracking was off at AT.
     */
    SqlService.Result changes(Matcher m, String db, String sc) {
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
            rows.sort(ChangeText.comparator(columns, m.group(5)));
        }
        return answer(columns, limit(rows, m.group(6), m.group(7)));
    }

    /** {@code LIMIT n [OFFSET k]}: rows k+1 .. k+n of an ordered result (all of them without a LIMIT). */
    private static List<Map<String, String>> limit(List<Map<String, String>> rows, String limit, String offset) {
        if (limit == null) {
            return rows;
        }
        int from = offset == null ? 0 : (int) Math.min(rows.size(), Long.parseLong(offset));
        int to = (int) Math.min(rows.size(), from + Long.parseLong(limit));
        return rows.subList(from, to);
    }

    record Read(List<ColumnDef> columns, List<Map<String, String>> rows, ChangeStore.Stream stream, long version) {
    }

    /** Reads a table (at a time, or now) or a stream (its delta up to now; never moves it). */
    Read read(String source, String atMillis, boolean forWrite) {
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
}
