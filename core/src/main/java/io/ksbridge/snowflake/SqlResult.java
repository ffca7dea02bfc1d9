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

    /**
     * @param statementHandle Snowflake's handle of the statement, may be null
     * @param message         Snowflake's message, may be null
     * @param columns         column names in order, never null
     * @param rows            rows of values (null for SQL NULL), never null
     */
    public SqlResult(String statementHandle, String message, List<String> columns, List<List<String>> rows) {
        this.statementHandle = statementHandle;
        this.message = message;
        this.columns = List.copyOf(columns);
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
