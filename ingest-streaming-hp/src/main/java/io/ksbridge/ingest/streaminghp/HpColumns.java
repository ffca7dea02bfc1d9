package io.ksbridge.ingest.streaminghp;

import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.internal.schema.Schematizer;
import io.ksbridge.internal.schema.TableColumns;
import io.ksbridge.snowflake.SqlApiClient;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Schematized rows for one table on the high-performance architecture (issue 15, item 4): each record's top-level
 * fields become the row map's keys, named as the table's columns resolve (the table's default pipe
 * {@code <TABLE>-STREAMING} loads each row's keys into the columns of the same name, {@code MATCH_BY_COLUMN_NAME}),
 * typed by {@link Schematizer} (declared by the Avro or Protobuf schema, inferred otherwise), plus
 * {@code RECORD_METADATA}. Columns a batch needs are added, nullable ({@code ALTER TABLE ... ADD COLUMN IF NOT
 * EXISTS}), before the batch is appended; a declared type that does not fit the existing column stops the partition
 * (a type is never narrowed or changed); a value that does not fit its column, and a record that is not a JSON
 * object, is a refused row for the bridge's error policy. Values are rendered by {@link HpValues}.
 *
 * <p>Thread-safe: the partitions of a table share one instance; what it knows of the table's columns is guarded by
 * its monitor, and a {@link Plan} belongs to the writer thread of one batch.
 */
final class HpColumns {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HpColumns.class);
    private final SqlApiClient sql;
    private final String qualifiedTable;
    private final String quotedTable;
    private final RowEncoder encoder;
    private Map<String, String> types; // by bare (resolved) column name, as DESCRIBE TABLE reports them
    private java.util.List<String> notNull = java.util.List.of(); // bare names of the NOT NULL columns

    /**
     * @param qualifiedTable the table as SQL takes it ({@code DB.SCHEMA.TABLE})
     * @param quotedTable    the table fully quoted, for messages ({@code "DB"."SCHEMA"."TABLE"})
     */
    HpColumns(SqlApiClient sql, String qualifiedTable, String quotedTable, RowEncoder encoder) {
        this.sql = sql;
        this.qualifiedTable = qualifiedTable;
        this.quotedTable = quotedTable;
        this.encoder = encoder;
    }

    /** A new plan for one batch (not thread-safe: one writer thread). */
    synchronized Plan plan() {
        if (types == null) {
            types = describe();
        }
        return new Plan(new HashMap<>(types), notNull); // one read of both: notNull changes with types
    }

    /**
     * The rows of one batch and the columns they need that the table lacks. Rows are encoded against the table's
     * columns as known when the plan was made, plus the columns earlier rows of the batch add.
     */
    final class Plan {
        private final Map<String, String> known;
        private final java.util.List<String> notNull;
        private final Map<String, String> missing = new LinkedHashMap<>(); // DDL column name -> type
        private final java.util.Set<String> toNullable = new java.util.LinkedHashSet<>(); // bare names

        private Plan(Map<String, String> known, java.util.List<String> notNull) {
            this.known = known;
            this.notNull = notNull;
        }

        /**
         * The row map the SDK writes for {@code row}.
         *
         * @throws RowEncoder.Refused  when Snowflake would refuse the row: not a JSON object, a value that does not fit
         *                             its declared type or its column, too large
         * @throws IngestException     fatal, naming the record, the field, the column's type and the schema's, when the
         *                             record's schema declares a type the existing column cannot take
         */
        Map<String, Object> encode(TopicPartition partition, IngestRow row) throws RowEncoder.Refused {
            encoder.checkSize(row);
            Schematizer.Columns columns;
            try {
                columns = Schematizer.columns(row.content(), row.columns());
            } catch (IllegalArgumentException e) {
                throw new RowEncoder.Refused(e.getMessage());
            }
            Map<String, Object> map = new LinkedHashMap<>(columns.types().size() + 1);
            Map<String, String> adds = new LinkedHashMap<>();
            for (Map.Entry<String, String> c : columns.types().entrySet()) {
                String column = c.getKey();
                String bare = bare(column);
                String existing = known.containsKey(bare) ? known.get(bare) : missing.get(column);
                boolean declared = columns.declared().contains(column);
                if (existing == null) {
                    adds.put(column, c.getValue());
                } else if (declared && !Schematizer.fits(existing, c.getValue())) {
                    // never narrow or change a column: the partition stops, saying what the schema asks
                    throw new IngestException("record " + partition + "@" + row.offset() + ": its schema declares "
                            + column + " " + c.getValue() + ", but column " + quotedTable + "." + column + " is "
                            + existing + "; ksbridge does not change a column's type (alter the column, or map the"
                            + " field to another name)", false);
                }
                Object value = columns.values().get(column);
                if (value != null) {
                    String type = existing == null ? c.getValue() : existing;
                    try {
                        map.put(bare, HpValues.render(type, c.getValue(), value));
                    } catch (IllegalArgumentException e) {
                        throw new RowEncoder.Refused("column " + quotedTable + "." + column + " (" + type + ") cannot"
                                + " hold the value of field " + bare + ": " + e.getMessage());
                    }
                }
            }
            if (row.metadata() != null) {
                map.put("RECORD_METADATA", encoder.json("RECORD_METADATA", row.metadata()));
            }
            missing.putAll(adds); // only a row that is written adds its columns
            toNullable.addAll(Schematizer.unfilled(columns, notNull, row.metadata() != null));
            return map;
        }

        /** The columns the planned rows need that the table lacks, in the order first seen (DDL names). */
        Map<String, String> missing() {
            return Map.copyOf(missing);
        }

        /** The NOT NULL columns planned rows leave empty, to make nullable before they are appended (bare names). */
        java.util.Set<String> toNullable() {
            return java.util.Set.copyOf(toNullable);
        }

        /**
         * Adds the missing columns, nullable, before any row that needs them is appended, and reads the table's
         * columns again (another writer may have added one first, with its own type).
         *
         * @throws IngestException (or the SQL client's exception, retriable or not) when a column cannot be added, or
         *                         a column another writer added does not take what the schema declares
         */
        void addMissing() {
            if (missing.isEmpty() && toNullable.isEmpty()) {
                return;
            }
            synchronized (HpColumns.this) {
                for (Map.Entry<String, String> c : missing.entrySet()) {
                    sql.execute("ALTER TABLE " + qualifiedTable + " ADD COLUMN IF NOT EXISTS " + c.getKey() + " "
                            + c.getValue());
                }
                for (String c : toNullable) {
                    sql.execute(Schematizer.dropNotNull(qualifiedTable, c)); // Snowflake would refuse the rows
                }
                if (!toNullable.isEmpty()) {
                    LOG.warn("table {}: made column(s) {} nullable, as rows without a value for them arrived"
                            + " (schematization)", quotedTable, toNullable);
                }
                types = describe();
                for (Map.Entry<String, String> c : missing.entrySet()) {
                    String actual = types.get(bare(c.getKey()));
                    if (actual == null || !Schematizer.fits(actual, c.getValue())) {
                        throw new IngestException("column " + quotedTable + "." + c.getKey() + " was to be added as "
                                + c.getValue() + ", but the table has it as " + actual + " (another writer added it);"
                                + " the batch is written again against the table's columns", true);
                    }
                }
            }
        }
    }

    /** The table's column types; sets {@link #notNull}. Called under the monitor. */
    private Map<String, String> describe() {
        TableColumns t = TableColumns.describe(sql, qualifiedTable);
        notNull = t.notNull();
        return t.types();
    }

    /** A column's resolved name: without quotes (and their doubling) when quoted. */
    static String bare(String column) {
        return Schematizer.bare(column);
    }
}
