package io.ksbridge.source;

import io.ksbridge.Experimental;

/**
 * Turns a {@link ChangeEvent} into a Kafka record's key and value. Implementations must be thread-safe and
 * deterministic (a batch republished after a failure must give the same bytes). The SPI grows by default methods only.
 * Built in: {@link #envelopeJson()} (the default) and {@link #rowJson()}.
 */
@Experimental
public interface ChangeFormat {
    /**
     * The record's key: by default the key columns as a JSON object ({@code {"ID":42}}), null when there is none.
     *
     * @param event the change, never null
     * @return the key bytes, or null
     */
    default byte[] key(ChangeEvent event) {
        return event.key() == null ? null : Json.bytes(event.key());
    }

    /**
     * The record's value.
     *
     * @param event the change, never null
     * @return the value bytes, never null (tombstones are the bridge's, see {@link Deletes})
     */
    byte[] value(ChangeEvent event);

    /**
     * A Debezium-style envelope: {@code {"before":{...}|null,"after":{...}|null,"op":"c|u|d|r","ts_ms":<batch time>,
     * "source":{"db":..,"schema":..,"table":..,"snapshot":true|false,"seq":..,"row":..,"row_id":..}}}.
     * {@code ts_ms} is when the batch was made in Snowflake, not a commit time (Snowflake records none).
     */
    static ChangeFormat envelopeJson() {
        return Json.ENVELOPE;
    }

    /**
     * The plain row: the after image, or for a delete the before image with {@code "__deleted":true}; with
     * {@code "__op"} as the last field. Debezium's flattened form.
     */
    static ChangeFormat rowJson() {
        return Json.ROW;
    }
}
