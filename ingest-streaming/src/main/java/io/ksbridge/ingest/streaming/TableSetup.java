package io.ksbridge.ingest.streaming;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.KafkaTables;
import io.ksbridge.snowflake.SnowflakeIdentifiers;
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

    /** {@code "DB"."SCHEMA"."TABLE"}: every part quoted, so the names' case survives. */
    String qualify(String table) {
        return SnowflakeIdentifiers.qualify(database, schema, table);
    }

    /**
     * @throws IngestException fatal when the table has NOT NULL columns the rows cannot fill; SQL failures come as
     *                         {@link io.ksbridge.snowflake.SnowflakeSqlException} (retriable or not)
     */
    void ensureTable(String table, boolean schematized) {
        KafkaTables.ensure(sql, qualify(table), "written by Snowpipe Streaming", schematized);
    }

    /** Adds columns (name to Snowflake type) when absent, as schema evolution does. */
    /** Makes a column (a bare name) nullable. */
    void dropNotNull(String table, String bareColumn) {
        sql.execute(io.ksbridge.internal.schema.Schematizer.dropNotNull(qualify(table), bareColumn));
    }

    void addColumns(String table, java.util.Map<String, String> columns) {
        for (java.util.Map.Entry<String, String> c : columns.entrySet()) {
            sql.execute("ALTER TABLE " + qualify(table) + " ADD COLUMN IF NOT EXISTS " + c.getKey() + " " + c.getValue());
        }
    }
}
