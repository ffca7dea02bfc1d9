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
            type = Objects.requireNonNull(type, "type must not be null").trim().toUpperCase(Locale.ROOT);
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
                    return encoding == Encoding.AS_IS ? LocalDateTime.parse(json.asText())
                            : LocalDateTime.ofInstant(instant(json), ZoneOffset.UTC);
                case "TIMESTAMP_LTZ":
                    return encoding == Encoding.AS_IS ? Instant.parse(json.asText()) : instant(json);
                case "TIMESTAMP_TZ":
                    return encoding == Encoding.AS_IS || encoding == Encoding.RFC3339
                            ? OffsetDateTime.parse(json.asText()) : instant(json).atOffset(ZoneOffset.UTC);
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
