package io.ksbridge.ingest.snowpipe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.internal.schema.Schematizer;
import io.ksbridge.internal.schema.TableColumns;
import io.ksbridge.snowflake.SqlApiClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Schematized files for one table (issue 15, item 4, on Snowpipe): each row becomes one JSON object with
 * {@code RECORD_METADATA} and one key per column, valued as Snowflake's JSON load reads it (exact decimals as JSON
 * numbers, dates and timestamps as ISO text, binary as hex), loaded by a {@code MATCH_BY_COLUMN_NAME} pipe. Columns a
 * batch needs are added (nullable, {@code ALTER TABLE ... ADD COLUMN}) before its file is written, then the table is
 * described again (another writer may have added one first, with its own type); a declared type that does not fit
 * the existing column stops the partition. Thread-safe: column changes are serialized.
 */
final class SnowpipeColumns {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnowpipeColumns.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final SqlApiClient sql;
    private final String qualifiedTable;
    private Map<String, String> types; // by bare (unquoted) column name, as DESCRIBE TABLE reports
    private List<String> notNull = List.of(); // bare names of the NOT NULL columns

    SnowpipeColumns(SqlApiClient sql, String qualifiedTable) {
        this.sql = sql;
        this.qualifiedTable = qualifiedTable;
    }

    /** A batch's file lines, their offsets, and the rows refused as bad records. */
    record Prepared(List<byte[]> lines, long[] offsets, List<IngestResult.RowRejection> rejected) {
        /** The lines of rows at or after {@code first}. */
        List<byte[]> from(long first) {
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (offsets[i] >= first) {
                    out.add(lines.get(i));
                }
            }
            return out;
        }
    }

    /**
     * @throws IngestException fatal, naming the record, field, column type and schema type, when a declared type does
     *                         not fit the table's column; SQL failures as they come
     */
    Prepared prepare(IngestBatch batch) {
        List<byte[]> lines = new ArrayList<>(batch.rows().size());
        long[] offsets = new long[batch.rows().size()];
        List<IngestResult.RowRejection> rejected = new ArrayList<>();
        for (IngestRow row : batch.rows()) {
            Schematizer.Columns columns;
            try {
                columns = Schematizer.columns(row.content(), row.columns());
            } catch (IllegalArgumentException e) {
                rejected.add(new IngestResult.RowRejection(row.offset(), e.getMessage()));
                continue;
            }
            ensureColumns(batch, row, columns);
            ensureNullable(columns, row.metadata() != null);
            offsets[lines.size()] = row.offset();
            lines.add(line(columns.values(), columns.types(), row.metadata()));
        }
        return new Prepared(lines, offsets, rejected);
    }

    private synchronized void ensureColumns(IngestBatch batch, IngestRow row, Schematizer.Columns columns) {
        if (types == null) {
            types = describe();
        }
        Map<String, String> missing = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : columns.types().entrySet()) {
            String existing = types.get(bare(c.getKey()));
            if (existing == null) {
                missing.put(c.getKey(), c.getValue());
            } else if (columns.declared().contains(c.getKey()) && !Schematizer.fits(existing, c.getValue())) {
                throw new IngestException("record " + batch.partition() + "@" + row.offset() + ": its schema declares "
                        + c.getKey() + " " + c.getValue() + ", but column " + qualifiedTable + "." + c.getKey() + " is "
                        + existing + "; ksbridge does not change a column's type (alter the column, or map the field to"
                        + " another name)", false);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        for (Map.Entry<String, String> c : missing.entrySet()) {
            sql.execute("ALTER TABLE " + qualifiedTable + " ADD COLUMN IF NOT EXISTS " + c.getKey() + " " + c.getValue());
        }
        // another writer may have added a column first, with its own type: IF NOT EXISTS then changed nothing
        types = describe();
        for (Map.Entry<String, String> c : missing.entrySet()) {
            String actual = types.get(bare(c.getKey()));
            if (actual == null) {
                throw new IngestException("column " + qualifiedTable + "." + c.getKey() + " was added as "
                        + c.getValue() + " but DESCRIBE TABLE does not show it yet; the batch is written again", true);
            }
            if (!Schematizer.fits(actual, c.getValue())) {
                if (columns.declared().contains(c.getKey())) {
                    throw new IngestException("record " + batch.partition() + "@" + row.offset() + ": its schema"
                            + " declares " + c.getKey() + " " + c.getValue() + ", but column " + qualifiedTable + "."
                            + c.getKey() + " is " + actual + " (another writer added it); ksbridge does not change a"
                            + " column's type (alter the column, or map the field to another name)", false);
                }
                throw new IngestException("column " + qualifiedTable + "." + c.getKey() + " was to be added as "
                        + c.getValue() + ", but the table has it as " + actual + " (another writer added it); the batch"
                        + " is written again against the table's columns", true);
            }
        }
    }

    /**
     * Makes the NOT NULL columns this row leaves empty nullable, as the connector's schema evolution does: Snowflake
     * would refuse the row, and with it the whole file.
     */
    private synchronized void ensureNullable(Schematizer.Columns columns, boolean hasMetadata) {
        List<String> unfilled = Schematizer.unfilled(columns, notNull, hasMetadata);
        if (unfilled.isEmpty()) {
            return;
        }
        for (String c : unfilled) {
            sql.execute(Schematizer.dropNotNull(qualifiedTable, c));
        }
        LOG.warn("table {}: made column(s) {} nullable, as rows without a value for them arrived (schematization)",
                qualifiedTable, unfilled);
        types = describe();
    }

    /** Reads the table's columns into {@link #types} and {@link #notNull}. Called under the monitor. */
    private Map<String, String> describe() {
        TableColumns t = TableColumns.describe(sql, qualifiedTable);
        notNull = t.notNull();
        return new HashMap<>(t.types());
    }

    private static String bare(String column) {
        return Schematizer.bare(column);
    }

    /** One file row: the column values as Snowflake's JSON load reads them, keys as the bare column names. */
    static byte[] line(Map<String, Object> values, Map<String, String> types, byte[] metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (metadata != null) {
                g.writeFieldName("RECORD_METADATA");
                g.writeRawValue(new String(metadata, StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, Object> v : values.entrySet()) {
                g.writeFieldName(bare(v.getKey()));
                Object value = v.getValue();
                if (value instanceof BigDecimal d) {
                    g.writeNumber(d.toPlainString());
                } else if (value instanceof Long || value instanceof Integer) {
                    g.writeNumber(((Number) value).longValue());
                } else if (value instanceof Double d) {
                    if (d.isNaN() || d.isInfinite()) {
                        g.writeString(d.isNaN() ? "NaN" : d > 0 ? "inf" : "-inf");
                    } else {
                        g.writeNumber(d);
                    }
                } else if (value instanceof Boolean b) {
                    g.writeBoolean(b);
                } else if (value instanceof byte[] bytes) {
                    g.writeString(HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT));
                } else if (value instanceof String s && !structured(types.get(v.getKey()))) {
                    g.writeString(s);
                } else if (value instanceof String s) {
                    g.writeRawValue(s); // VARIANT, OBJECT, ARRAY: Schematizer gives their JSON text
                } else {
                    g.writeString(String.valueOf(value)); // LocalDate, Instant, LocalDateTime...: ISO text
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static boolean structured(String type) {
        String t = type == null ? "" : type.toUpperCase(Locale.ROOT);
        return t.startsWith("VARIANT") || t.startsWith("OBJECT") || t.startsWith("ARRAY");
    }
}
