package io.ksbridge.source;

import io.ksbridge.Experimental;

/** What a deleted row (and the old key of a row whose key changed) becomes in the topic. */
@Experimental
public enum Deletes {
    /** A {@code d} event, then a tombstone (same key, null value), as Debezium does. The default. */
    EVENT_AND_TOMBSTONE,
    /** A tombstone only. */
    TOMBSTONE_ONLY,
    /** A {@code d} event only: for consumers that crash on null values. */
    EVENT_ONLY,
    /** Nothing. */
    SKIP;

    /** {@link #EVENT_AND_TOMBSTONE}. */
    public static Deletes eventAndTombstone() {
        return EVENT_AND_TOMBSTONE;
    }

    /** {@link #TOMBSTONE_ONLY}. */
    public static Deletes tombstoneOnly() {
        return TOMBSTONE_ONLY;
    }

    /** {@link #EVENT_ONLY}. */
    public static Deletes eventOnly() {
        return EVENT_ONLY;
    }

    /** {@link #SKIP}. */
    public static Deletes skip() {
        return SKIP;
    }

    boolean event() {
        return this == EVENT_AND_TOMBSTONE || this == EVENT_ONLY;
    }

    boolean tombstone() {
        return this == EVENT_AND_TOMBSTONE || this == TOMBSTONE_ONLY;
    }
}
