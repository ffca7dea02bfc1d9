package io.ksbridge.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The typed columns a record's schema declares (issue 15: typed columns from the schema, not guessed from JSON values):
 * one column per top-level field, each with its Snowflake type and how the format's JSON carries the value. A format
 * that knows its schema (Avro, Protobuf) builds one per writer schema and keeps it; a backend that writes typed
 * columns reads each field's JSON value back into the value Snowflake's clients take ({@link Column#value}).
 *
 * <p>Immutable and thread-safe.
 */
public final class TypedColumns {

    /** How a format's JSON carries a value of a typed column. */
    public enum Encoding {
        /** The JSON value is the value: a number, a string, a boolean, or an object or array for VARIANT types. */
        AS_IS,
        /** A whole number of days since 1970-01-01 (Avro {@code date}). */
        EPOCH_DAYS,
        /** A whole number of milliseconds since midnight (Avro {@code time-millis}). */
        MILLIS_OF_DAY,
        /** A whole number of microseconds since midnight (Avro {@code time-micros}). */
        MICROS_OF_DAY,
        /** A whole number of milliseconds since the epoch (Avro {@code timestamp-millis}, {@code local-timestamp-millis}). */
        EPOCH_MILLIS,
        /** A whole number of microseconds since the epoch (Avro {@code timestamp-micros}, {@code local-timestamp-micros}). */
        EPOCH_MICROS,
        /** An RFC 3339 text with an offset (Protobuf {@code google.protobuf.Timestamp}). */
        RFC3339,
        /** Bytes as a string of ISO-8859-1 characters, one per byte (the connector's rendering of Avro {@code bytes}). */
        LATIN1_BYTES,
        /** Bytes as an array of signed byte values (the connector's rendering of Avro {@code fixed}). */
        BYTE_ARRAY,
        /** Bytes as standard Base64 (Protobuf's JSON mapping of {@code bytes}). */
        BASE64
    }

    /**
     * A declared column.
     *
     * @param field    the field's name in the record's JSON, as written, never null
     * @param type     the Snowflake type in DDL form, upper case ({@code NUMBER(10,2)}, {@code DATE},
     *                 {@code TIMESTAMP_LTZ(3)}, {@code VARCHAR}, {@code BINARY}, {@code OBJECT}, ...), never null
     * @param nullable whether the schema allows the field to be missing or null
     * @param encoding how the format's JSON carries the value, never null
     */
    public record Column(String field, String type, boolean nullable, Encoding encoding) {
        public Column {
            Objects.requireNonNull(field, "field must not be null");
            Objects.requireNonNull(encoding, "encoding must not be null");
            type = snowflakeType(field, Objects.requireNonNull(type, "type must not be null"));
        }

        /** A nullable column whose JSON value is the value ({@link Encoding#AS_IS}). */
        public static Column of(String field, String type) {
            return new Column(field, type, true, Encoding.AS_IS);
        }

        /**
         * The value Snowflake's clients take for this column, read from the field's JSON: a {@link BigDecimal} for
         * NUMBER, a {@link Double} for FLOAT, a {@link Boolean}, a {@link String} for text, a {@link LocalDate},
         * {@link LocalTime}, {@link LocalDateTime} (TIMESTAMP_NTZ), {@link Instant} (TIMESTAMP_LTZ),
         * {@link OffsetDateTime} (TIMESTAMP_TZ), a {@code byte[]} for BINARY, the JSON text for VARIANT, OBJECT and
         * ARRAY; null for a missing or JSON null value. Read the record's JSON with
         * {@code DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS} and {@code JsonNodeFactory.withExactBigDecimals(true)}:
         * a decimal parsed as a double has lost its digits before it gets here, and a VARIANT keeps {@code 1.0} as
         * written only with exact decimals.
         *
         * @throws IllegalArgumentException naming the field, its type and the value when the JSON cannot be a value
         *                                  of the column
         */
        public Object value(JsonNode json) {
            if (json == null || json.isNull() || json.isMissingNode()) {
                return null;
            }
            try {
                return convert(json);
            } catch (ArithmeticException | DateTimeParseException | IllegalArgumentException e) {
                throw new IllegalArgumentException("field " + field + " (" + type + ", " + encoding + ") cannot hold "
                        + abbreviate(json) + ": " + e.getMessage(), e);
            }
        }

        private Object convert(JsonNode json) {
            String base = base(type);
            switch (base) {
                case "NUMBER": {
                    BigDecimal d = json.isNumber() ? json.decimalValue() : new BigDecimal(json.asText().trim());
                    BigDecimal scaled = d.setScale(scale(type, 0)); // throws when digits would be lost
                    int precision = precision(type);
                    if (scaled.precision() > precision) { // at the column's scale, more digits than it holds
                        throw new ArithmeticException("more than " + (precision - scaled.scale())
                                + " digits before the decimal point");
                    }
                    return scaled;
                }
                case "FLOAT": {
                    if (json.isNumber()) {
                        return json.doubleValue();
                    }
                    String t = json.asText();
                    return switch (t) {
                        case "NaN" -> Double.NaN;
                        case "Infinity" -> Double.POSITIVE_INFINITY;
                        case "-Infinity" -> Double.NEGATIVE_INFINITY;
                        default -> Double.valueOf(t);
                    };
                }
                case "BOOLEAN":
                    if (!json.isBoolean()) {
                        throw new IllegalArgumentException("not a boolean");
                    }
                    return json.booleanValue();
                case "DATE":
                    return encoding == Encoding.EPOCH_DAYS ? LocalDate.ofEpochDay(whole(json).longValueExact())
                            : LocalDate.parse(json.asText());
                case "TIME":
                    return switch (encoding) {
                        case MILLIS_OF_DAY -> LocalTime.ofNanoOfDay(whole(json).longValueExact() * 1_000_000L);
                        case MICROS_OF_DAY -> LocalTime.ofNanoOfDay(whole(json).longValueExact() * 1_000L);
                        default -> LocalTime.parse(json.asText());
                    };
                case "TIMESTAMP_NTZ":
                    return encoding == Encoding.AS_IS ? LocalDateTime.parse(iso(json))
                            : LocalDateTime.ofInstant(instant(json), ZoneOffset.UTC);
                case "TIMESTAMP_LTZ":
                    return encoding == Encoding.AS_IS ? OffsetDateTime.parse(iso(json)).toInstant() : instant(json);
                case "TIMESTAMP_TZ":
                    return encoding == Encoding.AS_IS || encoding == Encoding.RFC3339
                            ? OffsetDateTime.parse(iso(json)) : instant(json).atOffset(ZoneOffset.UTC);
                case "BINARY":
                    return bytes(json);
                case "VARIANT": case "OBJECT": case "ARRAY":
                    return json.toString();
                default:
                    return json.isTextual() ? json.textValue() : json.toString();
            }
        }

        private Instant instant(JsonNode json) {
            return switch (encoding) {
                case EPOCH_MILLIS -> Instant.ofEpochMilli(whole(json).longValueExact());
                case EPOCH_MICROS -> {
                    long micros = whole(json).longValueExact();
                    yield Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
                }
                default -> OffsetDateTime.parse(json.asText()).toInstant();
            };
        }

        private byte[] bytes(JsonNode json) {
            switch (encoding) {
                case LATIN1_BYTES:
                    return json.asText().getBytes(StandardCharsets.ISO_8859_1);
                case BYTE_ARRAY: {
                    byte[] out = new byte[json.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (byte) json.get(i).intValue();
                    }
                    return out;
                }
                case BASE64:
                    return Base64.getDecoder().decode(json.asText());
                default:
                    return java.util.HexFormat.of().parseHex(json.asText());
            }
        }

        /** A timestamp's text in ISO form: Snowflake also reads {@code 2024-02-29 12:00:00}, with a space for the T. */
        private static String iso(JsonNode json) {
            if (!json.isTextual()) {
                throw new IllegalArgumentException("not a text timestamp (declare an epoch encoding for numbers)");
            }
            String t = json.textValue().trim();
            return t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + 'T' + t.substring(11) : t;
        }

        private static BigInteger whole(JsonNode json) {
            if (json.isIntegralNumber()) {
                return json.bigIntegerValue();
            }
            return new BigInteger(json.asText().trim());
        }

        private static String abbreviate(JsonNode json) {
            String s = json.toString();
            return s.length() <= 40 ? s : s.substring(0, 40) + "...";
        }
    }

    /** Snowflake's synonyms, as its data-type reference lists them, and the type each one is. */
    private static final Map<String, String> SYNONYMS = Map.ofEntries(
            Map.entry("INT", "NUMBER(38,0)"), Map.entry("INTEGER", "NUMBER(38,0)"), Map.entry("BIGINT", "NUMBER(38,0)"),
            Map.entry("SMALLINT", "NUMBER(38,0)"), Map.entry("TINYINT", "NUMBER(38,0)"), Map.entry("BYTEINT", "NUMBER(38,0)"),
            Map.entry("DECIMAL", "NUMBER"), Map.entry("NUMERIC", "NUMBER"), Map.entry("DEC", "NUMBER"),
            Map.entry("DOUBLE", "FLOAT"), Map.entry("DOUBLE PRECISION", "FLOAT"), Map.entry("REAL", "FLOAT"),
            Map.entry("FLOAT4", "FLOAT"), Map.entry("FLOAT8", "FLOAT"),
            Map.entry("STRING", "VARCHAR"), Map.entry("TEXT", "VARCHAR"), Map.entry("CHAR", "VARCHAR"),
            Map.entry("CHARACTER", "VARCHAR"), Map.entry("NCHAR", "VARCHAR"), Map.entry("NVARCHAR", "VARCHAR"),
            Map.entry("VARBINARY", "BINARY"), Map.entry("DATETIME", "TIMESTAMP_NTZ"),
            Map.entry("TIMESTAMP", "TIMESTAMP_NTZ")); // TIMESTAMP_TYPE_MAPPING's default
    private static final java.util.Set<String> TYPES = java.util.Set.of("NUMBER", "FLOAT", "BOOLEAN", "VARCHAR",
            "BINARY", "DATE", "TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ", "VARIANT", "OBJECT", "ARRAY");

    /**
     * The type in its canonical DDL form: upper case, a synonym replaced by its type ({@code decimal(10,2)} is
     * {@code NUMBER(10,2)}, {@code INT} is {@code NUMBER(38,0)}, {@code TIMESTAMP} is {@code TIMESTAMP_NTZ}).
     *
     * @throws IllegalArgumentException naming the field when the type is not one a typed column can have, or its
     *                                  precision or scale is out of Snowflake's range
     */
    static String snowflakeType(String field, String type) {
        String t = type.trim().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("\\s*([(),])\\s*", "$1");
        int open = t.indexOf('(');
        String base = open < 0 ? t : t.substring(0, open);
        String args = open < 0 ? "" : t.substring(open);
        String synonym = SYNONYMS.get(base);
        if (synonym != null) {
            if (synonym.indexOf('(') > 0 && !args.isEmpty()) {
                throw problem(field, type, base + " takes no precision");
            }
            base = synonym.indexOf('(') > 0 ? synonym.substring(0, synonym.indexOf('(')) : synonym;
            args = synonym.indexOf('(') > 0 ? synonym.substring(synonym.indexOf('(')) : args;
        }
        if (!TYPES.contains(base)) {
            throw problem(field, type, "not a type a typed column can have (one of " + new java.util.TreeSet<>(TYPES)
                    + ", or a synonym such as INT, DECIMAL(p,s), DOUBLE, STRING, TIMESTAMP)");
        }
        if (!args.isEmpty() && !args.matches("\\(\\d+(,\\d+)?\\)")) {
            throw problem(field, type, "the arguments must be (n) or (p,s)");
        }
        String canonical = base + args;
        try {
            switch (base) {
                case "NUMBER" -> {
                    int p = precision(canonical);
                    int s = scale(canonical, 0);
                    if (p < 1 || p > 38 || s < 0 || s > p) {
                        throw problem(field, type, "NUMBER needs 1 <= precision <= 38 and 0 <= scale <= precision");
                    }
                }
                case "TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ" -> {
                    if (args.contains(",") || (!args.isEmpty() && scale(canonical, 9) > 9)) {
                        throw problem(field, type, base + " takes one fractional-seconds precision, 0 to 9");
                    }
                }
                case "VARCHAR", "BINARY" -> {
                    if (args.contains(",") || (!args.isEmpty() && precision(canonical) < 1)) {
                        throw problem(field, type, base + " takes one length, at least 1");
                    }
                }
                default -> {
                    if (!args.isEmpty()) {
                        throw problem(field, type, base + " takes no arguments");
                    }
                }
            }
        } catch (NumberFormatException e) {
            throw problem(field, type, "a number in it is out of range");
        }
        return canonical;
    }

    private static IllegalArgumentException problem(String field, String type, String why) {
        return new IllegalArgumentException("column " + field + ": type " + type + " is " + why);
    }

    private final Map<String, Column> columns;

    private TypedColumns(Map<String, Column> columns) {
        this.columns = columns;
    }

    /**
     * @param columns one per field, in the schema's order; field names must be distinct
     * @throws IllegalArgumentException when two columns have the same field
     */
    public static TypedColumns of(List<Column> columns) {
        Map<String, Column> byField = new LinkedHashMap<>();
        for (Column c : columns) {
            if (byField.put(c.field(), c) != null) {
                throw new IllegalArgumentException("two columns for field " + c.field());
            }
        }
        return new TypedColumns(java.util.Collections.unmodifiableMap(byField));
    }

    /**
     * Columns declared by name and Snowflake type, for a format whose bytes carry no schema (JSON: see
     * {@link io.ksbridge.RecordFormat#json(TypedColumns)}). Each is nullable and its JSON value is the value: a number
     * or a numeric text for NUMBER and FLOAT, a boolean, an ISO text for DATE, TIME and the timestamps (a space may
     * stand for the T; TIMESTAMP_LTZ and TIMESTAMP_TZ need an offset), hex for BINARY, any JSON for VARIANT, OBJECT
     * and ARRAY. Fields not declared keep their inferred types. For another encoding (epoch milliseconds, Base64),
     * build the columns with {@link #of(List)}.
     *
     * @param types field name to Snowflake type ({@code NUMBER(10,2)}, {@code TIMESTAMP_LTZ(3)}, {@code DATE}, or a
     *              synonym such as {@code DECIMAL(10,2)}, {@code INT}, {@code STRING}), in the order to keep
     * @throws IllegalArgumentException naming the field when a type is not one a column can have
     */
    public static TypedColumns declared(Map<String, String> types) {
        List<Column> list = new java.util.ArrayList<>();
        types.forEach((field, type) -> list.add(Column.of(field, type)));
        return of(list);
    }

    /**
     * These columns and {@code more}: a field both declare takes {@code more}'s column (a transform that masks a
     * NUMBER field declares it VARCHAR), new fields come after these.
     *
     * @param more the columns to add, or null
     * @return the union; this instance when {@code more} is null, empty or the same
     */
    public TypedColumns with(TypedColumns more) {
        if (more == null || more == this || more.columns.isEmpty()) {
            return this;
        }
        if (columns.isEmpty()) {
            return more;
        }
        Map<String, Column> union = new LinkedHashMap<>(columns);
        union.putAll(more.columns);
        return new TypedColumns(java.util.Collections.unmodifiableMap(union));
    }

    /** The columns, in the schema's order. */
    public List<Column> columns() {
        return List.copyOf(columns.values());
    }

    /** The column of {@code field}, or null when the schema has no such top-level field. */
    public Column column(String field) {
        return columns.get(field);
    }

    /** The scale of a NUMBER or a time type as written ({@code NUMBER(10,2)} is 2, {@code TIMESTAMP_LTZ(3)} is 3). */
    static int scale(String type, int absent) {
        int open = type.indexOf('(');
        if (open < 0) {
            return absent;
        }
        String inside = type.substring(open + 1, type.indexOf(')', open));
        int comma = inside.indexOf(',');
        return Integer.parseInt((comma < 0 ? (base(type).equals("NUMBER") ? "0" : inside) : inside.substring(comma + 1)).trim());
    }

    /** The precision of a NUMBER as written (38 when not given). */
    static int precision(String type) {
        int open = type.indexOf('(');
        if (open < 0) {
            return 38;
        }
        String inside = type.substring(open + 1, type.indexOf(')', open));
        int comma = inside.indexOf(',');
        return Integer.parseInt((comma < 0 ? inside : inside.substring(0, comma)).trim());
    }

    private static String base(String type) {
        int open = type.indexOf('(');
        return (open < 0 ? type : type.substring(0, open)).trim();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypedColumns t && t.columns.equals(columns);
    }

    @Override
    public int hashCode() {
        return columns.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TypedColumns[");
        for (Column c : columns.values()) {
            b.append(b.length() > 13 ? ", " : "").append(c.field()).append(' ').append(c.type()).append(c.nullable() ? "" : " NOT NULL");
        }
        return b.append(']').toString();
    }
}
