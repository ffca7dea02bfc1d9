package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's streams, CTAS consumption, staleness, partitions and the SQL API's request rules. */
class ChangeTrackingTest {
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

    private static TrackedTable orders(String name) {
        return emulator.changes().createTable("DB.PUBLIC." + name, List.of("ID"), new ColumnDef("ID", "NUMBER(38,0)", false),
                new ColumnDef("NAME", "VARCHAR", true));
    }

    private static Map<String, Object> row(long id, String name) {
        Map<String, Object> r = new HashMap<>();
        r.put("ID", id);
        r.put("NAME", name);
        return r;
    }

    /** (action, isupdate, id, name) per stream row, sorted for comparison. */
    private static List<String> changes(SqlResult r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.rowCount(); i++) {
            out.add(r.get(i, "METADATA$ACTION") + " " + r.get(i, "METADATA$ISUPDATE") + " " + r.get(i, "ID") + " " + r.get(i, "NAME"));
        }
        out.sort(null);
        return out;
    }

    @Test
    void stream_selectNeverAdvances_ctasConsumesNetChanges() {
        TrackedTable t = orders("T1");
        t.insert(row(1, "a"), row(2, "b"), row(3, "c"));
        sql.execute("CREATE STREAM IF NOT EXISTS DB.PUBLIC.T1_S ON TABLE DB.PUBLIC.T1");
        assertTrue(t.changeTracking(), "the first stream turns change tracking on");
        assertEquals("false", sql.execute("SELECT SYSTEM$STREAM_HAS_DATA('DB.PUBLIC.T1_S')").rows().get(0).get(0));
        t.update("ID", 1, Map.of("NAME", "a2"));
        t.update("ID", 1, Map.of("NAME", "a3"));
        t.delete("ID", 2);
        t.insert(row(4, "d"));
        t.update("ID", 4, Map.of("NAME", "d2"));
        t.insert(row(5, "e"));
        t.delete("ID", 5);
        assertEquals("true", sql.execute("SELECT SYSTEM$STREAM_HAS_DATA('DB.PUBLIC.T1_S')").rows().get(0).get(0));
        List<String> expected = List.of("DELETE false 2 b", "DELETE true 1 a", "INSERT false 4 d2", "INSERT true 1 a3");
        assertEquals(expected, changes(sql.execute("SELECT * FROM DB.PUBLIC.T1_S")));
        assertEquals(expected, changes(sql.execute("SELECT * FROM DB.PUBLIC.T1_S")), "a SELECT does not move the stream");
        sql.execute("CREATE TRANSIENT TABLE IF NOT EXISTS DB.PUBLIC.T1_B1 DATA_RETENTION_TIME_IN_DAYS = 0 AS SELECT *,"
                + " ROW_NUMBER() OVER (ORDER BY METADATA$ROW_ID, METADATA$ACTION) AS KSB_ROW FROM DB.PUBLIC.T1_S");
        assertEquals(0, sql.execute("SELECT * FROM DB.PUBLIC.T1_S").rowCount(), "the CTAS consumed the stream");
        SqlResult batch = sql.execute("SELECT * FROM DB.PUBLIC.T1_B1 ORDER BY KSB_ROW");
        assertEquals(expected, changes(batch));
        for (int i = 0; i < batch.rowCount(); i++) {
            assertEquals(Integer.toString(i + 1), batch.get(i, "KSB_ROW"));
        }
        // a pair shares its row id and is adjacent, DELETE first
        int del = -1;
        for (int i = 0; i < batch.rowCount(); i++) {
            if ("true".equals(batch.get(i, "METADATA$ISUPDATE")) && "DELETE".equals(batch.get(i, "METADATA$ACTION"))) {
                del = i;
            }
        }
        assertEquals(batch.get(del, "METADATA$ROW_ID"), batch.get(del + 1, "METADATA$ROW_ID"));
        assertEquals("INSERT", batch.get(del + 1, "METADATA$ACTION"));
        // the same CTAS again does nothing and does not consume newer changes
        t.insert(row(6, "f"));
        sql.execute("CREATE TRANSIENT TABLE IF NOT EXISTS DB.PUBLIC.T1_B1 AS SELECT * FROM DB.PUBLIC.T1_S");
        assertEquals(List.of("INSERT false 6 f"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T1_S")));
        assertEquals(4, sql.execute("SELECT * FROM DB.PUBLIC.T1_B1 WHERE KSB_ROW > 0 ORDER BY KSB_ROW LIMIT 10").rowCount());
        assertEquals(2, sql.execute("SELECT * FROM DB.PUBLIC.T1_B1 WHERE KSB_ROW > 2 ORDER BY KSB_ROW LIMIT 10").rowCount());
    }

    @Test
    void appendOnly_ignoresUpdatesAndDeletes_truncateDeletesEveryRow() {
        TrackedTable t = orders("T2");
        t.insert(row(1, "a"));
        sql.execute("CREATE STREAM DB.PUBLIC.T2_A ON TABLE DB.PUBLIC.T2 APPEND_ONLY = TRUE");
        sql.execute("CREATE STREAM DB.PUBLIC.T2_S ON TABLE DB.PUBLIC.T2");
        t.insert(row(2, "b"));
        t.delete("ID", 2);
        t.update("ID", 1, Map.of("NAME", "z"));
        assertEquals(List.of("INSERT false 2 b"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T2_A")));
        t.truncate();
        assertEquals(List.of("DELETE false 1 a"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T2_S")));
    }

    @Test
    void streamAt_andTableAt_nameTheSameVersion() {
        TrackedTable t = orders("T3");
        t.insert(row(1, "a"));
        sql.execute("ALTER TABLE DB.PUBLIC.T3 SET CHANGE_TRACKING = TRUE");
        long t0 = Long.parseLong(sql.execute("SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())").rows().get(0).get(0));
        t.insert(row(2, "b"));
        sql.execute("CREATE STREAM DB.PUBLIC.T3_S ON TABLE DB.PUBLIC.T3 AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + t0 + ", 3))");
        sql.execute("CREATE TRANSIENT TABLE DB.PUBLIC.T3_B0 AS SELECT * FROM DB.PUBLIC.T3 AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + t0 + ", 3))");
        assertEquals(List.of(List.of("1", "a")), sql.execute("SELECT * FROM DB.PUBLIC.T3_B0").rows());
        assertEquals(List.of("INSERT false 2 b"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T3_S")));
    }

    @Test
    void stale_afterRetention_probeFalseKeepsFresh_recreatedTableStale() {
        TrackedTable t = orders("T4").retention(1, 14);
        sql.execute("CREATE STREAM DB.PUBLIC.T4_S ON TABLE DB.PUBLIC.T4");
        emulator.changes().clock().advance(Duration.ofDays(10));
        assertEquals("false", sql.execute("SELECT SYSTEM$STREAM_HAS_DATA('DB.PUBLIC.T4_S')").rows().get(0).get(0));
        emulator.changes().clock().advance(Duration.ofDays(10));
        assertEquals("false", sql.execute("SHOW STREAMS LIKE 'T4_S' IN SCHEMA DB.PUBLIC").get(0, "stale"),
                "a FALSE probe 10 days ago kept it fresh");
        t.insert(row(1, "a"));
        emulator.changes().clock().advance(Duration.ofDays(15));
        assertEquals("true", sql.execute("SHOW STREAMS LIKE 'T4_S' IN SCHEMA DB.PUBLIC").get(0, "stale"));
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class, () -> sql.execute("SELECT * FROM DB.PUBLIC.T4_S"));
        assertTrue(e.getMessage().contains("stale"), e.getMessage());

        orders("T5");
        sql.execute("CREATE STREAM DB.PUBLIC.T5_S ON TABLE DB.PUBLIC.T5");
        emulator.changes().recreateTable("DB.PUBLIC.T5");
        assertEquals("true", sql.execute("SHOW STREAMS LIKE 'T5_S' IN SCHEMA DB.PUBLIC").get(0, "stale"));
    }

    @Test
    void nonOwner_cannotStartChangeTracking() {
        orders("T6").owner("SYSADMIN");
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class,
                () -> sql.execute("CREATE STREAM DB.PUBLIC.T6_S ON TABLE DB.PUBLIC.T6"));
        assertTrue(e.getMessage().contains("ALTER TABLE DB.PUBLIC.T6 SET CHANGE_TRACKING = TRUE"), e.getMessage());
    }

    @Test
    void types_areWrittenInTheSqlApiTextForms() {
        TrackedTable t = emulator.changes().createTable("DB.PUBLIC.TYPES", List.of(), new ColumnDef("N", "NUMBER(38,0)", true),
                new ColumnDef("D", "NUMBER(10,2)", true), new ColumnDef("DT", "DATE", true), new ColumnDef("TM", "TIME", true),
                new ColumnDef("NTZ", "TIMESTAMP_NTZ", true), new ColumnDef("LTZ", "TIMESTAMP_LTZ", true),
                new ColumnDef("TZ", "TIMESTAMP_TZ", true), new ColumnDef("B", "BINARY", true), new ColumnDef("F", "FLOAT", true),
                new ColumnDef("BO", "BOOLEAN", true));
        Map<String, Object> r = new HashMap<>();
        r.put("N", new java.math.BigInteger("123456789012345678901234567890"));
        r.put("D", new java.math.BigDecimal("12345678.9"));
        r.put("DT", LocalDate.of(1900, 1, 1));
        r.put("TM", LocalTime.of(12, 34, 56, 123_456_789));
        r.put("NTZ", LocalDateTime.of(2026, 10, 9, 8, 7, 6, 5));
        r.put("LTZ", Instant.ofEpochSecond(1_791_549_296L, 123_456_789));
        r.put("TZ", OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(7)));
        r.put("B", new byte[] {(byte) 0xCA, (byte) 0xFE});
        r.put("F", Double.NEGATIVE_INFINITY);
        r.put("BO", true);
        t.insert(r);
        SqlResult out = sql.execute("SELECT * FROM DB.PUBLIC.TYPES");
        assertEquals(List.of("123456789012345678901234567890", "12345678.90", "-25567", "45296.123456789",
                "1791533226.000000005", "1791549296.123456789", "1767200400.000000000 1860", "CAFE", "-inf", "true"),
                out.rows().get(0));
        assertEquals(List.of("fixed", "fixed", "date", "time", "timestamp_ntz", "timestamp_ltz", "timestamp_tz", "binary", "real",
                "boolean"), out.columnTypes().stream().map(SqlResult.Column::type).toList());
        assertEquals(2, out.columnTypes().get(1).scale());
    }

    @Test
    void largeResults_comeInGzipPartitions() {
        TrackedTable t = orders("T7");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            rows.add(row(i, "n" + i));
        }
        t.insertAll(rows);
        emulator.changes().partitionRows(1_000);
        try {
            SqlResult r = sql.execute("SELECT * FROM DB.PUBLIC.T7 ORDER BY ID");
            assertEquals(2_500, r.rowCount());
            assertEquals("2499", r.get(2_499, "ID"));
        } finally {
            emulator.changes().partitionRows(10_000);
        }
    }

    @Test
    void sqlApi_refusesLoneBegin_countMismatch_andRunsMultiStatements() throws Exception {
        orders("T8");
        SnowflakeSqlException begin = assertThrows(SnowflakeSqlException.class, () -> sql.execute("BEGIN"));
        assertEquals("391911", begin.code());
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"statement\":\"INSERT INTO DB.PUBLIC.T8 (ID, NAME) VALUES (1, 'a'); INSERT INTO DB.PUBLIC.T8 (ID, NAME)"
                + " VALUES (2, 'b')\"}";
        HttpResponse<String> mismatch = http.send(post(body), HttpResponse.BodyHandlers.ofString());
        assertEquals(422, mismatch.statusCode());
        assertTrue(mismatch.body().contains("000008"), mismatch.body());
        assertEquals(0, emulator.changes().table("DB.PUBLIC.T8").rowCount());
        String multi = "{\"statement\":\"BEGIN; INSERT INTO DB.PUBLIC.T8 (ID, NAME) VALUES (1, 'a'); UPDATE DB.PUBLIC.T8 SET NAME"
                + " = 'z' WHERE ID = 1; COMMIT\",\"parameters\":{\"MULTI_STATEMENT_COUNT\":\"0\"}}";
        HttpResponse<String> ok = http.send(post(multi), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(4, HttpJson.MAPPER.readTree(ok.body()).path("statementHandles").size());
        assertEquals("z", emulator.changes().table("DB.PUBLIC.T8").rows().get(0).get("NAME"));
        String bound = "{\"statement\":\"SELECT 1; SELECT 1\",\"parameters\":{\"MULTI_STATEMENT_COUNT\":\"2\"},"
                + "\"bindings\":{\"1\":{\"type\":\"FIXED\",\"value\":\"1\"}}}";
        assertEquals(422, http.send(post(bound), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void multiStatement_rollbackRecordsNothing_commitOneVersion_streamMovesOnlyOnCommit() throws Exception {
        TrackedTable t = orders("T10");
        t.insert(row(1, "a"));
        TrackedTable out = orders("T10_OUT");
        sql.execute("CREATE STREAM DB.PUBLIC.T10_S ON TABLE DB.PUBLIC.T10");
        t.insert(row(2, "b"));
        long version = t.version();
        HttpClient http = HttpClient.newHttpClient();
        String rolledBack = "{\"statement\":\"BEGIN; INSERT INTO DB.PUBLIC.T10 (ID, NAME) VALUES (3, 'c'); UPDATE DB.PUBLIC.T10"
                + " SET NAME = 'z' WHERE ID = 1; INSERT INTO DB.PUBLIC.T10_OUT SELECT * FROM DB.PUBLIC.T10_S WHERE 0 = 1;"
                + " ROLLBACK\",\"parameters\":{\"MULTI_STATEMENT_COUNT\":\"0\"}}";
        HttpResponse<String> r = http.send(post(rolledBack), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(version, t.version(), "a rolled-back transaction makes no version");
        assertEquals(List.of("a", "b"), t.rows().stream().map(m -> m.get("NAME")).toList());
        assertEquals(List.of("INSERT false 2 b"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T10_S")), "the stream did not move");
        String open = "{\"statement\":\"BEGIN; DELETE FROM DB.PUBLIC.T10 WHERE ID = 2\",\"parameters\":{\"MULTI_STATEMENT_COUNT\":"
                + "\"0\"}}";
        assertEquals(200, http.send(post(open), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(2, t.rowCount(), "a transaction left open when its request ends is rolled back");
        String committed = "{\"statement\":\"BEGIN; INSERT INTO DB.PUBLIC.T10 (ID, NAME) VALUES (3, 'c'); UPDATE DB.PUBLIC.T10"
                + " SET NAME = 'z' WHERE ID = 1; INSERT INTO DB.PUBLIC.T10_OUT SELECT * FROM DB.PUBLIC.T10_S WHERE 0 = 1; COMMIT\","
                + "\"parameters\":{\"MULTI_STATEMENT_COUNT\":\"0\"}}";
        assertEquals(200, http.send(post(committed), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(version + 1, t.version(), "one version for the whole transaction");
        assertEquals(List.of("z", "b", "c"), t.rows().stream().map(m -> m.get("NAME")).toList());
        assertEquals(0, out.rowCount());
        // the committed consumption moved the stream past row 2's insert (to the version it read, before this commit)
        assertEquals(List.of("DELETE true 1 a", "INSERT false 3 c", "INSERT true 1 z"),
                changes(sql.execute("SELECT * FROM DB.PUBLIC.T10_S")));
    }

    @Test
    void notNullOverHistoricalNulls_streamReadFails_namingTheColumn() {
        TrackedTable t = orders("T11");
        sql.execute("CREATE STREAM DB.PUBLIC.T11_S ON TABLE DB.PUBLIC.T11");
        Map<String, Object> nameless = row(1, "x");
        nameless.put("NAME", null);
        t.insert(nameless);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> t.setNotNull("NAME"));
        assertTrue(refused.getMessage().contains("contains null values"), refused.getMessage());
        t.update("ID", 1, Map.of("NAME", "now set"));
        t.setNotNull("NAME"); // no current row holds NULL; the stream's delta still starts before the NULL was replaced
        t.insert(row(2, "b"));
        assertEquals(2, changes(sql.execute("SELECT * FROM DB.PUBLIC.T11_S")).size(), "the net delta holds no NULL yet");
        TrackedTable u = orders("T12");
        u.insert(nameless);
        sql.execute("CREATE STREAM DB.PUBLIC.T12_S ON TABLE DB.PUBLIC.T12");
        u.update("ID", 1, Map.of("NAME", "set"));
        u.setNotNull("NAME");
        long offset = emulator.changes().streamOffset("DB.PUBLIC.T12_S");
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class,
                () -> sql.execute("CREATE TRANSIENT TABLE DB.PUBLIC.T12_B AS SELECT * FROM DB.PUBLIC.T12_S"));
        assertEquals("100072", e.code());
        assertTrue(e.getMessage().contains("NULL result in a non-nullable column") && e.getMessage().contains("NAME"), e.getMessage());
        assertEquals(offset, emulator.changes().streamOffset("DB.PUBLIC.T12_S"), "a failed CTAS consumes nothing");
        assertFalse(emulator.changes().find("DB.PUBLIC.T12_B").isPresent(), "and creates no table");
    }

    @Test
    void metering_probesAndMetadataNeedNoWarehouse_aScanResumesItForAtLeastAMinute() {
        Metering m = emulator.changes().metering().reset();
        TrackedTable t = orders("T13");
        t.insert(row(1, "a"));
        sql.execute("CREATE STREAM DB.PUBLIC.T13_S ON TABLE DB.PUBLIC.T13");
        for (int i = 0; i < 5; i++) {
            sql.execute("SELECT SYSTEM$STREAM_HAS_DATA('DB.PUBLIC.T13_S')");
        }
        sql.execute("SHOW STREAMS LIKE 'T13_S' IN SCHEMA DB.PUBLIC");
        sql.execute("SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())");
        assertEquals(0, m.warehouseResumes(), m.toString());
        assertEquals(5, m.streamProbes());
        assertEquals(8, m.cloudServicesStatements(), m.toString());
        assertEquals(0.0, m.billedWarehouseSeconds());
        sql.execute("SELECT * FROM DB.PUBLIC.T13");
        sql.execute("SELECT * FROM DB.PUBLIC.T13_S");
        assertEquals(1, m.warehouseResumes(), "two scans in a row: one resume");
        assertEquals(60.0, m.billedWarehouseSeconds(), "the 60-second minimum");
        emulator.changes().advance(Duration.ofMinutes(5));
        sql.execute("SELECT * FROM DB.PUBLIC.T13");
        assertEquals(2, m.warehouseResumes(), "suspended after AUTO_SUSPEND, resumed by the next scan");
        assertEquals(120.0, m.billedWarehouseSeconds(), 1.0, "two periods of the 60-second minimum (plus the milliseconds between the scans)");
    }

    private static String window(String table, String info, long at, long end) {
        return "SELECT * FROM " + table + " CHANGES(INFORMATION => " + info + ") AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + at
                + ", 3)) END(TIMESTAMP => TO_TIMESTAMP_LTZ(" + end + ", 3))";
    }

    @Test
    void changesClause_windowsChainAtTheBoundaryMillisecond_readOnly_appendOnly_andTimeTravelHorizon() {
        TrackedTable t = orders("T14");
        long untracked = t.versionTime(t.version());
        t.insert(row(1, "before tracking"));
        sql.execute("ALTER TABLE DB.PUBLIC.T14 SET CHANGE_TRACKING = TRUE");
        long c0 = t.versionTime(t.version()); // the version change tracking started at
        t.insert(row(2, "b"));
        long c1 = t.versionTime(t.version());
        t.update("ID", 2, Map.of("NAME", "b2"));
        t.insert(row(3, "c"));
        t.delete("ID", 3);
        long c2 = t.versionTime(t.version());
        // END is inclusive, AT's baseline already holds what committed at AT: [c0, c1] then [c1, c2] share nothing
        assertEquals(List.of("INSERT false 2 b"), changes(sql.execute(window("DB.PUBLIC.T14", "DEFAULT", c0, c1))));
        assertEquals(List.of("DELETE true 2 b", "INSERT true 2 b2"), changes(sql.execute(window("DB.PUBLIC.T14", "DEFAULT", c1, c2))));
        assertEquals(List.of("INSERT false 2 b2"), changes(sql.execute(window("DB.PUBLIC.T14", "DEFAULT", c0, c2))),
                "one window over both: the net delta");
        assertEquals(changes(sql.execute(window("DB.PUBLIC.T14", "DEFAULT", c1, c2))),
                changes(sql.execute(window("DB.PUBLIC.T14", "DEFAULT", c1, c2))), "re-readable: it moves nothing");
        assertEquals(List.of("INSERT false 3 c"), changes(sql.execute(window("DB.PUBLIC.T14", "APPEND_ONLY", c1, c2))),
                "append-only: the insert stays though the row was deleted");
        SnowflakeSqlException off = assertThrows(SnowflakeSqlException.class,
                () -> sql.execute(window("DB.PUBLIC.T14", "DEFAULT", untracked, c1)));
        assertEquals("000707", off.code(), "change tracking was off at AT");
        emulator.changes().advance(Duration.ofDays(2)); // past the 1-day retention: CHANGES extends nothing
        SnowflakeSqlException gone = assertThrows(SnowflakeSqlException.class,
                () -> sql.execute(window("DB.PUBLIC.T14", "DEFAULT", c1, c2)));
        assertEquals("000707", gone.code());
        assertTrue(gone.getMessage().contains("Time travel data is not available"), gone.getMessage());
    }

    @Test
    void lostResponseAfterCtas_retryDoesNotConsumeTwice() {
        TrackedTable t = orders("T9");
        sql.execute("CREATE STREAM DB.PUBLIC.T9_S ON TABLE DB.PUBLIC.T9");
        t.insert(row(1, "a"));
        emulator.changes().faults().on("CREATE TRANSIENT TABLE IF NOT EXISTS DB.PUBLIC.T9_B", ChangeStore.StatementFaults.Kind.DROP_RESPONSE_FORGET, 1);
        emulator.changes().faults().on("SELECT \\* FROM DB.PUBLIC.T9_B", ChangeStore.StatementFaults.Kind.SLOW_202, 1);
        // the client times out of the dropped answer and resubmits; the request id is forgotten, so it runs again:
        // IF NOT EXISTS makes that second run a no-op that consumes nothing
        SqlApiClient quick = SqlApiClient.builder(emulator.account()).requestTimeout(Duration.ofSeconds(1)).build();
        quick.execute("CREATE TRANSIENT TABLE IF NOT EXISTS DB.PUBLIC.T9_B AS SELECT * FROM DB.PUBLIC.T9_S");
        t.insert(row(2, "b"));
        assertEquals(List.of("INSERT false 1 a"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T9_B")));
        assertEquals(List.of("INSERT false 2 b"), changes(sql.execute("SELECT * FROM DB.PUBLIC.T9_S")));
        assertEquals(2, emulator.changes().faults().applied().size());
        assertFalse(emulator.changes().faults().applied().isEmpty());
    }

    private HttpRequest post(String body) {
        return HttpRequest.newBuilder(URI.create(emulator.account().url() + "/api/v2/statements"))
                .header("Authorization", "Bearer " + emulator.account().jwt().reveal())
                .header("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
