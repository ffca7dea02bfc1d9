package io.ksbridge.source;

import io.ksbridge.Experimental;
import java.util.List;
import java.util.Objects;

/**
 * One source table: its name, the topic its changes go to, and the columns that make a record's key. Immutable and
 * thread-safe; each {@code with}-style method returns a new spec.
 *
 * <pre>{@code
 * TableSpec.of("RAW.PUBLIC.ORDERS").topic("raw.public.orders").keyColumns("ID")
 * }</pre>
 */
@Experimental
public final class TableSpec {
    private final String table;
    private final String topic;
    private final List<String> keyColumns;

    private TableSpec(String table, String topic, List<String> keyColumns) {
        this.table = table;
        this.topic = topic;
        this.keyColumns = keyColumns;
    }

    /**
     * A table, its topic defaulting to the table's name in lower case ({@code raw.public.orders}) and its key to the
     * declared primary key.
     *
     * @param qualifiedTable {@code DB.SCHEMA.TABLE}, never null; unquoted parts resolve to upper case as in Snowflake
     * @return the spec, never null
     * @throws IllegalArgumentException when the name does not have three parts
     */
    public static TableSpec of(String qualifiedTable) {
        Objects.requireNonNull(qualifiedTable, "table must not be null");
        List<String> parts = Names.split(qualifiedTable);
        if (parts.size() != 3) {
            throw new IllegalArgumentException("table must be DB.SCHEMA.TABLE, was " + qualifiedTable);
        }
        String resolved = String.join(".", parts);
        return new TableSpec(resolved, resolved.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    /**
     * The topic the table's changes go to. Default: the table's name in lower case.
     *
     * @param topic a Kafka topic name, never null nor blank
     * @return a new spec
     */
    public TableSpec topic(String topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        return new TableSpec(table, topic, keyColumns);
    }

    /**
     * The columns whose values make a record's key (a JSON object of them, in this order). Default: the table's
     * declared primary key ({@code SHOW PRIMARY KEYS}); with neither, records have no key. Snowflake does not enforce
     * primary keys, so two rows can share a key.
     *
     * @param columns column names, at least one; unquoted names resolve to upper case
     * @return a new spec
     */
    public TableSpec keyColumns(String... columns) {
        Objects.requireNonNull(columns, "keyColumns must not be null");
        if (columns.length == 0) {
            throw new IllegalArgumentException("keyColumns needs at least one column");
        }
        java.util.ArrayList<String> resolved = new java.util.ArrayList<>();
        for (String c : columns) {
            Objects.requireNonNull(c, "keyColumns must not contain null");
            resolved.add(Names.normalize(c));
        }
        return new TableSpec(table, topic, List.copyOf(resolved));
    }

    /** The resolved table name {@code DB.SCHEMA.TABLE}; never null. */
    public String table() {
        return table;
    }

    /** The topic; never null. */
    public String topic() {
        return topic;
    }

    /** The configured key columns; empty when the declared primary key is used. */
    public List<String> keyColumns() {
        return keyColumns;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableSpec t && t.table.equals(table) && t.topic.equals(topic) && t.keyColumns.equals(keyColumns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, topic, keyColumns);
    }

    @Override
    public String toString() {
        return "TableSpec{" + table + " -> " + topic + (keyColumns.isEmpty() ? "" : ", key=" + keyColumns) + "}";
    }
}
