package io.ksbridge.source;

import io.ksbridge.Experimental;

/** What a bridge publishes at its first start (no position yet). */
@Experimental
public enum Snapshot {
    /**
     * The table's rows at one instant T0 as {@code op: r} events, then every change after T0: the stream is created
     * {@code AT(TIMESTAMP => T0)} and the snapshot copied {@code AT(TIMESTAMP => T0)}, so the two name the same table
     * version and no row is missed or doubled. The default.
     */
    INITIAL,
    /** No snapshot: changes committed after the stream is created. */
    NEVER;

    /** {@link #INITIAL}. */
    public static Snapshot initial() {
        return INITIAL;
    }

    /** {@link #NEVER}. */
    public static Snapshot never() {
        return NEVER;
    }
}
