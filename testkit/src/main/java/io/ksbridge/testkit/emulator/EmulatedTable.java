package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A table of the emulator: named, typed columns and rows held in memory. Thread-safe: every method locks the
 * table, so an {@link #insert} of several rows is atomic (readers see all of them or none).
 */
public final class EmulatedTable {
    private final String name;
    private final List<ColumnDef> columns = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private boolean retainRows = true;
    private long discarded;

    EmulatedTable(String name, List<ColumnDef> columns) {
        this.name = name;
        this.columns.addAll(columns);
    }

    /** The resolved, fully qualified name {@code DB.SCHEMA.TABLE}. */
    public String name() {
        return name;
    }

    /** The columns, in order; a copy. */
    public synchronized List<ColumnDef> columns() {
        return List.copyOf(columns);
    }

    /** The column with this name (case-insensitive for unquoted names), or null. */
    public synchronized ColumnDef column(String column) {
        String resolved = Identifiers.normalize(column);
        for (ColumnDef c : columns) {
            if (c.name().equals(resolved)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Adds a column, as {@code ALTER TABLE ... ADD COLUMN} does. Existing rows hold NULL in it.
     *
     * @param column the column, never null
     * @param ifNotExists true to do nothing when a column of that name exists
     * @throws IllegalArgumentException when the column exists and {@code ifNotExists} is false, or when a NOT NULL
     *                                  column is added to a table that has rows
     */
    public synchronized void addColumn(ColumnDef column, boolean ifNotExists) {
        Objects.requireNonNull(column, "column must not be null");
        for (ColumnDef c : columns) {
            if (c.name().equals(column.name())) {
                if (ifNotExists) {
                    return;
                }
                throw new IllegalArgumentException("column '" + column.name() + "' already exists");
            }
        }
        if (!column.nullable() && !rows.isEmpty()) {
            throw new IllegalArgumentException("Non-nullable column '" + column.name() + "' cannot be added to non-empty table '"
                    + name + "' unless it has a non-null default value.");
        }
        columns.add(column);
    }

    /**
     * Makes a column nullable, as {@code ALTER TABLE ... ALTER COLUMN c DROP NOT NULL} does.
     *
     * @throws java.util.NoSuchElementException when there is no such column
     */
    public synchronized void dropNotNull(String column) {
        ColumnDef c = column(column);
        if (c == null) {
            throw new java.util.NoSuchElementException("invalid identifier '" + column + "' in table " + name);
        }
        columns.set(columns.indexOf(c), new ColumnDef(c.name(), c.type(), true));
    }

    /**
     * Inserts rows atomically: every row is checked (known columns, NOT NULL) before any is added.
     *
     * @param newRows values by column name (any case for unquoted names); JSON null or an absent column is SQL NULL
     * @throws IllegalArgumentException naming the row and column when a value names an unknown column or leaves a
     *                                  NOT NULL column empty; nothing is inserted then
     */
    public synchronized void insert(List<Map<String, JsonNode>> newRows) {
        List<Row> checked = new ArrayList<>(newRows.size());
        int index = 0;
        for (Map<String, JsonNode> values : newRows) {
            Map<String, JsonNode> resolved = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : values.entrySet()) {
                ColumnDef c = columnLoose(e.getKey());
                if (c == null) {
                    throw new IllegalArgumentException("row " + index + ": invalid identifier '" + e.getKey() + "' (table " + name
                            + " has columns " + columnNames() + ")");
                }
                JsonNode v = e.getValue();
                resolved.put(c.name(), v == null || v.isNull() && !"VARIANT".equals(c.type()) ? null : v);
            }
            Map<String, JsonNode> ordered = new LinkedHashMap<>();
            for (ColumnDef c : columns) {
                JsonNode v = resolved.get(c.name());
                if (v == null && !c.nullable()) {
                    throw new IllegalArgumentException("row " + index + ": NULL result in a non-nullable column " + c.name());
                }
                ordered.put(c.name(), v);
            }
            checked.add(new Row(ordered));
            index++;
        }
        if (retainRows) {
            rows.addAll(checked);
        } else {
            discarded += checked.size();
        }
    }

    /**
     * Counts {@code n} rows loaded into a table that does not retain rows (see {@link #retainsRows()}).
     *
     * @throws IllegalStateException when the table retains rows: those must be inserted
     */
    public synchronized void count(long n) {
        if (retainRows) {
            throw new IllegalStateException("table " + name + " retains its rows; insert them instead of counting");
        }
        discarded += n;
    }

    /** True when inserted rows are kept; false when they are only counted. */
    public synchronized boolean retainsRows() {
        return retainRows;
    }

    /** Whether inserted rows are kept ({@code true}, the default) or only counted (for benchmarks). */
    synchronized void retainRows(boolean retain) {
        this.retainRows = retain;
    }

    /** A snapshot of the rows, in insertion order. */
    public synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The number of rows, counted ones included when rows are not retained. */
    public synchronized int rowCount() {
        return (int) (rows.size() + discarded);
    }

    /** Removes every row ({@code TRUNCATE}). */
    public synchronized void truncate() {
        rows.clear();
        discarded = 0;
    }

    private ColumnDef columnLoose(String column) {
        ColumnDef exact = column(column);
        if (exact != null) {
            return exact;
        }
        for (ColumnDef c : columns) {
            if (c.name().equalsIgnoreCase(column)) {
                return c;
            }
        }
        return null;
    }

    private List<String> columnNames() {
        List<String> names = new ArrayList<>();
        for (ColumnDef c : columns) {
            names.add(c.name());
        }
        return names;
    }

    @Override
    public String toString() {
        return "EmulatedTable{" + name + ", columns=" + columns() + ", rows=" + rowCount() + "}";
    }
}
