package io.ksbridge.internal.schema;

import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table's columns as {@code DESCRIBE TABLE} reports them, for the schematized backends: each column's type by its
 * bare (resolved) name, and the NOT NULL ones. Immutable.
 *
 * @param types   type by bare column name, never null
 * @param notNull bare names of the NOT NULL columns, in the table's order, never null
 */
public record TableColumns(Map<String, String> types, List<String> notNull) {
    public TableColumns {
        types = Map.copyOf(types);
        notNull = List.copyOf(notNull);
    }

    /**
     * Describes {@code qualifiedTable}; blocks on the SQL API.
     *
     * @throws io.ksbridge.snowflake.SnowflakeSqlException as the SQL client throws it
     */
    public static TableColumns describe(SqlApiClient sql, String qualifiedTable) {
        SqlResult desc = sql.execute("DESCRIBE TABLE " + qualifiedTable);
        Map<String, String> types = new HashMap<>();
        List<String> notNull = new ArrayList<>();
        for (int i = 0; i < desc.rowCount(); i++) {
            types.put(desc.get(i, "name"), desc.get(i, "type"));
            if ("N".equalsIgnoreCase(desc.get(i, "null?"))) {
                notNull.add(desc.get(i, "name"));
            }
        }
        return new TableColumns(types, notNull);
    }
}
