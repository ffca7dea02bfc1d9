package io.ksbridge.source;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Experimental;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where changes come from: {@link #stream()} (the default) or {@link #changes()}. Immutable and thread-safe.
 *
 * <p><b>{@link #stream()}</b>: a Snowflake stream the bridge creates and manages on each table, consumed by an atomic
 * {@code CREATE TRANSIENT TABLE ... AS SELECT * FROM <stream>} into a batch table in the staging schema. The role
 * needs, in the staging schema, {@code CREATE STREAM} and {@code CREATE TABLE}, and {@code SELECT} on each source
 * table; if change tracking is off on a table, only the table's owner can turn it on, and the bridge says so naming
 * the {@code ALTER TABLE} to run. Survives outages up to the stream's staleness (14 days by default), and an idle
 * table is probed without a warehouse.
 *
 * <p><b>{@link #changes()}</b>: a read-only mode on Snowflake's {@code CHANGES} clause, for roles that may not create
 * objects. See {@link #changes()} for its limits.
 */
@Experimental
public final class ChangeSource {
    /** The default {@link #settle(Duration)}. */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(1);
    /** The longest {@link #settle(Duration)}. */
    public static final Duration MAX_SETTLE = Duration.ofHours(1);

    private final boolean changes;
    private final String stagingSchema;
    private final boolean appendOnly;
    private final Duration settle;

    private ChangeSource(boolean changes, String stagingSchema, boolean appendOnly, Duration settle) {
        this.changes = changes;
        this.stagingSchema = stagingSchema;
        this.appendOnly = appendOnly;
        this.settle = settle;
    }

    /** A managed stream on each table, objects in the table's own schema until {@link #stagingSchema} says otherwise. */
    public static ChangeSource stream() {
        return new ChangeSource(false, null, false, DEFAULT_SETTLE);
    }

    /**
     * The read-only {@code CHANGES} clause: each poll reads the window {@code SELECT * FROM t CHANGES(INFORMATION =>
     * DEFAULT) AT(TIMESTAMP => P) END(TIMESTAMP => Q)} from the committed position {@code P} to {@code Q}, Snowflake's
     * {@code CURRENT_TIMESTAMP()} minus {@link #settle}, and publishes it in one Kafka transaction that also moves the
     * position to {@code Q}. It creates nothing in Snowflake and writes nothing there.
     *
     * <p>Limits, which the managed stream does not have:
     * <ul>
     *   <li><b>Change tracking</b> must be on for each table ({@code ALTER TABLE t SET CHANGE_TRACKING = TRUE}, which
     *       only the table's owner may run; the bridge never turns it on and fails naming the statement). The role
     *       needs {@code SELECT} on each table and a warehouse, nothing else.</li>
     *   <li><b>Retention</b>: a window can only start inside the table's Time Travel retention
     *       ({@code DATA_RETENTION_TIME_IN_DAYS}, 1 day by default; Standard edition cannot raise it). The CHANGES
     *       clause, unlike an unconsumed stream, never extends retention ({@code MAX_DATA_EXTENSION_TIME_IN_DAYS} does
     *       not apply). A bridge down longer than that finds its position stale (Snowflake's {@code 000707}), and the
     *       bridge's {@code onStale} policy applies: fail, or publish a new snapshot (rows deleted meanwhile then get
     *       no delete event).</li>
     *   <li><b>Settle</b>: a commit Snowflake stamps at or before a window's end but makes visible only after the
     *       window was read would be missed, since the next window starts at that end. The settle lag keeps each
     *       window's end that far behind Snowflake's clock, so it covers a commit that becomes visible up to
     *       {@code settle} late; a commit visible later than that is lost. Snowflake documents no bound on the gap.</li>
     *   <li><b>Cost</b>: every poll runs a query on the warehouse, even when nothing changed (keep the poll interval
     *       long on a warehouse that suspends).</li>
     *   <li><b>Net changes per window</b>: a row inserted and deleted inside one window appears not at all; windows
     *       are as long as the time between polls, halved when one holds more than {@code maxTransactionRows}
     *       rows.</li>
     * </ul>
     */
    public static ChangeSource changes() {
        return new ChangeSource(true, null, false, DEFAULT_SETTLE);
    }

    /**
     * Stream mode only: the schema ({@code DB.SCHEMA}) the bridge's streams and batch tables live in. Default: each
     * source table's own schema.
     *
     * @param schema {@code DB.SCHEMA}, never null
     * @return a new source
     * @throws IllegalArgumentException when the name does not have two parts
     * @throws BridgeConfigException    on a {@link #changes()} source, which creates no objects
     */
    public ChangeSource stagingSchema(String schema) {
        Objects.requireNonNull(schema, "stagingSchema must not be null");
        if (changes) {
            throw new BridgeConfigException("ChangeSource.stagingSchema", schema, "the CHANGES source creates no objects in"
                    + " Snowflake; a staging schema is for ChangeSource.stream() only");
        }
        List<String> parts = Names.split(schema);
        if (parts.size() != 2) {
            throw new IllegalArgumentException("stagingSchema must be DB.SCHEMA, was " + schema);
        }
        return new ChangeSource(false, String.join(".", parts), appendOnly, settle);
    }

    /**
     * Inserts only: an append-only stream ({@code APPEND_ONLY = TRUE}), or {@code CHANGES(INFORMATION =>
     * APPEND_ONLY)}; updates, deletes and truncates are ignored. Cheaper for insert-only tables. Default false.
     *
     * @param appendOnly whether to track inserts only
     * @return a new source
     */
    public ChangeSource appendOnly(boolean appendOnly) {
        return new ChangeSource(changes, stagingSchema, appendOnly, settle);
    }

    /**
     * CHANGES mode only: how far behind Snowflake's {@code CURRENT_TIMESTAMP()} each window ends, so a commit stamped
     * before the end but visible a little later is still read (see {@link #changes()}). Default 1 s: Snowflake
     * documents no bound on the gap between a commit's timestamp and its visibility (it says only that its
     * timestamps "can differ slightly" from system time), a gap of a second would already be a stalled commit, and
     * the lag adds to every change's latency, so 1 s is the smallest value that leaves a wide margin over "slightly";
     * raise it if the live suite measures more. Zero turns the guard off (a late-visible commit is then lost); at
     * most 1 h.
     *
     * @param settle the lag, never null, 0 to 1 h, whole milliseconds
     * @return a new source
     * @throws BridgeConfigException naming {@code ChangeSource.settle} when out of range, or on a {@link #stream()}
     *                               source (a stream's boundary needs no settling)
     */
    public ChangeSource settle(Duration settle) {
        Objects.requireNonNull(settle, "settle must not be null");
        if (!changes) {
            throw new BridgeConfigException("ChangeSource.settle", settle, "only the CHANGES source has a settle lag (a stream's"
                    + " boundary is the consuming transaction's version); use ChangeSource.changes().settle(...)");
        }
        if (settle.isNegative() || settle.compareTo(MAX_SETTLE) > 0) {
            throw new BridgeConfigException("ChangeSource.settle", settle, "must be between 0 and " + MAX_SETTLE);
        }
        if (settle.toNanos() % 1_000_000 != 0) {
            throw new BridgeConfigException("ChangeSource.settle", settle, "must be whole milliseconds (the CHANGES clause's"
                    + " resolution)");
        }
        return new ChangeSource(true, null, appendOnly, settle);
    }

    /** Whether this is the read-only {@link #changes()} source. */
    public boolean isChanges() {
        return changes;
    }

    /** The staging schema, or null for each table's own schema (always null for {@link #changes()}). */
    public String stagingSchema() {
        return stagingSchema;
    }

    /** Whether only inserts are tracked. */
    public boolean isAppendOnly() {
        return appendOnly;
    }

    /** The settle lag of a {@link #changes()} source. */
    public Duration settle() {
        return settle;
    }

    @Override
    public String toString() {
        if (changes) {
            return "changes(settle=" + settle + ", appendOnly=" + appendOnly + ")";
        }
        return "stream(stagingSchema=" + (stagingSchema == null ? "<table's schema>" : stagingSchema) + ", appendOnly="
                + appendOnly + ")";
    }
}
