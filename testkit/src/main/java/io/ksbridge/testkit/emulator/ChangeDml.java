package io.ksbridge.testkit.emulator;

import static io.ksbridge.testkit.emulator.ChangeText.column;
import static io.ksbridge.testkit.emulator.ChangeText.dml;
import static io.ksbridge.testkit.emulator.ChangeText.literal;
import static io.ksbridge.testkit.emulator.ChangeText.passThrough;
import static io.ksbridge.testkit.emulator.ChangeText.q;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;

/**
 * The change model's DML on tracked tables ({@link ChangeSql} matches it): {@code INSERT ... VALUES}, {@code INSERT
 * INTO t SELECT * FROM s} (consumes a stream s), {@code UPDATE ... SET ... [WHERE c = v]}, {@code DELETE ... [WHERE c =
 * v]}, {@code TRUNCATE}. Each statement commits one table version. Thread-safe (the tables lock).
 */
final class ChangeDml {
    private final ChangeStore store;
    private final ChangeReads reads;

    ChangeDml(ChangeStore store, ChangeReads reads) {
        this.store = store;
        this.reads = reads;
    }

    /** {@code INSERT INTO t (c, ...) VALUES (...), ...}: groups 1 table, 2 columns, 3 tuples; null when t is not tracked. */
    SqlService.Result insertValues(Matcher m, String db, String sc) {
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

    /** {@code UPDATE t SET c = v, ... [WHERE c = v]}: groups 1 table, 2 assignments, 3-4 where; null when t is not tracked. */
    SqlService.Result update(Matcher m, String db, String sc) {
        TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
        if (t == null) {
            return null;
        }
        Map<String, Object> set = new LinkedHashMap<>();
        for (String assignment : SqlService.splitTopLevel(m.group(2))) {
            int eq = assignment.indexOf('=');
            ColumnDef c = column(t, assignment.substring(0, eq));
            set.put(c.name(), new ChangeText.Literal(literal(c, assignment.substring(eq + 1))));
        }
        int[] count = {0};
        Predicate<Map<String, String>> where = ChangeText.where(t, m.group(3), m.group(4), count);
        t.transaction(tx -> tx.updateWhere(where, set));
        return dml("number of rows updated", count[0]);
    }

    /** {@code DELETE FROM t [WHERE c = v]}: groups 1 table, 2-3 where; null when t is not tracked. */
    SqlService.Result delete(Matcher m, String db, String sc) {
        TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
        if (t == null) {
            return null;
        }
        int[] count = {0};
        Predicate<Map<String, String>> where = ChangeText.where(t, m.group(2), m.group(3), count);
        t.transaction(tx -> tx.deleteWhere(where));
        return dml("number of rows deleted", count[0]);
    }

    /** {@code TRUNCATE TABLE t}: group 1 table; null when t is not tracked. */
    SqlService.Result truncate(Matcher m, String db, String sc) {
        TrackedTable t = store.find(q(m.group(1), db, sc)).orElse(null);
        if (t == null) {
            return null;
        }
        t.truncate();
        return SqlService.Result.status("Statement executed successfully.");
    }

    /** {@code INSERT INTO t SELECT * FROM s [WHERE 0 = 1]}: consumes s when it is a stream; null when t is not tracked. */
    SqlService.Result insertSelect(Matcher m, String db, String sc) {
        TrackedTable target = store.find(q(m.group(1), db, sc)).orElse(null);
        if (target == null) {
            return null;
        }
        ChangeReads.Read read = reads.read(q(m.group(2), db, sc), null, true);
        List<Map<String, String>> rows = new ArrayList<>();
        if (m.group(3) == null) {
            for (Map<String, String> r : read.rows()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (ColumnDef c : target.columns()) {
                    row.put(c.name(), r.get(c.name()));
                }
                rows.add(row);
            }
        }
        target.transaction(tx -> rows.forEach(r -> tx.insert(passThrough(r))));
        if (read.stream() != null) {
            reads.consumed(read);
        }
        return dml("number of rows inserted", rows.size());
    }
}
