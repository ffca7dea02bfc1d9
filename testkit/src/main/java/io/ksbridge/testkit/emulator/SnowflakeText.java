package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the SQL API writes each Snowflake type as text in a result's {@code data} (its default output formats): NUMBER
 * as decimal digits at the column's scale, DATE as days since 1970-01-01, TIME as seconds since midnight with 9
 * decimals, TIMESTAMP_NTZ/LTZ as epoch seconds with 9 decimals, TIMESTAMP_TZ as epoch seconds then the offset in
 * minutes plus 1440, BINARY as upper-case hex, VARIANT/OBJECT/ARRAY as pretty-printed JSON. Also the
 * {@code rowType} entry of a column. Stateless.
 */
public final class SnowflakeText {
    private static final Pattern NUMBER = Pattern.compile("(?:NUMBER|NUMERIC|DECIMAL)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?");

    private static final Pattern FRACTION = Pattern.compile("\\(\\s*(\\d)\\s*\\)$");

    private SnowflakeText() {
    }

    /**
     * The SQL API's {@code rowType.type} of a DDL type.
     *
     * @param ddlType a type as written in DDL ({@code NUMBER(10,2)}, {@code TIMESTAMP_TZ}, {@code VARCHAR}, ...)
     * @return {@code fixed}, {@code real}, {@code text}, {@code boolean}, {@code date}, {@code time},
     *         {@code timestamp_ntz}, {@code timestamp_ltz}, {@code timestamp_tz}, {@code binary}, {@code variant},
     *         {@code object} or {@code array}
     */
    public static String apiType(String ddlType) {
        String t = base(ddlType);
        switch (t) {
            case "NUMBER": case "NUMERIC": case "DECIMAL": case "INT": case "INTEGER": case "BIGINT": case "SMALLINT":
            case "TINYINT": case "BYTEINT":
                return "fixed";
            case "FLOAT": case "FLOAT4": case "FLOAT8": case "DOUBLE": case "REAL":
                return "real";
            case "BOOLEAN":
                return "boolean";
            case "DATE":
                return "date";
            case "TIME":
                return "time";
            case "TIMESTAMP": case "DATETIME": case "TIMESTAMP_NTZ":
                return "timestamp_ntz";
            case "TIMESTAMP_LTZ":
                return "timestamp_ltz";
            case "TIMESTAMP_TZ":
                return "timestamp_tz";
            case "BINARY": case "VARBINARY":
                return "binary";
            case "VARIANT":
                return "variant";
            case "OBJECT":
                return "object";
            case "ARRAY":
                return "array";
            default:
                return "text";
        }
    }

    /** The scale of a NUMBER type (0 when not given), of TIME and timestamps (9 when not given), else 0. */
    public static int scale(String ddlType) {
        Matcher m = NUMBER.matcher(ddlType.trim().toUpperCase(Locale.ROOT));
        if (m.matches()) {
            return m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        }
        String api = apiType(ddlType);
        if (!api.startsWith("time")) {
            return 0;
        }
        Matcher p = FRACTION.matcher(ddlType.trim());
        return p.find() ? Integer.parseInt(p.group(1)) : 9;
    }

    /** The precision of a NUMBER type (38 when not given), else 0. */
    public static int precision(String ddlType) {
        Matcher m = NUMBER.matcher(ddlType.trim().toUpperCase(Locale.ROOT));
        if (m.matches()) {
            return m.group(1) == null ? 38 : Integer.parseInt(m.group(1));
        }
        return "fixed".equals(apiType(ddlType)) ? 38 : 0;
    }

    private static String base(String ddlType) {
        String t = ddlType.trim().toUpperCase(Locale.ROOT);
        int paren = t.indexOf('(');
        return (paren < 0 ? t : t.substring(0, paren)).trim();
    }

    /**
     * A Java value as the SQL API writes it for a column of {@code ddlType}.
     *
     * @param ddlType the column's DDL type
     * @param value   null (SQL NULL); a {@link Number} or decimal string for NUMBER and FLOAT; a {@link Boolean};
     *                a {@link LocalDate}; a {@link LocalTime}; a {@link LocalDateTime} (NTZ); an {@link Instant}
     *                (LTZ); an {@link OffsetDateTime} (TZ); a {@code byte[]}; a {@link JsonNode} or JSON text for
     *                VARIANT, OBJECT and ARRAY (text is kept as given, so {@code undefined} can be written); or a
     *                string, taken as the SQL API text itself for any other case
     * @return the text, or null for SQL NULL
     * @throws IllegalArgumentException when the value does not fit the type
     */
    public static String encode(String ddlType, Object value) {
        if (value == null) {
            return null;
        }
        String api = apiType(ddlType);
        switch (api) {
            case "fixed": {
                BigDecimal d = value instanceof BigDecimal ? (BigDecimal) value : new BigDecimal(value.toString());
                return d.setScale(scale(ddlType), RoundingMode.HALF_UP).toPlainString();
            }
            case "real": {
                if (!(value instanceof Number)) {
                    return value.toString();
                }
                double d = ((Number) value).doubleValue();
                return Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
            }
            case "boolean":
                return value instanceof Boolean ? value.toString() : Boolean.toString(Boolean.parseBoolean(value.toString()));
            case "date":
                return value instanceof LocalDate ? Long.toString(((LocalDate) value).toEpochDay()) : value.toString();
            case "time":
                if (value instanceof LocalTime) {
                    LocalTime t = (LocalTime) value;
                    return seconds(t.toSecondOfDay(), t.getNano());
                }
                return value.toString();
            case "timestamp_ntz":
                if (value instanceof LocalDateTime) {
                    Instant i = ((LocalDateTime) value).toInstant(ZoneOffset.UTC);
                    return seconds(i.getEpochSecond(), i.getNano());
                }
                return value.toString();
            case "timestamp_ltz":
                if (value instanceof Instant) {
                    Instant i = (Instant) value;
                    return seconds(i.getEpochSecond(), i.getNano());
                }
                return value.toString();
            case "timestamp_tz":
                if (value instanceof OffsetDateTime) {
                    OffsetDateTime o = (OffsetDateTime) value;
                    Instant i = o.toInstant();
                    return seconds(i.getEpochSecond(), i.getNano()) + " " + (o.getOffset().getTotalSeconds() / 60 + 1440);
                }
                return value.toString();
            case "binary":
                return value instanceof byte[] ? HexFormat.of().withUpperCase().formatHex((byte[]) value) : value.toString();
            case "variant": case "object": case "array":
                if (value instanceof JsonNode) {
                    try {
                        return HttpJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException(e);
                    }
                }
                return value.toString();
            default:
                return value.toString();
        }
    }

    /** {@code seconds.nnnnnnnnn}, negative times written as Snowflake writes them (the fraction counts up). */
    private static String seconds(long epochSeconds, int nanos) {
        BigDecimal s = BigDecimal.valueOf(epochSeconds).add(BigDecimal.valueOf(nanos, 9));
        return s.setScale(9, RoundingMode.UNNECESSARY).toPlainString();
    }

    /**
     * Splits SQL text on the commas outside parentheses and quotes (a column list, a select list, a tuple); a blank
     * last part is dropped.
     */
    public static java.util.List<String> splitTopLevel(String text) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int depth = 0;
        boolean single = false;
        boolean dbl = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (!single && !dbl) {
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    parts.add(cur.toString());
                    cur.setLength(0);
                    continue;
                }
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank()) {
            parts.add(cur.toString());
        }
        return parts;
    }
}
