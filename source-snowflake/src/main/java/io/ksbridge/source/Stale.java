package io.ksbridge.source;

import io.ksbridge.Experimental;

/**
 * What the bridge does when a table's stream is stale (its offset fell outside the table's retention, or the table was
 * recreated with {@code CREATE OR REPLACE}): the changes not yet consumed are gone in Snowflake.
 */
@Experimental
public enum Stale {
    /** Stop with a {@link StaleStreamException} naming the stream and the fix. The default. */
    FAIL_FAST,
    /** Recreate the stream and publish a new snapshot ({@code op: r}) of the table, then go on with its changes. */
    RESNAPSHOT;

    /** {@link #FAIL_FAST}. */
    public static Stale failFast() {
        return FAIL_FAST;
    }

    /** {@link #RESNAPSHOT}. */
    public static Stale resnapshot() {
        return RESNAPSHOT;
    }
}
