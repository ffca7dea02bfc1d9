package io.ksbridge.snowflake;

import io.ksbridge.IngestException;
import java.util.ArrayList;
import java.util.List;

/**
 * The connector's table for a topic, created or checked over the SQL REST API: {@code RECORD_METADATA} and
 * {@code RECORD_CONTENT} VARIANT columns; an existing table gains them when absent and may have no other NOT NULL
 * column (the rows fill only those two). Shared by the backends. Calls block.
 */
public final class KafkaTables {
    private KafkaTables() {
    }

    /**
     * Creates {@code qualifiedName} when missing and checks it.
     *
     * @param sql           the SQL API client, never null
     * @param qualifiedName {@code DB.SCHEMA.TABLE}, never null
     * @param rowsBy        who fills the rows, for the error message, e.g. {@code "loaded by Snowpipe"}
     * @param schematized   true when columns come from the records' fields (no {@code RECORD_CONTENT}, and other
     *                      columns are the records' own)
     * @throws IngestException fatal when the table has NOT NULL columns the rows cannot fill; SQL failures come as
     *                         {@link SnowflakeSqlException} (retriable or not)
     */
    public static void ensure(SqlApiClient sql, String qualifiedName, String rowsBy, boolean schematized) {
        String name = qualifiedName;
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
            throw new IngestException("Table " + name + " has NOT NULL column(s) " + notNull + ", which rows " + rowsBy
                    + " (RECORD_CONTENT and RECORD_METADATA only) cannot fill. Make them nullable (ALTER TABLE " + name
                    + " ALTER COLUMN " + notNull.get(0) + " DROP NOT NULL) or load the topic into another table.", false);
        }
        if (!metadata) {
            sql.execute("ALTER TABLE " + name + " ADD COLUMN RECORD_METADATA VARIANT");
        }
        if (!content && !schematized) {
            sql.execute("ALTER TABLE " + name + " ADD COLUMN RECORD_CONTENT VARIANT");
        }
    }
}
