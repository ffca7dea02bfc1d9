package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code COPY ... MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE} as Snowflake loads a JSON file row: each key goes into the
 * column of the same name (any case; keys without a column are ignored), its value converted to the column's type and
 * stored as the emulator's typed columns are (numbers as JSON numbers at the column's scale, dates and timestamps as
 * {@link SnowflakeText} writes them). A value that does not fit is refused, naming the column.
 */
final class CopyColumns {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private CopyColumns() {
    }

    /** @throws IllegalArgumentException naming the column when a value does not fit its type */
    static Map<String, JsonNode> row(EmulatedTable table, JsonNode node) {
        Map<String, JsonNode> row = new HashMap<>();
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("MATCH_BY_COLUMN_NAME needs each row to be a JSON object");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            ColumnDef c = null;
            for (ColumnDef d : table.columns()) {
                if (d.name().equalsIgnoreCase(f.getKey())) {
                    c = d;
                }
            }
            if (c != null) {
                row.put(c.name(), value(c, f.getValue()));
            }
        }
        return row;
    }

    static JsonNode value(ColumnDef c, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        String api = SnowflakeText.apiType(c.type());
        try {
            switch (api) {
                case "variant", "object", "array":
                    return v;
                case "fixed": {
                    BigDecimal d = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().trim());
                    int scale = SnowflakeText.scale(c.type());
                    BigDecimal s = d.setScale(scale, java.math.RoundingMode.HALF_UP);
                    if (s.precision() - s.scale() > SnowflakeText.precision(c.type()) - scale) {
                        throw new IllegalArgumentException("Numeric value '" + v.asText() + "' is out of range");
                    }
                    return scale == 0 ? NODES.numberNode(s.toBigInteger()) : NODES.numberNode(s);
                }
                case "real":
                    return NODES.numberNode(v.isNumber() ? v.doubleValue() : Double.parseDouble(v.asText()));
                case "boolean":
                    if (v.isBoolean()) {
                        return v;
                    }
                    throw new IllegalArgumentException("Boolean value '" + v.asText() + "' is not recognized");
                case "date":
                    return text("DATE", LocalDate.parse(v.asText()));
                case "time":
                    return text("TIME", LocalTime.parse(v.asText()));
                case "timestamp_ntz":
                    return text("TIMESTAMP_NTZ", LocalDateTime.parse(v.asText()));
                case "timestamp_ltz":
                    return text("TIMESTAMP_LTZ", v.asText().endsWith("Z") ? Instant.parse(v.asText())
                            : OffsetDateTime.parse(v.asText()).toInstant());
                case "timestamp_tz":
                    return text("TIMESTAMP_TZ", OffsetDateTime.parse(v.asText()));
                case "binary":
                    return text("BINARY", java.util.HexFormat.of().parseHex(v.asText()));
                default:
                    return TextNode.valueOf(v.isTextual() ? v.textValue() : v.toString());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Error loading column " + c.name() + " (" + c.type() + "): value "
                    + v + " is not recognized: " + e.getMessage(), e);
        }
    }

    private static TextNode text(String type, Object value) {
        return TextNode.valueOf(SnowflakeText.encode(type, value));
    }
}
