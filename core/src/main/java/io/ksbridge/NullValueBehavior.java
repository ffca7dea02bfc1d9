package io.ksbridge;

/**
 * What to do with a record whose value is null (a tombstone), as the connector's
 * {@code behavior.on.null.values}.
 */
public enum NullValueBehavior {
    /** Load a row whose {@code RECORD_CONTENT} is an empty object {@code {}}. The connector's default. */
    DEFAULT,
    /** Load nothing for the record; its offset still counts as handled. */
    IGNORE
}
