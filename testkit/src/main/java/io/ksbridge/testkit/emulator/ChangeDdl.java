package io.ksbridge.testkit.emulator;

import static io.ksbridge.testkit.emulator.ChangeText.privileges;
import static io.ksbridge.testkit.emulator.ChangeText.q;
import static io.ksbridge.testkit.emulator.ChangeText.typed;

import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The change model's DDL and catalog statements ({@link ChangeSql} matches them): change tracking on and off, table
 * renames and drops, streams created and dropped, {@code SHOW TABLES}, {@code SHOW STREAMS}, {@code SHOW PRIMARY
 * KEYS}. Thread-safe (the store locks).
 */
final class ChangeDdl {
    private final ChangeStore store;

    ChangeDdl(ChangeStore store) {
        this.store = store;
    }

    /** {@code ALTER TABLE t SET CHANGE_TRACKING = TRUE|FALSE}: groups 1 table, 2 on/off; null when t is not tracked. */
    SqlService.Result tracking(Matcher m, String db, String sc, String role) {
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

    /** {@code ALTER TABLE t RENAME TO u}: groups 1 from, 2 to; null when t is not tracked. */
    SqlService.Result rename(Matcher m, String db, String sc) {
        if (store.find(q(m.group(1), db, sc)).isEmpty()) {
            return null;
        }
        store.renameTable(q(m.group(1), db, sc), q(m.group(2), db, sc));
        return SqlService.Result.status("Statement executed successfully.");
    }

    /** {@code DROP STREAM [IF EXISTS] s}: groups 1 if-exists, 2 name. */
    SqlService.Result dropStream(Matcher m, String db, String sc) {
        String name = q(m.group(2), db, sc);
        if (!store.dropStream(name) && m.group(1) == null) {
            throw new SqlService.SqlError("002003", "02000", "SQL compilation error:\nStream '" + name
                    + "' does not exist or not authorized.");
        }
        return SqlService.Result.status(Identifiers.split(name).get(2) + " successfully dropped.");
    }

    /** {@code SHOW PRIMARY KEYS IN TABLE t}: group 1 table; null when t is not tracked. */
    SqlService.Result primaryKeys(Matcher m, String db, String sc) {
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

    /** {@code DROP TABLE [IF EXISTS] t}: groups 1 if-exists, 2 name; null when t is not tracked. */
    SqlService.Result dropTable(Matcher m, String db, String sc) {
        String name = q(m.group(2), db, sc);
        if (store.find(name).isEmpty()) {
            return null;
        }
        store.dropTable(name);
        return SqlService.Result.status(Identifiers.split(name).get(2) + " successfully dropped.");
    }

    SqlService.Result createStream(Matcher m, String db, String sc, String role) {
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

    SqlService.Result show(Matcher m, String db, String sc) {
        Pattern like = m.group(2) == null ? null : ChangeText.likePattern(m.group(2).replace("''", "'"));
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
}
