package io.ksbridge.source;

import io.ksbridge.Experimental;
import java.util.List;
import java.util.Objects;

/**
 * Where changes come from. Today one kind: {@link #stream()}, a Snowflake stream the bridge creates and manages on
 * each table, consumed by an atomic {@code CREATE TRANSIENT TABLE ... AS SELECT * FROM <stream>} into a batch table
 * in the staging schema. Immutable and thread-safe.
 *
 * <p>The role needs, in the staging schema, {@code CREATE STREAM} and {@code CREATE TABLE}, and {@code SELECT} on
 * each source table; if change tracking is off on a table, only the table's owner can turn it on, and the bridge
 * says so naming the {@code ALTER TABLE} to run. A read-only mode on Snowflake's {@code CHANGES} clause is not
 * offered yet.
 */
@Experimental
public final class ChangeSource {
    private final String stagingSchema;
    private final boolean appendOnly;

    private ChangeSource(String stagingSchema, boolean appendOnly) {
        this.stagingSchema = stagingSchema;
        this.appendOnly = appendOnly;
    }

    /** A managed stream on each table, objects in the table's own schema until {@link #stagingSchema} says otherwise. */
    public static ChangeSource stream() {
        return new ChangeSource(null, false);
    }

    /**
     * The schema ({@code DB.SCHEMA}) the bridge's streams and batch tables live in. Default: each source table's own
     * schema.
     *
     * @param schema {@code DB.SCHEMA}, never null
     * @return a new source
     * @throws IllegalArgumentException when the name does not have two parts
     */
    public ChangeSource stagingSchema(String schema) {
        Objects.requireNonNull(schema, "stagingSchema must not be null");
        List<String> parts = Names.split(schema);
        if (parts.size() != 2) {
            throw new IllegalArgumentException("stagingSchema must be DB.SCHEMA, was " + schema);
        }
        return new ChangeSource(String.join(".", parts), appendOnly);
    }

    /**
     * An append-only stream ({@code APPEND_ONLY = TRUE}): inserts only; updates, deletes and truncates are ignored.
     * Cheaper for insert-only tables. Default false.
     *
     * @param appendOnly whether to track inserts only
     * @return a new source
     */
    public ChangeSource appendOnly(boolean appendOnly) {
        return new ChangeSource(stagingSchema, appendOnly);
    }

    /** The staging schema, or null for each table's own schema. */
    public String stagingSchema() {
        return stagingSchema;
    }

    /** Whether the streams are append-only. */
    public boolean isAppendOnly() {
        return appendOnly;
    }

    @Override
    public String toString() {
        return "stream(stagingSchema=" + (stagingSchema == null ? "<table's schema>" : stagingSchema) + ", appendOnly="
                + appendOnly + ")";
    }
}
