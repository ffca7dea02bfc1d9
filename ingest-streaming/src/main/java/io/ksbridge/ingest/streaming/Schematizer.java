package io.ksbridge.ingest.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The connector's schematization: the top-level fields of a record's JSON object become columns, named after the
 * field (upper case when it is a plain identifier, quoted otherwise), typed from the JSON value: integers NUMBER,
 * booleans BOOLEAN, strings VARCHAR, everything else (decimals, objects, arrays) VARIANT. Stateless, thread-safe.
 */
final class Schematizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    private Schematizer() {
    }

    /** A record's values by column name, and the Snowflake type each value wants. */
    record Columns(Map<String, Object> values, Map<String, String> types) {
    }

    /**
     * @throws IllegalArgumentException when the content is not a JSON object (the row is rejected, not the batch)
     */
    static Columns columns(byte[] content) {
        JsonNode node;
        try {
            node = JSON.readTree(content);
        } catch (IOException e) {
            throw new IllegalArgumentException("RECORD_CONTENT is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("schematization needs each record to be a JSON object, this one is "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            JsonNode v = f.getValue();
            if (v.isNull()) {
                continue;
            }
            String column = column(f.getKey());
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                values.put(column, v.longValue());
                types.put(column, "NUMBER");
            } else if (v.isBoolean()) {
                values.put(column, v.booleanValue());
                types.put(column, "BOOLEAN");
            } else if (v.isTextual()) {
                values.put(column, v.textValue());
                types.put(column, "VARCHAR");
            } else {
                values.put(column, v.toString());
                types.put(column, "VARIANT");
            }
        }
        return new Columns(values, types);
    }

    /** The column a field maps to: upper case for a plain identifier, quoted as written otherwise. */
    static String column(String field) {
        return PLAIN.matcher(field).matches() ? field.toUpperCase(Locale.ROOT) : "\"" + field.replace("\"", "\"\"") + "\"";
    }
}
