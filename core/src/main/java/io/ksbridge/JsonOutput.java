package io.ksbridge;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Where a {@link RecordFormat} writes the JSON of one VARIANT. Either stream it through
 * {@link #generator()}, or hand over bytes that are already valid JSON with {@link #writeRaw}; do not mix
 * the two for one value. Valid only during the {@code write} call that receives it. Not thread-safe.
 */
public interface JsonOutput {

    /**
     * A Jackson generator writing into this output. Write exactly one JSON value; do not close it.
     *
     * @return the generator, never null
     * @throws IOException if the generator cannot be created
     */
    JsonGenerator generator() throws IOException;

    /**
     * Appends bytes that are already one valid JSON value, UTF-8, with no line breaks. The bytes are not
     * checked. When the whole array is the whole value, the bridge may keep a reference to it instead of
     * copying, so the caller must not change it afterwards.
     *
     * @param json   UTF-8 JSON, never null
     * @param offset where the value starts
     * @param length how many bytes it has
     */
    void writeRaw(byte[] json, int offset, int length);

    /** Same as {@code writeRaw(json, 0, json.length)}. */
    default void writeRaw(byte[] json) {
        writeRaw(json, 0, json.length);
    }

    /**
     * Records the schema-registry id the bytes were written with; it goes to {@code RECORD_METADATA} as
     * {@code schema_id} (or {@code key_schema_id} for keys).
     */
    void schemaId(int id);

    /**
     * Declares the typed columns of the schema the bytes were written with: each top-level field's Snowflake type, for
     * a backend that writes typed columns instead of guessing them from JSON values. Call it with the same instance
     * for the same schema (a format keeps one per writer schema). The default keeps nothing: outputs that have no use
     * for it ignore it.
     *
     * @param columns the schema's columns, never null
     */
    default void columns(io.ksbridge.format.TypedColumns columns) {
    }
}
