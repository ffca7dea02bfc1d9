package io.ksbridge.testkit.streaminghp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.SnowflakeText;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the default pipe of the high-performance architecture loads one value of an NDJSON row into a typed column, as
 * the emulator keeps it: the value is converted to the column's type and stored as the emulator's typed columns are
 * ({@link SnowflakeText}: NUMBER as a JSON number at the column's scale, DATE/TIME/timestamps as the SQL API's epoch
 * text, BINARY as upper-case hex), or refused with a message naming the column, as Snowflake counts a row it cannot
 * load in the channel's {@code rows_error_count}.
 *
 * <p>This is the emulator's own reading, written apart from the backend's rendering: the backend cannot pass a wrong
 * mapping by agreeing with itself. Where Snowflake is lenient in ways a correct client never needs (integers as epoch
 * times, dates in other formats, a timestamp without offset for TIMESTAMP_LTZ, which Snowflake reads in the session's
 * time zone), the emulator refuses, so a client that relies on them is caught. A NUMBER with more decimals than its
 * scale is rounded half up, and fractional seconds beyond a time type's scale are cut, as Snowflake stores them.
 * Stateless.
 */
final class PipeColumns {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern HEX = Pattern.compile("([0-9A-Fa-f]{2})*");
    private static final Pattern DATE_TEXT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private PipeColumns() {
    }

    /**
     * @param c the column
     * @param v the row's value for it (never a Java null; JSON null is SQL NULL)
     * @return the stored value, or null for SQL NULL
     * @throws IllegalArgumentException naming the column, its type and the value when the value does not fit
     */
    static JsonNode load(ColumnDef c, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        String api = SnowflakeText.apiType(c.type());
        try {
            switch (api) {
                case "variant":
                    return v;
                case "object":
                    return require(v.isObject(), v);
                case "array":
                    return require(v.isArray(), v);
                case "fixed":
                    return fixed(c, v);
                case "real":
                    if (v.isNumber()) {
                        return NODES.numberNode(v.doubleValue());
                    }
                    return NODES.numberNode(real(scalarText(v)));
                case "boolean":
                    return NODES.booleanNode(bool(v));
                case "date": {
                    String t = scalarText(v);
                    if (!DATE_TEXT.matcher(t).matches()) {
                        throw new IllegalArgumentException("Date '" + t + "' is not recognized");
                    }
                    return text("DATE", LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE));
                }
                case "time":
                    return text("TIME", LocalTime.parse(scalarText(v), DateTimeFormatter.ISO_LOCAL_TIME)
                            .truncatedTo(unit(c.type())));
                case "timestamp_ntz":
                    return text("TIMESTAMP_NTZ", LocalDateTime.parse(scalarText(v), DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                            .truncatedTo(unit(c.type())));
                case "timestamp_ltz": {
                    String t = scalarText(v);
                    Instant at = OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
                    return text("TIMESTAMP_LTZ", at.truncatedTo(unit(c.type())));
                }
                case "timestamp_tz":
                    return text("TIMESTAMP_TZ", OffsetDateTime.parse(scalarText(v), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                            .truncatedTo(unit(c.type())));
                case "binary": {
                    String t = scalarText(v);
                    if (!HEX.matcher(t).matches()) {
                        throw new IllegalArgumentException("The following string is not a legal hex-encoded value: '"
                                + t + "'");
                    }
                    return TextNode.valueOf(t.toUpperCase(Locale.ROOT));
                }
                default: // text
                    if (v.isContainerNode()) {
                        throw new IllegalArgumentException("a JSON " + (v.isObject() ? "object" : "array")
                                + " is not text");
                    }
                    return TextNode.valueOf(v.isTextual() ? v.textValue() : v.toString());
            }
        } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
            String value = v.toString();
            throw new IllegalArgumentException("column " + c.name() + " (" + c.type() + ") cannot hold "
                    + (value.length() > 60 ? value.substring(0, 60) + "..." : value) + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode require(boolean ok, JsonNode v) {
        if (!ok) {
            throw new IllegalArgumentException("a " + v.getNodeType().name().toLowerCase(Locale.ROOT) + " is not of this type");
        }
        return v;
    }

    private static JsonNode fixed(ColumnDef c, JsonNode v) {
        String t = v.isNumber() ? v.asText() : scalarText(v).trim();
        if (v.isNumber() && v.isFloatingPointNumber() && !v.isBigDecimal()) {
            t = v.decimalValue().toString();
        }
        if (!DECIMAL.matcher(t).matches()) {
            throw new IllegalArgumentException("Numeric value '" + t + "' is not recognized");
        }
        int scale = SnowflakeText.scale(c.type());
        int precision = SnowflakeText.precision(c.type());
        BigDecimal d = new BigDecimal(t).setScale(scale, RoundingMode.HALF_UP);
        BigDecimal limit = BigDecimal.TEN.pow(precision - scale);
        if (d.abs().compareTo(limit) >= 0) {
            throw new IllegalArgumentException("Numeric value '" + t + "' is out of range");
        }
        return scale == 0 ? NODES.numberNode(d.toBigIntegerExact()) : NODES.numberNode(d);
    }

    private static double real(String t) {
        return switch (t.trim()) {
            case "NaN" -> Double.NaN;
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (!DECIMAL.matcher(t.trim()).matches()) {
                    throw new IllegalArgumentException("Numeric value '" + t + "' is not recognized");
                }
                yield Double.parseDouble(t.trim());
            }
        };
    }

    private static boolean bool(JsonNode v) {
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().signum() != 0;
        }
        String t = scalarText(v).trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "true": case "t": case "yes": case "y": case "on": case "1":
                return true;
            case "false": case "f": case "no": case "n": case "off": case "0":
                return false;
            default:
                throw new IllegalArgumentException("Boolean value '" + t + "' is not recognized");
        }
    }

