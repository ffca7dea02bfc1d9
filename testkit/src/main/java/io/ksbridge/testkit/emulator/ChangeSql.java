package io.ksbridge.testkit.emulator;

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
 *   <li>{@code SELECT * FROM x [AT(...)] [WHERE c > n] [ORDER BY c, ...] [LIMIT n [OFFSET k]]} on tables and streams
 *       (a stream read by SELECT does not move);</li>
 *   <li>{@code SELECT * FROM t CHANGES(INFORMATION => DEFAULT|APPEND_ONLY) AT(TIMESTAMP => TO_TIMESTAMP_LTZ(ms, 3))
 *       [END(TIMESTAMP => ...)] [ORDER BY ...] [LIMIT n [OFFSET k]]}: the read-only window between two times;</li>
 *   <li>{@code SHOW TABLES LIKE '...' IN SCHEMA d.s}, {@code SHOW PRIMARY KEYS IN TABLE t}, {@code DROP TABLE};</li>
 *   <li>DML on tracked tables: {@code INSERT INTO t (c, ...) VALUES (...), ...}, {@code INSERT INTO t SELECT * FROM s
 *       [WHERE 0 = 1]} (consumes s), {@code UPDATE t SET c = v, ... [WHERE c = v]}, {@code DELETE FROM t [WHERE c =
 *       v]}, {@code TRUNCATE TABLE t}.</li>
 * </ul>
 * A stream's rows come in no particular order (shuffled on purpose, as Snowflake promises none). This class matches
 * the statements and hands each to {@link ChangeDdl}, {@link ChangeReads} or {@link ChangeDml}.
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
            + "(DEFAULT|APPEND_ONLY)\\s*\\)\\s+AT" + TS + "(?:\\s+END" + TS + ")?(?:\\s+ORDER\\s+BY\\s+(.*?))?(?:\\s+LIMIT\\s+(\\d+)"
            + "(?:\\s+OFFSET\\s+(\\d+))?)?\\s*;?\\s*", I);
    private static final Pattern SELECT = Pattern.compile("\\s*SELECT\\s+\\*\\s+FROM\\s+" + N + AT
            + "(?:\\s+WHERE\\s+(\\S+)\\s*(>|=)\\s*('(?:[^']|'')*'|-?[0-9.]+))?(?:\\s+ORDER\\s+BY\\s+(.*?))?(?:\\s+LIMIT\\s+(\\d+)(?:\\s+OFFSET\\s+(\\d+))?)?\\s*;?\\s*", I);
    private static final Pattern DROP_TABLE = Pattern.compile("\\s*DROP\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?" + N + "\\s*;?\\s*", I);
    private static final Pattern INSERT_VALUES = Pattern.compile("\\s*INSERT\\s+INTO\\s+" + N + "\\s*\\(([^)]*)\\)\\s*VALUES\\s*(.*?)\\s*;?\\s*", I);
    private static final Pattern INSERT_SELECT = Pattern.compile(
            "\\s*INSERT\\s+INTO\\s+" + N + "\\s+SELECT\\s+\\*\\s+FROM\\s+" + N + "(\\s+WHERE\\s+0\\s*=\\s*1)?\\s*;?\\s*", I);
    private static final Pattern UPDATE = Pattern.compile("\\s*UPDATE\\s+" + N + "\\s+SET\\s+(.*?)(?:\\s+WHERE\\s+(\\S+)\\s*=\\s*('(?:[^']|'')*'|-?[0-9.]+|TRUE|FALSE))?\\s*;?\\s*", I);
    private static final Pattern DELETE = Pattern.compile("\\s*DELETE\\s+FROM\\s+" + N + "(?:\\s+WHERE\\s+(\\S+)\\s*=\\s*('(?:[^']|'')*'|-?[0-9.]+|TRUE|FALSE))?\\s*;?\\s*", I);
    private static final Pattern TRUNCATE = Pattern.compile("\\s*TRUNCATE\\s+(?:TABLE\\s+)?(?:IF\\s+EXISTS\\s+)?" + N + "\\s*;?\\s*", I);

    private final ChangeStore store;
    private final ChangeDdl ddl;
    private final ChangeReads reads;
    private final ChangeDml dml;

    ChangeSql(ChangeStore store) {
        this.store = store;
        this.ddl = new ChangeDdl(store);
        this.reads = new ChangeReads(store);
        this.dml = new ChangeDml(store, reads);
    }

    /** A statement's result, or null when the statement is not one of the change model's. */
    SqlService.Result execute(String sql, String db, String sc, String role) {
        store.metering().statement(sql);
        Matcher m;
        if (NOW.matcher(sql).matches()) {
            return reads.now();
        }
        if ((m = TRACKING.matcher(sql)).matches()) {
            return ddl.tracking(m, db, sc, role);
        }
        if ((m = RENAME.matcher(sql)).matches()) {
            return ddl.rename(m, db, sc);
        }
        if ((m = CREATE_STREAM.matcher(sql)).matches()) {
            return ddl.createStream(m, db, sc, role);
        }
        if ((m = DROP_STREAM.matcher(sql)).matches()) {
            return ddl.dropStream(m, db, sc);
        }
        if ((m = SHOW.matcher(sql)).matches()) {
            return ddl.show(m, db, sc);
        }
        if ((m = SHOW_PK.matcher(sql)).matches()) {
            return ddl.primaryKeys(m, db, sc);
        }
        if ((m = HAS_DATA.matcher(sql)).matches()) {
            return reads.hasData(m, db, sc);
        }
        if ((m = CTAS.matcher(sql)).matches()) {
            return reads.ctas(m, db, sc);
        }
        if ((m = CHANGES.matcher(sql)).matches()) {
            return reads.changes(m, db, sc);
        }
        if ((m = SELECT.matcher(sql)).matches()) {
            return reads.select(m, db, sc);
        }
        if ((m = DROP_TABLE.matcher(sql)).matches()) {
            return ddl.dropTable(m, db, sc);
        }
        if ((m = INSERT_SELECT.matcher(sql)).matches()) {
            return dml.insertSelect(m, db, sc);
        }
        if ((m = INSERT_VALUES.matcher(sql)).matches()) {
            return dml.insertValues(m, db, sc);
        }
        if ((m = UPDATE.matcher(sql)).matches()) {
            return dml.update(m, db, sc);
        }
        if ((m = DELETE.matcher(sql)).matches()) {
            return dml.delete(m, db, sc);
        }
        if ((m = TRUNCATE.matcher(sql)).matches()) {
            return dml.truncate(m, db, sc);
        }
        return null;
    }
}
