package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ksbridge.snowflake.SqlResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Decodes the SQL API's text of a value ({@code data} in the default {@code jsonv2} format) into JSON, by the column's
 * {@code rowType.type}; see {@link ChangeEvent} for what each type becomes. The bridge sends no output-format
 * parameter, so the text is in the SQL API's epoch-based encodings. Stateless.
 */
final class TextValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TextValues() {
    }

    /**
     * @throws IllegalArgumentException naming the column when the text does not fit its type
     */
    static JsonNode decode(SqlResult.Column column, String text) {
        if (text == null) {
            return NODES.nullNode();
        }
        try {
            switch (column.type()) {
                case "fixed": {
                    JsonNode quick = plainNumber(text, column.scale());
                    if (quick != null) {
                        return quick;
                    }
                    BigDecimal d = new BigDecimal(text);
                    return column.scale() == 0 ? NODES.numberNode(d.toBigIntegerExact()) : NODES.textNode(d.setScale(column.scale(),
                            RoundingMode.UNNECESSARY).toPlainString());
                }
                case "real":
                    switch (text) {
                        case "NaN":
                            return NODES.textNode("NaN");
                        case "inf":
                            return NODES.textNode("Infinity");
                        case "-inf":
                            return NODES.textNode("-Infinity");
                        default:
                            return NODES.numberNode(Double.parseDouble(text));
                    }
                case "boolean":
                    return NODES.booleanNode("true".equalsIgnoreCase(text) || "1".equals(text));
                case "date":
                    return NODES.textNode(LocalDate.ofEpochDay(Long.parseLong(text)).toString());
                case "time": {
                    Instant i = instant(text);
                    return NODES.textNode(LocalTime.ofNanoOfDay(i.getEpochSecond() * 1_000_000_000L + i.getNano()).toString());
                }
                case "timestamp_ntz":
                    return NODES.textNode(LocalDateTime.ofInstant(instant(text), ZoneOffset.UTC).toString());
                case "timestamp_ltz":
                    return NODES.textNode(instant(text).toString());
                case "timestamp_tz": {
                    int space = text.indexOf(' ');
                    Instant i = instant(space < 0 ? text : text.substring(0, space));
                    ZoneOffset offset = space < 0 ? ZoneOffset.UTC
                            : ZoneOffset.ofTotalSeconds((Integer.parseInt(text.substring(space + 1).trim()) - 1440) * 60);
                    return NODES.textNode(i.atOffset(offset).toString());
                }
                case "binary":
                    return NODES.textNode(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(text)));
                case "variant":
                case "object":
                case "array":
                    return Json.MAPPER.readTree(repairUndefined(text));
                default:
                    return NODES.textNode(text);
            }
        } catch (RuntimeException | IOException e) {
            throw new IllegalArgumentException("column " + column.name() + " of type " + column.type() + ": cannot read the"
                    + " value Snowflake sent (" + e.getMessage() + ")", e);
        }
    }

    /** Epoch seconds with a fraction ({@code -1.5}, {@code 1791549296.123456789}) as an instant, exactly. */
    /**
     * The common NUMBER texts without {@link BigDecimal}: an integer of at most 18 digits (scale 0) as a long, or
     * digits with exactly {@code scale} decimals as the text itself; null for anything else (the general path).
     */
    private static JsonNode plainNumber(String text, int scale) {
        int n = text.length();
        int start = n > 0 && text.charAt(0) == '-' ? 1 : 0;
        int dot = scale == 0 ? n : n - scale - 1;
        if (dot <= start || dot - start > 18 || scale > 0 && text.charAt(dot) != '.') {
            return null;
        }
        for (int i = start; i < n; i++) {
            char ch = text.charAt(i);
            if ((ch < '0' || ch > '9') && i != dot) {
                return null;
            }
        }
        if (dot - start > 1 && text.charAt(start) == '0') {
            return null; // leading zeros: let BigDecimal normalise them
        }
        return scale == 0 ? NODES.numberNode(Long.parseLong(text)) : NODES.textNode(text);
    }

    private static Instant instant(String text) {
        BigDecimal s = new BigDecimal(text.trim());
        BigDecimal whole = s.setScale(0, RoundingMode.FLOOR);
        int nanos = s.subtract(whole).movePointRight(9).setScale(0, RoundingMode.UNNECESSARY).intValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }

    /** Snowflake writes a SQL NULL inside an array as {@code undefined}, which is not JSON: make it {@code null}. */
    static String repairUndefined(String text) {
        if (!text.contains("undefined")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < text.length()) {
                    out.append(text.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (text.startsWith("undefined", i)) {
                out.append("null");
                i += "undefined".length() - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
