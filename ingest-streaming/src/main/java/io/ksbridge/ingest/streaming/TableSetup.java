package io.ksbridge.ingest.streaming;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the target table when missing over the SQL REST API, as the connector does: {@code RECORD_METADATA} and
 * {@code RECORD_CONTENT} VARIANT columns; an existing table gains them when absent and must have no other NOT NULL
 * column (a Streaming row only fills those two). Thread-safe; calls block (never on the polling thread's hot path).
 */
final class TableSetup {
    private final SqlApiClient sql;
    private final String database;
    private final String schema;

    TableSetup(SqlApiClient sql, String database, String schema) {
        this.sql = sql;
        this.database = database;
        this.schema = schema;
    }

    String qualify(String table) {
        return database + "." + schema + "." + table;
    }

    /**
     * @throws IngestException fatal when the table has NOT NULL columns the rows cannot fill; SQL failures come as
     *                         {@link io.ksbridge.snowflake.SnowflakeSqlException} (retriable or not)
     */
    void ensureTable(String table, boolean schematized) {
        String name = qualify(table);
        if (schematized) {
            // columns come from the records' fields, added as they appear (the connector's schematization)
            sql.execute("CREATE TABLE IF NOT EXISTS " + name + " (RECORD_METADATA VARIANT COMMENT 'Kafka metadata of the"
                    + " record')");
        } else {
            sql.execute("CREATE TABLE IF NOT EXISTS " + name + " (RECORD_METADATA VARIANT COMMENT 'Kafka metadata of the"
                    + " record', RECORD_CONTENT VARIANT COMMENT 'The Kafka record')");
        }
        SqlResult desc = sql.execute("DESCRIBE TABLE " + name);
        boolean content = false;
        boolean metadata = false;
        List<String> notNull = new ArrayList<>();
        for (int i = 0; i < desc.rowCount(); i++) {
            String column = desc.get(i, "name");
            if ("RECORD_CONTENT".equals(column)) {
                content = true;
            } else if ("RECORD_METADATA".equals(column)) {
                metadata = true;
            } else if ("N".equalsIgnoreCase(desc.get(i, "null?")) && !schematized) {
                notNull.add(column);
            }
        }
        if (!notNull.isEmpty()) {
            throw new IngestException("Table " + name + " has NOT NULL column(s) " + notNull + ", which rows written by Snowpipe"
                    + " Streaming (RECORD_CONTENT and RECORD_METADATA only) cannot fill. Make them nullable (ALTER TABLE " + name
                    + " ALTER COLUMN " + notNull.get(0) + " DROP NOT NULL) or load the topic into another table.", false);
        }
        if (!metadata) {
            sql.execute("ALTER TABLE " + name + " ADD COLUMN RECORD_METADATA VARIANT");
        }
        if (!content && !schematized) {
            sql.execute("ALTER TABLE " + name + " ADD COLUMN RECORD_CONTENT VARIANT");
        }
    }

    /** Adds columns (name to Snowflake type) when absent, as schema evolution does. */
    void addColumns(String table, java.util.Map<String, String> columns) {
        for (java.util.Map.Entry<String, String> c : columns.entrySet()) {
            sql.execute("ALTER TABLE " + qualify(table) + " ADD COLUMN IF NOT EXISTS " + c.getKey() + " " + c.getValue());
        }
    }
}