    /** A JSON string's text; numbers, booleans and containers are not text for a typed column here. */
    private static String scalarText(JsonNode v) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException("a JSON " + v.getNodeType().name().toLowerCase(Locale.ROOT)
                    + " where text was expected");
        }
        return v.textValue();
    }

    /** The unit fractional seconds are cut to: the type's scale (9 when not given). */
    private static java.time.temporal.TemporalUnit unit(String type) {
        int scale = SnowflakeText.scale(type);
        return switch (scale) {
            case 0 -> ChronoUnit.SECONDS;
            case 1, 2, 3 -> scale == 3 ? ChronoUnit.MILLIS : new Fraction(scale);
            case 4, 5, 6 -> scale == 6 ? ChronoUnit.MICROS : new Fraction(scale);
            default -> scale >= 9 ? ChronoUnit.NANOS : new Fraction(scale);
        };
    }

    /** A fraction of a second, 10^-scale s, for truncation. */
    private record Fraction(int scale) implements java.time.temporal.TemporalUnit {
        @Override
        public java.time.Duration getDuration() {
            return java.time.Duration.ofNanos((long) Math.pow(10, 9 - scale));
        }

        @Override
        public boolean isDurationEstimated() {
            return false;
        }

        @Override
        public boolean isDateBased() {
            return false;
        }

        @Override
        public boolean isTimeBased() {
            return true;
        }

        @Override
        public <R extends java.time.temporal.Temporal> R addTo(R temporal, long amount) {
            @SuppressWarnings("unchecked")
            R r = (R) temporal.plus(getDuration().multipliedBy(amount));
            return r;
        }

        @Override
        public long between(java.time.temporal.Temporal a, java.time.temporal.Temporal b) {
            return a.until(b, ChronoUnit.NANOS) / getDuration().toNanos();
        }
    }

    private static TextNode text(String type, Object value) {
        return TextNode.valueOf(SnowflakeText.encode(type, value));
    }
}
