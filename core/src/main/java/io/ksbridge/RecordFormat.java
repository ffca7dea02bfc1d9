package io.ksbridge;

import io.ksbridge.format.JsonFormat;
import io.ksbridge.format.StringFormat;

/**
 * Turns the bytes of a record's value (or key) into the JSON text of a Snowflake VARIANT.
 *
 * <p>A format never sees Snowflake: it writes JSON to a {@link JsonOutput} and may report a schema id. It
 * is called for non-null data only; null values (tombstones) are handled by the bridge as the connector's
 * {@code behavior.on.null.values} says, and null keys leave the {@code key} field out of
 * {@code RECORD_METADATA}.
 *
 * <p>A custom format is a small class:
 * <pre>{@code
 * RecordFormat csv = (data, ctx, out) -> {
 *     String[] cells = new String(data, StandardCharsets.UTF_8).split(",", -1);
 *     JsonGenerator g = out.generator();
 *     g.writeStartArray();
 *     for (String cell : cells) g.writeString(cell);
 *     g.writeEndArray();
 * };
 * }</pre>
 *
 * <p>Threading: the bridge calls a format from its polling thread only, one record at a time, so a
 * format may keep reusable state (decoders, caches) without locks. A format shared between several
 * bridges must be thread-safe; the built-in ones are.
 *
 * <p>The SPI grows by {@code default} methods only.
 */
@FunctionalInterface
public interface RecordFormat {

    /**
     * Writes the VARIANT JSON of {@code data} to {@code out}: exactly one JSON value.
     *
     * @param data    the record's key or value bytes, never null (may be empty)
     * @param context where the bytes come from (topic, partition, offset, key or value, headers), never null
     * @param out     where to write, never null; valid only during this call
     * @throws Exception when the bytes cannot be converted. The bridge wraps it in a
     *                   {@link RecordFormatException} naming the record and routes the record by
     *                   {@link ErrorPolicy}. Throw an {@link IngestException} when the record is not at fault:
     *                   with {@code isRetriable()} true when the cause is transient (a schema registry that is
     *                   down), and the bridge retries the record with backoff; with {@code isRetriable()} false
     *                   when it will not heal by itself (the registry refuses the credentials), and the bridge
     *                   stops with that message.
     */
    void write(byte[] data, FormatContext context, JsonOutput out) throws Exception;

    /** A short name for logs and errors, for example {@code json}. Defaults to the class's simple name. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * JSON values, validated and copied as they are: no tree is built. Whitespace line breaks are turned
     * into spaces so every row stays on one line of an NDJSON file. Invalid JSON, or more than one value,
     * is a {@link RecordFormatException}.
     *
     * @return the shared JSON format, never null; thread-safe
     */
    static RecordFormat json() {
        return JsonFormat.INSTANCE;
    }

    /**
     * JSON values, as {@link #json()}, whose fields have declared Snowflake types: with schematization on, a backend
     * writes each declared field into a column of its type (a decimal into {@code NUMBER(10,2)}, a date into
     * {@code DATE}) instead of inferring one from the value, and refuses a value that does not fit its column through
     * the bridge's {@link ErrorPolicy}, naming the record. Fields not declared keep their inferred types. Without
     * schematization the declaration has no effect: the value lands in {@code RECORD_CONTENT} as it is.
     *
     * <pre>{@code
     * RecordFormat.json(TypedColumns.declared(Map.of("amount", "NUMBER(10,2)", "day", "DATE")))
     * }</pre>
     *
     * @param columns the declared columns, never null
     * @return a thread-safe format
     */
    static RecordFormat json(io.ksbridge.format.TypedColumns columns) {
        return JsonFormat.withColumns(columns);
    }

    /**
     * UTF-8 text, stored as a JSON string. Bytes that are not valid UTF-8 are replaced with U+FFFD. The
     * default key format, as the connector's string converter renders keys.
     *
     * @return the shared string format, never null; thread-safe
     */
    static RecordFormat string() {
        return StringFormat.INSTANCE;
    }
}
