package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of an emulated table. Values are JSON: a VARIANT as its JSON, a NUMBER as a JSON number, text as a JSON
 * string; SQL NULL is Java null. Column names are matched as Snowflake matches unquoted identifiers
 * (case-insensitively). Immutable and thread-safe.
 */
public final class Row {
    private final Map<String, JsonNode> values;

    /**
     * @param values the values by resolved column name; copied; SQL NULL may be absent or null
     */
    public Row(Map<String, JsonNode> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** {@code RECORD_CONTENT}, or null when it is NULL. */
    public JsonNode content() {
        return get("RECORD_CONTENT");
    }

    /** {@code RECORD_METADATA}, or null when it is NULL. */
    public JsonNode metadata() {
        return get("RECORD_METADATA");
    }

    /**
     * A column's value.
     *
     * @param column a column name; unquoted names match case-insensitively, {@code "quoted"} ones exactly
     * @return the value, or null for SQL NULL or a column the row does not have
     */
    public JsonNode get(String column) {
        Objects.requireNonNull(column, "column must not be null");
        JsonNode exact = values.get(Identifiers.normalize(column));
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> e : values.entrySet()) {
            if (e.getKey().equalsIgnoreCase(column)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Every value by resolved column name, in column order; unmodifiable. */
    public Map<String, JsonNode> values() {
        return values;
    }

    @Override
    public String toString() {
        return "Row" + values;
    }
}
