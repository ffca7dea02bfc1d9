package io.ksbridge.testkit.emulator;

import java.util.Locale;
import java.util.Objects;

/**
 * A column of an emulated table.
 *
 * @param name     the resolved column name (see {@link Identifiers#normalize}), never null
 * @param type     the Snowflake type as written in DDL, upper case ({@code VARIANT}, {@code NUMBER(38,0)},
 *                 {@code VARCHAR}, ...), never null
 * @param nullable whether the column accepts NULL
 */
public record ColumnDef(String name, String type, boolean nullable) {
    public ColumnDef {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(type, "type must not be null");
        type = type.trim().toUpperCase(Locale.ROOT);
    }

    /** A nullable VARIANT column. */
    public static ColumnDef variant(String name) {
        return new ColumnDef(name, "VARIANT", true);
    }
}
