package io.ksbridge.snowflake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The result of one statement run through {@link SqlApiClient}: column names and rows of strings, as the SQL
 * REST API returns them (every value as text, SQL NULL as null). Immutable and thread-safe.
 */
public final class SqlResult {
    private final String statementHandle;
    private final String message;
    private final List<String> columns;
    private final List<List<String>> rows;
    private final List<Column> types;

    /**
     * A column's type as the SQL API's {@code rowType} describes it.
     *
     * @param name      the column name, never null
     * @param type      the SQL API's type ({@code fixed}, {@code real}, {@code text}, {@code boolean}, {@code date},
     *                  {@code time}, {@code timestamp_ntz}, {@code timestamp_ltz}, {@code timestamp_tz},
     *                  {@code binary}, {@code variant}, {@code object}, {@code array}), lower case, never null
     * @param precision the precision of a {@code fixed} column, else 0
     * @param scale     the scale of a {@code fixed}, {@code time} or timestamp column, else 0
     */
    public record Column(String name, String type, int precision, int scale) {
        public Column {
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(type, "type must not be null");
        }
    }

    /**
     * @param statementHandle Snowflake's handle of the statement, may be null
     * @param message         Snowflake's message, may be null
     * @param columns         column names in order, never null
     * @param rows            rows of values (null for SQL NULL), never null
     */
    public SqlResult(String statementHandle, String message, List<String> columns, List<List<String>> rows) {
        this(statementHandle, message, textColumns(columns), rows, true);
    }

    /**
     * @param statementHandle Snowflake's handle of the statement, may be null
     * @param message         Snowflake's message, may be null
     * @param columns         the columns with their types, in order, never null
     * @param rows            rows of values (null for SQL NULL), never null
     * @param typed           marks this constructor (the columns carry types)
     */
    public SqlResult(String statementHandle, String message, List<Column> columns, List<List<String>> rows, boolean typed) {
        this.types = List.copyOf(columns);
        List<String> names = new ArrayList<>(columns.size());
        for (Column c : columns) {
            names.add(c.name());
        }
        List<String> columnNames = names;
        this.statementHandle = statementHandle;
        this.message = message;
        this.columns = List.copyOf(columnNames);
        List<List<String>> copy = new ArrayList<>(rows.size());
        for (List<String> row : rows) {
            copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
        }
        this.rows = Collections.unmodifiableList(copy);
    }

    /** Snowflake's handle of the statement, or null when none was returned. */
    public String statementHandle() {
        return statementHandle;
    }

    /** Snowflake's message ("Statement executed successfully."), or null. */
    public String message() {
        return message;
    }

    /** Column names in order; never null. */
    public List<String> columns() {
        return columns;
    }

    /** The columns with their SQL API types, in order; never null. */
    public List<Column> columnTypes() {
        return types;
    }

    private static List<Column> textColumns(List<String> names) {
        List<Column> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(new Column(n, "text", 0, 0));
        }
        return out;
    }

    /** Rows of values, each a list as long as {@link #columns()}; values are text, SQL NULL is null. Never null. */
    public List<List<String>> rows() {
        return rows;
    }

    /** The number of rows. */
    public int rowCount() {
        return rows.size();
    }

    /**
     * The index of a column, matched case-insensitively.
     *
     * @return the index, or -1 when there is no such column
     */
    public int columnIndex(String name) {
        Objects.requireNonNull(name, "name must not be null");
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One value by row index and column name (case-insensitive).
     *
     * @return the value, null for SQL NULL
     * @throws IllegalArgumentException when there is no such column
     * @throws IndexOutOfBoundsException when there is no such row
     */
    public String get(int row, String column) {
        int index = columnIndex(column);
        if (index < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + columns);
        }
        List<String> values = rows.get(row);
        return index < values.size() ? values.get(index) : null;
    }

    @Override
    public String toString() {
        return "SqlResult{columns=" + columns + ", rows=" + rows.size() + ", handle=" + statementHandle + "}";
    }

}
