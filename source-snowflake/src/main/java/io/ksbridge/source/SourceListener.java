package io.ksbridge.source;

import io.ksbridge.Experimental;

/**
 * Callbacks of a {@link SnowflakeToKafkaBridge}. Every method has a no-op default and is called on the bridge's own
 * thread; keep them quick, and do not throw (an exception is logged and ignored).
 */
@Experimental
public interface SourceListener {
    /**
     * This instance became the active one for its bridge name (true), or stopped being it (false).
     *
     * @param active whether it now publishes
     */
    default void onLeadership(boolean active) {
    }

    /**
     * A batch table holds changes to publish: created by this instance's CTAS, or found (left by a predecessor).
     *
     * @param event the batch, never null
     */
    default void onBatch(BatchEvent event) {
    }

    /**
     * A Kafka transaction committed: its records and the position after them are visible to {@code read_committed}
     * consumers.
     *
     * @param event what was committed, never null
     */
    default void onCommit(CommitEvent event) {
    }

    /**
     * The bridge stopped on a failure (it is also what {@link SnowflakeToKafkaBridge#failure()} answers).
     *
     * @param failure the cause, never null
     */
    default void onFailure(Throwable failure) {
    }

    /**
     * A batch.
     *
     * @param table    the source table
     * @param seq      its sequence number (0: the initial snapshot)
     * @param snapshot whether it is a snapshot
     * @param found    true when it was left by an earlier instance, false when this instance created it
     */
    record BatchEvent(String table, long seq, boolean snapshot, boolean found) {
    }

    /**
     * A committed Kafka transaction.
     *
     * @param table    the source table
     * @param seq      the batch
     * @param records  how many records (tombstones included) it held
     * @param batchDone whether it completed the batch
     * @param lagMillis Snowflake time from the batch's creation to this commit, in ms
     */
    record CommitEvent(String table, long seq, int records, boolean batchDone, long lagMillis) {
    }
}
