package io.ksbridge.source;

import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The SQL the bridge sends for one table, and the names of its objects: the stream {@code KSB_<NAME>_<hash>_S} and the
 * batch tables {@code KSB_<NAME>_<hash>_B<seq, 12 digits>} (TRANSIENT, no Time Travel), where the hash covers the
 * table and the position's {@code uid}. Every statement is a single autocommit statement (the SQL API keeps no session
 * between requests). Called on the bridge's thread.
 */
final class SnowflakeObjects {
    static final String ROW = "KSB$ROW";
    static final String ACTION = "METADATA$ACTION";
    static final String IS_UPDATE = "METADATA$ISUPDATE";
    static final String ROW_ID = "METADATA$ROW_ID";

    private final SqlApiClient sql;
    private final String table;
    private final String schema;
    private final String prefix;

    SnowflakeObjects(SqlApiClient sql, String bridgeName, String table, String stagingSchema, String uid) {
        this.sql = sql;
        this.table = table;
        List<String> parts = Names.split(table);
        this.schema = stagingSchema != null ? stagingSchema : parts.get(0) + "." + parts.get(1);
        String clean = bridgeName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        this.prefix = "KSB_" + clean + "_" + hash(table + "/" + uid);
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String stream() {
        return schema + "." + prefix + "_S";
    }

    String batch(long seq) {
        return schema + "." + prefix + "_B" + String.format(Locale.ROOT, "%012d", seq);
    }

    /** Snowflake's clock, epoch ms (no warehouse needed). */
    long now() {
        return Long.parseLong(sql.execute("SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())").rows().get(0).get(0));
    }

    /** One row of {@code SHOW TABLES} for the source table, or null when it does not exist. */
    SqlResult describeSource() {
        List<String> parts = Names.split(table);
        SqlResult r = sql.execute("SHOW TABLES LIKE " + Names.literal(parts.get(2)) + " IN SCHEMA " + Names.sql(parts.get(0) + "."
                + parts.get(1)));
        for (int i = 0; i < r.rowCount(); i++) {
            if (parts.get(2).equals(r.get(i, "name"))) {
                return new SqlResult(null, null, r.columnTypes(), List.of(r.rows().get(i)), true);
            }
        }
        return null;
    }

    void enableChangeTracking() {
        sql.execute("ALTER TABLE " + Names.sql(table) + " SET CHANGE_TRACKING = TRUE");
    }

    List<String> primaryKey() {
        SqlResult r = sql.execute("SHOW PRIMARY KEYS IN TABLE " + Names.sql(table));
        TreeMap<Integer, String> ordered = new TreeMap<>();
        for (int i = 0; i < r.rowCount(); i++) {
            ordered.put(Integer.parseInt(r.get(i, "key_sequence")), r.get(i, "column_name"));
        }
        return new ArrayList<>(ordered.values());
    }

    void createStream(long t0, boolean appendOnly) {
        sql.execute("CREATE STREAM IF NOT EXISTS " + Names.sql(stream()) + " ON TABLE " + Names.sql(table)
                + " AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + t0 + ", 3))" + (appendOnly ? " APPEND_ONLY = TRUE" : ""));
    }

    void dropStream() {
        sql.execute("DROP STREAM IF EXISTS " + Names.sql(stream()));
    }

    /** Why the stream is stale ({@code SHOW STREAMS}), or null when it is fresh. */
    String staleness() {
        String name = Names.split(stream()).get(2);
        SqlResult r = sql.execute("SHOW STREAMS LIKE " + Names.literal(name) + " IN SCHEMA " + Names.sql(schema));
        for (int i = 0; i < r.rowCount(); i++) {
            if (name.equals(r.get(i, "name")) && "true".equalsIgnoreCase(r.get(i, "stale"))) {
                String why = r.get(i, "invalid_reason");
                return why == null || why.isBlank() || "N/A".equals(why) ? "stale after " + r.get(i, "stale_after") : why;
            }
        }
        return null;
    }

    boolean hasData() {
        return Boolean.parseBoolean(sql.execute("SELECT SYSTEM$STREAM_HAS_DATA(" + Names.literal(Names.sql(stream())) + ")")
                .rows().get(0).get(0));
    }

