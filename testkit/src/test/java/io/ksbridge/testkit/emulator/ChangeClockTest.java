package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The clock a CHANGES reader is tested with (frozen, commits stamped in the past) and LIMIT / OFFSET on its reads. */
class ChangeClockTest {
    private static SnowflakeEmulator emulator;
    private static SqlApiClient sql;

    @BeforeAll
    static void start() {
        emulator = SnowflakeEmulator.start();
        sql = SqlApiClient.create(emulator.account());
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static TrackedTable table(String name) {
        TrackedTable t = emulator.changes().createTable("DB.PUBLIC." + name, List.of("ID"), new ColumnDef("ID", "NUMBER(38,0)", false),
                new ColumnDef("NAME", "VARCHAR", true));
        return t.changeTracking(true);
    }

    private static List<String> ids(SqlResult r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.rowCount(); i++) {
            out.add(r.columnIndex("METADATA$ACTION") < 0 ? r.get(i, "ID") : r.get(i, "METADATA$ACTION").charAt(0) + r.get(i, "ID"));
        }
        return out;
    }

    private static String window(String table, long at, long end) {
        return "SELECT * FROM " + table + " CHANGES(INFORMATION => DEFAULT) AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + at + ", 3))"
                + " END(TIMESTAMP => TO_TIMESTAMP_LTZ(" + end + ", 3)) ORDER BY METADATA$ROW_ID, METADATA$ACTION";
    }

    @Test
    void frozenClock_answersOneTime_advanceMovesIt_stampedCommitsLandInThePast() {
        ChangeClock clock = emulator.changes().clock();
        TrackedTable t = table("C1");
        clock.advance(Duration.ofSeconds(10)).freeze();
        try {
            long f = clock.millis();
            assertEquals(Long.toString(f), sql.execute("SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())").rows().get(0).get(0));
            clock.stampNextCommit(f - 5_000);
            t.insert(Map.of("ID", 1, "NAME", "late"));
            assertEquals(f - 5_000, t.versionTime(t.version()));
            assertEquals(f, clock.millis(), "a stamped commit does not move the clock");
            // a window that ended before the stamp never holds it; one that reaches it does
            assertEquals(List.of(), ids(sql.execute(window("DB.PUBLIC.C1", f - 6_000, f - 5_001))));
            assertEquals(List.of("I1"), ids(sql.execute(window("DB.PUBLIC.C1", f - 5_001, f - 5_000))));
            assertEquals("a commit cannot be stamped after the clock's now (" + f + "), was " + (f + 1),
                    assertThrows(IllegalArgumentException.class, () -> clock.stampNextCommit(f + 1)).getMessage());
            clock.stampNextCommit(f - 6_000);
            assertThrows(IllegalStateException.class, () -> t.insert(Map.of("ID", 2, "NAME", "before the newest")));
            assertEquals(1, t.rowCount(), "a refused stamp commits nothing");
            clock.advance(Duration.ofMillis(250));
            assertEquals(f + 250, clock.millis());
        } finally {
            clock.unfreeze();
        }
        long after = clock.millis();
        assertTrue(after >= t.versionTime(t.version()) && clock.millis() >= after, "runs on from where it stood");
    }

    @Test
    void limitAndOffset_onChangesAndOnTimeTravelSelects() {
        TrackedTable t = table("C2");
        long before = t.versionTime(t.version());
        t.transaction(tx -> {
            for (int i = 1; i <= 5; i++) {
                tx.insert(Map.of("ID", i, "NAME", "n" + i));
            }
        });
        long end = t.versionTime(t.version());
        List<String> all = ids(sql.execute(window("DB.PUBLIC.C2", before, end)));
        assertEquals(5, all.size());
        assertEquals(all.subList(0, 2), ids(sql.execute(window("DB.PUBLIC.C2", before, end) + " LIMIT 2")));
        assertEquals(all.subList(2, 4), ids(sql.execute(window("DB.PUBLIC.C2", before, end) + " LIMIT 2 OFFSET 2")));
        assertEquals(all.subList(4, 5), ids(sql.execute(window("DB.PUBLIC.C2", before, end) + " LIMIT 2 OFFSET 4")));
        assertEquals(List.of(), ids(sql.execute(window("DB.PUBLIC.C2", before, end) + " LIMIT 2 OFFSET 9")));
        t.delete("ID", 2);
        assertEquals(List.of("3", "4"), ids(sql.execute("SELECT * FROM DB.PUBLIC.C2 AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + end
                + ", 3)) ORDER BY \"ID\", \"NAME\" LIMIT 2 OFFSET 2")), "the table as it was at end, rows 3 and 4 of it");
    }
}
