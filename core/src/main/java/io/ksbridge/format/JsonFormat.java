package io.ksbridge.format;

import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.io.IOException;

/**
 * JSON values, validated byte by byte (strict RFC 8259, well-formed UTF-8) and copied as they are: no tree and no
 * tokens are built, and a value with no line breaks is passed on without a copy. Whitespace line breaks become
 * spaces, so a row stays on one line. Thread-safe.
 *
 * <p>Refused, so that the bridge's {@link io.ksbridge.ErrorPolicy} routes the record before it reaches Snowflake:
 * anything that is not exactly one JSON value; a string with a lone UTF-16 surrogate escape ({@code "\uD800"}), which
 * has no UTF-8 form; and nesting deeper than Snowflake loads in a row: 999 levels for a value, 998 for a key (a
 * Snowpipe file's line adds one level around the value and two around the key, and Snowflake loads 1000).
 *
 * <p>With declared columns ({@link #withColumns}), values (not keys) also declare them to the backend, so a backend
 * with schematization writes those fields into columns of the declared types instead of inferring them; the bytes
 * pass through unchanged either way, and a value that does not fit its column is refused by the backend, row by row.
 */
public final class JsonFormat implements RecordFormat {
    /** The shared instance behind {@link RecordFormat#json()}. */
    public static final JsonFormat INSTANCE = new JsonFormat(null);

    private final TypedColumns columns;

    private JsonFormat(TypedColumns columns) {
        this.columns = columns;
    }

    /**
     * JSON values whose fields have declared Snowflake types.
     *
     * @param columns the declared columns ({@link TypedColumns#declared}), never null
     * @return a thread-safe format
     */
    public static JsonFormat withColumns(TypedColumns columns) {
        return new JsonFormat(java.util.Objects.requireNonNull(columns, "columns must not be null"));
    }

    /** The declared columns, or null when none were declared. */
    public TypedColumns columns() {
        return columns;
    }

    @Override
    public void write(byte[] data, FormatContext context, JsonOutput out) throws IOException {
        boolean lineBreaks = validate(data, context.isKey() ? JsonValidator.MAX_KEY_DEPTH : JsonValidator.MAX_DEPTH);
        if (columns != null && !context.isKey()) {
            out.columns(columns);
        }
        if (!lineBreaks) {
            out.writeRaw(data);
            return;
        }
        byte[] copy = data.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' '; // only whitespace can hold a raw line break in valid JSON
            }
        }
        out.writeRaw(copy);
    }

    /** Checks that data is exactly one JSON value; returns whether it contains raw line breaks. */
    private static boolean validate(byte[] data, int maxDepth) throws IOException {
        try {
            return JsonValidator.validate(data, maxDepth);
        } catch (JsonValidator.Invalid e) {
            throw new IOException("invalid JSON at " + position(data, e.position) + ": " + e.getMessage());
        }
    }

    /** True when {@code data} is exactly one valid JSON value (strict RFC 8259, UTF-8) that this format accepts as a value. */
    public static boolean isValid(byte[] data) {
        try {
            JsonValidator.validate(data);
            return true;
        } catch (JsonValidator.Invalid e) {
            return false;
        }
    }

    /** "line L, column C" of a byte position, both from 1, columns counted in bytes. */
    static String position(byte[] data, int at) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at && i < data.length; i++) {
            if (data[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return "line " + line + ", column " + (at - lineStart + 1);
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String toString() {
        return columns == null ? "RecordFormat.json()" : "RecordFormat.json(" + columns + ")";
    }
}
