package io.ksbridge.internal.schema;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ksbridge.format.TypedColumns;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The connector's schematization: the top-level fields of a record's JSON object become columns, named after the
 * field (upper case when it is a plain identifier, quoted otherwise). A field the record's schema declares
 * ({@link TypedColumns}, from an Avro or Protobuf format) takes its declared type and its value read back from the
 * format's JSON (a decimal stays exact, a date is a date); any other field is typed from its JSON value as the
 * connector does: integers NUMBER, booleans BOOLEAN, strings VARCHAR, everything else VARIANT. Stateless,
 * thread-safe.
 */
public final class Schematizer {
    /** Decimals read exactly: a declared NUMBER(p,s) or a VARIANT keeps its digits. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    private Schematizer() {
    }

    /**
     * A record's values by column name, the Snowflake type each value wants, and which of those types the record's
     * schema declared (the others are inferred from the value).
     */
    public record Columns(Map<String, Object> values, Map<String, String> types, java.util.Set<String> declared) {
    }

    /** As {@link #columns(byte[], TypedColumns)} with no declared columns: every type inferred. */
    public static Columns columns(byte[] content) {
        return columns(content, null);
    }

    /**
     * @param declared the columns the record's schema declares, or null
     * @throws IllegalArgumentException when the content is not a JSON object, or a declared field's value does not fit
     *                                  its type (the row is rejected, not the batch)
     */
    public static Columns columns(byte[] content, TypedColumns declared) {
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
        java.util.Set<String> declaredColumns = new java.util.HashSet<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            JsonNode v = f.getValue();
            String column = column(f.getKey());
            TypedColumns.Column typed = declared == null ? null : declared.column(f.getKey());
            if (typed != null) {
                types.put(column, typed.type()); // declared: the column exists before a row has a value for it
                declaredColumns.add(column);
                Object value = typed.value(v);
                if (value != null) {
                    values.put(column, value);
                }
                continue;
            }
            if (v.isNull()) {
                continue;
            }
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
        return new Columns(values, types, declaredColumns);
    }

    /**
     * Whether a column of type {@code existing} takes the values of a field declared {@code wanted} without losing
     * any: a VARIANT, which takes any value; the same type (text and binary of any length alike); or a wider one of the
     * same kind: a {@code NUMBER} with at least as many digits on each side of the point ({@code NUMBER(38,0)} takes
     * {@code NUMBER(19,0)}, {@code NUMBER(12,4)} takes {@code NUMBER(10,2)}), a time or timestamp type with at least as
     * many fractional digits (9 when not given). Never a narrower one: ksbridge does not narrow or change a column.
     */
    public static boolean fits(String existing, String wanted) {
        String e = normalize(existing);
        if (e.equals("VARIANT")) {
            return true;
        }
        String w = normalize(wanted);
        if (e.equals(w)) {
            return true;
        }
        String base = base(e);
        if (!base.equals(base(w))) {
            return false;
        }
        if (base.equals("NUMBER")) {
            int[] ep = numberArgs(e);
            int[] wp = numberArgs(w);
            return ep[1] >= wp[1] && ep[0] - ep[1] >= wp[0] - wp[1];
        }
        if (base.equals("TIME") || base.startsWith("TIMESTAMP_")) {
            return fraction(e) >= fraction(w);
        }
        return false;
    }

    private static String base(String normalized) {
        int open = normalized.indexOf('(');
        return open < 0 ? normalized : normalized.substring(0, open);
    }

    /** Precision and scale of a normalized {@code NUMBER(p,s)}. */
    private static int[] numberArgs(String normalized) {
        String inside = normalized.substring(normalized.indexOf('(') + 1, normalized.indexOf(')'));
        int comma = inside.indexOf(',');
        return comma < 0 ? new int[] {Integer.parseInt(inside), 0}
                : new int[] {Integer.parseInt(inside.substring(0, comma)), Integer.parseInt(inside.substring(comma + 1))};
    }

    /** The fractional-seconds digits of a normalized time type: 9 when not given, as Snowflake's default. */
    private static int fraction(String normalized) {
        int open = normalized.indexOf('(');
        return open < 0 ? 9 : Integer.parseInt(normalized.substring(open + 1, normalized.indexOf(')')));
    }

    private static String normalize(String type) {
        String t = type.replace(" ", "").toUpperCase(Locale.ROOT);
        String base = t.indexOf('(') < 0 ? t : t.substring(0, t.indexOf('('));
        return switch (base) {
            case "VARCHAR", "TEXT", "STRING", "CHAR" -> "VARCHAR";
            case "BINARY", "VARBINARY" -> "BINARY";
            case "FLOAT", "DOUBLE", "REAL", "FLOAT8", "FLOAT4" -> "FLOAT";
            case "NUMBER", "DECIMAL", "NUMERIC" -> t.equals(base) ? "NUMBER(38,0)" : "NUMBER" + t.substring(base.length());
            default -> t;
        };
    }

    /**
     * The NOT NULL columns a row leaves without a value, which Snowflake would refuse it for: the connector's schema
     * evolution makes them nullable, and so do the backends before the row is written.
     *
     * @param row         the row's columns
     * @param notNull     the table's NOT NULL columns, bare names as {@code DESCRIBE TABLE} gives them
     * @param hasMetadata whether the row fills {@code RECORD_METADATA}
     * @return bare names, in {@code notNull}'s order; empty when the row fills them all
     */
    public static java.util.List<String> unfilled(Columns row, java.util.Collection<String> notNull, boolean hasMetadata) {
        if (notNull.isEmpty()) {
            return java.util.List.of();
        }
        java.util.Set<String> filled = new java.util.HashSet<>();
        for (String column : row.values().keySet()) {
            filled.add(bare(column));
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String c : notNull) {
            if (!filled.contains(c) && !(hasMetadata && c.equals("RECORD_METADATA"))) {
                out.add(c);
            }
        }
        return out;
    }

    /** A column's resolved name: without quotes (and their doubling) when quoted, as {@code DESCRIBE TABLE} shows it. */
    public static String bare(String column) {
        return column.startsWith("\"") ? column.substring(1, column.length() - 1).replace("\"\"", "\"") : column;
    }

    /** The statement that makes a column (a bare name) nullable. */
    public static String dropNotNull(String qualifiedTable, String bareColumn) {
        return "ALTER TABLE " + qualifiedTable + " ALTER COLUMN \"" + bareColumn.replace("\"", "\"\"") + "\" DROP NOT NULL";
    }

    /** The column a field maps to: upper case for a plain identifier, quoted as written otherwise. */
    public static String column(String field) {
        return PLAIN.matcher(field).matches() ? field.toUpperCase(Locale.ROOT) : "\"" + field.replace("\"", "\"\"") + "\"";
    }
}