    /** Consumes the stream into batch {@code seq} in one atomic statement; does nothing when the batch exists. */
    void consumeInto(long seq) {
        sql.execute("CREATE TRANSIENT TABLE IF NOT EXISTS " + Names.sql(batch(seq)) + " DATA_RETENTION_TIME_IN_DAYS = 0 AS SELECT *,"
                + " ROW_NUMBER() OVER (ORDER BY " + ROW_ID + ", " + ACTION + ") AS " + ROW + " FROM " + Names.sql(stream()));
    }

    /** Copies the table as it was at {@code t0} into batch 0. */
    void snapshotInto(long t0, List<String> orderBy) {
        sql.execute("CREATE TRANSIENT TABLE IF NOT EXISTS " + Names.sql(batch(0)) + " DATA_RETENTION_TIME_IN_DAYS = 0 AS SELECT *,"
                + " ROW_NUMBER() OVER (ORDER BY " + String.join(", ", quoted(orderBy)) + ") AS " + ROW + " FROM " + Names.sql(table)
                + " AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + t0 + ", 3))");
    }

    List<String> columns() {
        SqlResult r = sql.execute("SELECT * FROM " + Names.sql(table) + " LIMIT 0");
        List<String> out = new ArrayList<>();
        r.columnTypes().forEach(c -> out.add(c.name()));
        return out;
    }

    private static List<String> quoted(List<String> columns) {
        List<String> out = new ArrayList<>();
        for (String c : columns) {
            out.add(Names.quote(c));
        }
        return out;
    }

    /**
     * CHANGES mode: the change rows of the window from {@code atMillis} (its changes excluded) to {@code endMillis}
     * (included), in a total order (ROW_ID, then DELETE before INSERT), rows {@code offset + 1} to
     * {@code offset + limit}. Read-only.
     */
    SqlResult changes(long atMillis, long endMillis, boolean appendOnly, int limit, long offset) {
        return sql.execute("SELECT * FROM " + Names.sql(table) + " CHANGES(INFORMATION => " + (appendOnly ? "APPEND_ONLY" : "DEFAULT")
                + ") AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + atMillis + ", 3)) END(TIMESTAMP => TO_TIMESTAMP_LTZ(" + endMillis
                + ", 3)) ORDER BY " + ROW_ID + ", " + ACTION + " LIMIT " + limit + (offset > 0 ? " OFFSET " + offset : ""));
    }

    /** CHANGES mode's snapshot: the table's rows at {@code t0} in the order of {@code orderBy}, a page of them. */
    SqlResult snapshotPage(long t0, List<String> orderBy, int limit, long offset) {
        return sql.execute("SELECT * FROM " + Names.sql(table) + " AT(TIMESTAMP => TO_TIMESTAMP_LTZ(" + t0 + ", 3)) ORDER BY "
                + String.join(", ", quoted(orderBy)) + " LIMIT " + limit + (offset > 0 ? " OFFSET " + offset : ""));
    }

    /** The rows of batch {@code seq} after row {@code after}, in row order, at most {@code limit}. */
    SqlResult page(long seq, long after, int limit) {
        return sql.execute("SELECT * FROM " + Names.sql(batch(seq)) + " WHERE " + ROW + " > " + after + " ORDER BY " + ROW
                + " LIMIT " + limit);
    }

    /** Every batch table of this table's prefix: sequence number → {@code created_on} as Snowflake wrote it. */
    TreeMap<Long, String> batches() {
        SqlResult r = sql.execute("SHOW TABLES LIKE " + Names.literal(prefix + "_B%") + " IN SCHEMA " + Names.sql(schema));
        TreeMap<Long, String> out = new TreeMap<>();
        for (int i = 0; i < r.rowCount(); i++) {
            String n = r.get(i, "name");
            if (n != null && n.startsWith(prefix + "_B") && n.length() == prefix.length() + 14) {
                try {
                    out.put(Long.parseLong(n.substring(prefix.length() + 2)), r.get(i, "created_on"));
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        }
        return out;
    }

    void rename(long from, long to) {
        sql.execute("ALTER TABLE " + Names.sql(batch(from)) + " RENAME TO " + Names.sql(batch(to)));
    }

    void drop(long seq) {
        sql.execute("DROP TABLE IF EXISTS " + Names.sql(batch(seq)));
    }

    /** Epoch ms of a {@code created_on} text (epoch seconds with a fraction), 0 when unreadable. */
    static long millis(String createdOn) {
        try {
            return new BigDecimal(createdOn.trim().split(" ")[0]).movePointRight(3).longValue();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    String batchPrefix() {
        return prefix;
    }
}
