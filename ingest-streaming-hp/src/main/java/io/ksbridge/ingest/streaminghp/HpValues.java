package io.ksbridge.ingest.streaminghp;

import com.snowflake.shaded.jackson.databind.util.RawValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * A typed value as the SDK's row map carries it to a column of the table's default pipe, which reads each NDJSON row
 * by column name and converts each value to its column's type: exact decimals as JSON numbers in plain notation (the
 * SDK's writer would print a {@link BigDecimal} in scientific notation), dates, times and timestamps as ISO 8601 text
 * (with seconds always, and the offset for LTZ and TZ), binary as hex, VARIANT/OBJECT/ARRAY values as their JSON.
 * Values are checked against the column first: a value the column cannot hold is refused here, before it reaches
 * Snowflake, which would refuse it (and count it in the channel's errors) after its token has committed. Stateless.
 */
final class HpValues {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_LOCAL_TIME;
    private static final DateTimeFormatter NTZ = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    private static final DateTimeFormatter TZ = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    /** The texts Snowflake reads as booleans. */
    private static final Set<String> TRUE = Set.of("true", "t", "yes", "y", "on", "1");
    private static final Set<String> FALSE = Set.of("false", "f", "no", "n", "off", "0");

    private HpValues() {
    }

    /**
     * @param columnType the column's type as the table has it (or will have it), DDL form
     * @param wantedType the type {@link io.ksbridge.internal.schema.Schematizer} gave the value (its Java form
     *                   follows it: a JSON text for VARIANT, OBJECT and ARRAY)
     * @param value      the value, not null
     * @return a {@link String}, {@link Long}, {@link Double}, {@link Boolean} or a raw JSON value for the SDK's writer
     * @throws IllegalArgumentException saying why when the column cannot hold the value
     */
    static Object render(String columnType, String wantedType, Object value) {
        String column = base(columnType);
        boolean json = structured(base(wantedType)) && value instanceof String;
        try {
            switch (column) {
                case "VARIANT":
                    return json ? new RawValue((String) value) : scalar(value);
                case "OBJECT":
                case "ARRAY": {
                    String text = json ? ((String) value).trim() : "";
                    if (column.equals("OBJECT") ? !text.startsWith("{") : !text.startsWith("[")) {
                        throw new IllegalArgumentException("not a JSON " + column.toLowerCase(Locale.ROOT));
                    }
                    return new RawValue(text);
                }
                case "NUMBER":
                    return new RawValue(number(columnType, value).toPlainString());
                case "FLOAT":
                    return real(value);
                case "BOOLEAN":
                    return bool(value);
                case "DATE":
                    return (value instanceof LocalDate d ? d : LocalDate.parse(text(value))).toString();
                case "TIME":
                    return TIME.format(value instanceof LocalTime t ? t : LocalTime.parse(text(value)));
                case "TIMESTAMP_NTZ":
                    return NTZ.format(value instanceof LocalDateTime t ? t : LocalDateTime.parse(text(value)));
                case "TIMESTAMP_LTZ":
                    return TZ.format(instant(value).atOffset(ZoneOffset.UTC));
                case "TIMESTAMP_TZ":
                    return TZ.format(value instanceof OffsetDateTime t ? t : value instanceof Instant i
                            ? i.atOffset(ZoneOffset.UTC) : OffsetDateTime.parse(text(value)));
                case "BINARY":
                    return value instanceof byte[] b ? HexFormat.of().withUpperCase().formatHex(b)
                            : HexFormat.of().withUpperCase().formatHex(HexFormat.of().parseHex(text(value)));
                default: // text
                    if (json && (((String) value).startsWith("{") || ((String) value).startsWith("["))) {
                        throw new IllegalArgumentException("a JSON object or array is not text");
                    }
                    return text(value);
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + abbreviate(value), e);
        }
    }

    /** A value in a VARIANT: numbers, booleans and text as they are, typed values as text. */
    private static Object scalar(Object value) {
        if (value instanceof BigDecimal d) {
            return new RawValue(d.toPlainString());
        }
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Double || value instanceof Boolean) {
            return value;
        }
        return text(value);
    }

    private static BigDecimal number(String columnType, Object value) {
        BigDecimal d;
        if (value instanceof BigDecimal b) {
            d = b;
        } else if (value instanceof Long || value instanceof Integer) {
            d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof Double x) {
            d = BigDecimal.valueOf(x); // NaN and infinities throw NumberFormatException
        } else if (value instanceof String s) {
            d = new BigDecimal(s.trim());
        } else {
            throw new IllegalArgumentException("not a number: " + abbreviate(value));
        }
        int scale = scale(columnType);
        int precision = precision(columnType);
        BigDecimal scaled = d.setScale(scale, RoundingMode.HALF_UP); // Snowflake rounds to the column's scale
        if (scaled.precision() - scaled.scale() > precision - scale && scaled.signum() != 0) {
            throw new IllegalArgumentException(d.toPlainString() + " is out of range for NUMBER(" + precision + ","
                    + scale + ")");
        }
        return scaled;
    }

    private static Object real(Object value) {
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : d;
        }
        if (value instanceof String s) {
            String t = s.trim();
            if (Set.of("NaN", "inf", "-inf", "Infinity", "-Infinity").contains(t)) {
                return t.startsWith("-") ? "-inf" : t.equals("NaN") ? "NaN" : "inf";
            }
            return Double.parseDouble(t);
        }
        throw new IllegalArgumentException("not a number: " + abbreviate(value));
    }

    private static Boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Long || value instanceof Integer) {
            return ((Number) value).longValue() != 0;
        }
        if (value instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (TRUE.contains(t)) {
                return true;
            }
            if (FALSE.contains(t)) {
                return false;
            }
        }
        throw new IllegalArgumentException("not a boolean: " + abbreviate(value));
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        return OffsetDateTime.parse(text(value)).toInstant();
    }

    private static String text(Object value) {
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof byte[] b) {
            return HexFormat.of().withUpperCase().formatHex(b);
        }
        if (value instanceof LocalTime t) {
            return TIME.format(t);
        }
        if (value instanceof LocalDateTime t) {
            return NTZ.format(t);
        }
        if (value instanceof OffsetDateTime t) {
            return TZ.format(t);
        }
        if (value instanceof Instant i) {
            return TZ.format(i.atOffset(ZoneOffset.UTC));
        }
        return String.valueOf(value);
    }

    private static String abbreviate(Object value) {
        String s = text(value);
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static boolean structured(String base) {
        return base.equals("VARIANT") || base.equals("OBJECT") || base.equals("ARRAY");
    }

    /** The type's family: NUMBER, FLOAT, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ/LTZ/TZ, BINARY, VARIANT, OBJECT, ARRAY, TEXT. */
    static String base(String type) {
        String t = type.trim().toUpperCase(Locale.ROOT);
        int open = t.indexOf('(');
        String b = (open < 0 ? t : t.substring(0, open)).trim();
        return switch (b) {
            case "NUMBER", "DECIMAL", "NUMERIC", "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT" -> "NUMBER";
            case "FLOAT", "FLOAT4", "FLOAT8", "DOUBLE", "REAL", "DOUBLE PRECISION" -> "FLOAT";
            case "TIMESTAMP", "DATETIME", "TIMESTAMP_NTZ" -> "TIMESTAMP_NTZ";
            case "BINARY", "VARBINARY" -> "BINARY";
            case "BOOLEAN", "DATE", "TIME", "TIMESTAMP_LTZ", "TIMESTAMP_TZ", "VARIANT", "OBJECT", "ARRAY" -> b;
            default -> "TEXT";
        };
    }

    /** The scale of a NUMBER type as written (0 when not given). */
    static int scale(String type) {
        String[] ps = args(type);
        return ps.length > 1 ? Integer.parseInt(ps[1].trim()) : 0;
    }

    /** The precision of a NUMBER type as written (38 when not given, as for INT and its synonyms). */
    static int precision(String type) {
        String[] ps = args(type);
        return ps.length > 0 && !ps[0].isBlank() ? Integer.parseInt(ps[0].trim()) : 38;
    }

    private static String[] args(String type) {
        int open = type.indexOf('(');
        return open < 0 ? new String[0] : type.substring(open + 1, type.indexOf(')', open)).split(",");
    }
}
