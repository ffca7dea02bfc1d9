package io.ksbridge.testkit.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The emulator's tables, by resolved qualified name ({@code DB.SCHEMA.TABLE}). Every lookup resolves names as
 * Snowflake resolves them ({@link Identifiers}). Thread-safe.
 */
public final class TableStore {
    private final TreeMap<String, EmulatedTable> tables = new TreeMap<>();
    private boolean retainRows = true;

    /**
     * Whether tables keep the rows loaded into them ({@code true}, the default) or only count them: for benchmarks
     * and soak runs that load more rows than the heap should hold. Counting tables take Snowpipe files' lines as rows
     * without parsing them, so they do not catch malformed files. Applies to existing and new tables.
     */
    public synchronized void retainRows(boolean retain) {
        this.retainRows = retain;
        tables.values().forEach(t -> t.retainRows(retain));
    }

    /**
     * Creates a table, or returns the existing one when {@code ifNotExists} is true.
     *
     * @param qualifiedName {@code DB.SCHEMA.TABLE}, parts resolved by {@link Identifiers#split}
     * @param columns       the columns, at least one
     * @throws IllegalArgumentException when the table exists and {@code ifNotExists} is false
     */
    public synchronized EmulatedTable create(String qualifiedName, List<ColumnDef> columns, boolean ifNotExists) {
        String key = key(qualifiedName);
        EmulatedTable existing = tables.get(key);
        if (existing != null) {
            if (ifNotExists) {
                return existing;
            }
            throw new IllegalArgumentException("Object '" + key + "' already exists.");
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        EmulatedTable table = new EmulatedTable(key, columns);
        table.retainRows(retainRows);
        tables.put(key, table);
        return table;
    }

    /** The table, or empty when there is none of that name. */
    public synchronized Optional<EmulatedTable> find(String qualifiedName) {
        return Optional.ofNullable(tables.get(key(qualifiedName)));
    }

    /**
     * The table.
     *
     * @throws NoSuchElementException naming the tables that exist, when there is none of that name
     */
    public synchronized EmulatedTable get(String qualifiedName) {
        EmulatedTable table = tables.get(key(qualifiedName));
        if (table == null) {
            throw new NoSuchElementException("Table '" + key(qualifiedName) + "' does not exist; tables: " + tables.keySet());
        }
        return table;
    }

    /** Drops a table; true when it existed. */
    public synchronized boolean drop(String qualifiedName) {
        return tables.remove(key(qualifiedName)) != null;
    }

    /** Every table's qualified name (parts resolved, quoted where they would not read the same unquoted), sorted. */
    public synchronized List<String> names() {
        return new ArrayList<>(tables.keySet());
    }

    static String key(String qualifiedName) {
        List<String> parts = Identifiers.split(qualifiedName);
        if (parts.size() != 3) {
            throw new IllegalArgumentException("name tables as DB.SCHEMA.TABLE, was " + qualifiedName);
        }
        // each part as it can be written again (quoted unless it reads the same unquoted): splitting it gives the parts
        // back, so a key may be looked up again as a name, and MixedCase stays apart from MIXEDCASE
        return Identifiers.requote(parts.get(0)) + "." + Identifiers.requote(parts.get(1)) + "."
                + Identifiers.requote(parts.get(2));
    }
}
