package io.ksbridge.source;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.Experimental;
import java.util.Objects;

/**
 * One change of one row, as a {@link ChangeFormat} turns it into a Kafka record. Values are JSON, decoded from the
 * SQL API's text by type: NUMBER of scale 0 as an integer (any size), scaled NUMBER as a decimal string, FLOAT as a
 * number ({@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} as strings), DATE as {@code 1969-12-31}, TIME as
 * {@code 12:34:56.123456789}, TIMESTAMP_NTZ without a zone, TIMESTAMP_LTZ in UTC ({@code ...Z}), TIMESTAMP_TZ with its
 * offset, BINARY as base64, VARIANT/OBJECT/ARRAY as embedded JSON (a SQL NULL inside an array as JSON null), SQL NULL
 * as JSON null. Immutable.
 *
 * @param op       the operation; never null
 * @param table    the source table {@code DB.SCHEMA.TABLE}; never null
 * @param key      the key columns' values, or null when the table has no key
 * @param before   the row before the change ({@code u}, {@code d}), else null
 * @param after    the row after the change ({@code c}, {@code u}, {@code r}), else null
 * @param seq      the batch's sequence number (0 for the initial snapshot); with {@link ChangeSource#changes()}, the
 *                 end of the change's window (epoch ms), or the snapshot's instant T0
 * @param row      the change's ordinal in its batch or window (its first row's)
 * @param rowId    Snowflake's {@code METADATA$ROW_ID}, or null for snapshot rows
 * @param batchMillis when Snowflake created the batch (with {@link ChangeSource#changes()}: the window's end, an
 *                    upper bound of the commit time), epoch ms: Snowflake records no commit time for a change
 */
@Experimental
public record ChangeEvent(Op op, String table, ObjectNode key, ObjectNode before, ObjectNode after, long seq, long row,
                          String rowId, long batchMillis) {
    /** Debezium's operation codes. */
    public enum Op {
        /** A row inserted. */
        CREATE("c"),
        /** A row updated (same key). */
        UPDATE("u"),
        /** A row deleted (or the old key of a row whose key changed). */
        DELETE("d"),
        /** A row read by the initial snapshot. */
        READ("r");

        private final String code;

        Op(String code) {
            this.code = code;
        }

        /** {@code c}, {@code u}, {@code d} or {@code r}. */
        public String code() {
            return code;
        }
    }

    public ChangeEvent {
        Objects.requireNonNull(op, "op must not be null");
        Objects.requireNonNull(table, "table must not be null");
    }
}
