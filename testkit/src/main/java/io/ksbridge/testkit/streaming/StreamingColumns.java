package io.ksbridge.testkit.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.HttpJson;
import io.ksbridge.testkit.emulator.SnowflakeText;
import io.ksbridge.testkit.emulator.VariantJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A table column as Streaming Classic's open-channel answer describes it (logical type, physical type, precision,
 * scale, lengths: what the SDK builds its Parquet schema and its client-side validation from), and a value the SDK
 * wrote for that column read back from the chunk's Parquet. Typed values are kept as the SQL API writes them
 * ({@link SnowflakeText}): DATE as days since the epoch, TIME and timestamps as seconds with 9 decimals, TIMESTAMP_TZ
 * with its offset, BINARY as hex; NUMBER as a JSON number at its scale, REAL as a double, BOOLEAN as a boolean.
 *
 * <p>The physical types follow the SDK's Parquet generator: NUMBER by precision (SB1 up to 2 digits, SB2 up to 4, SB4
 * up to 9, SB8 up to 18, SB16 beyond; a scaled NUMBER is always a 16-byte decimal in the Parquet), TIME as SB8,
 * TIMESTAMP_NTZ/LTZ as SB8 up to scale 6 and SB16 beyond, TIMESTAMP_TZ as SB16 (epoch value shifted left 14 bits,
 * the offset in minutes plus 1440 in the low bits), DATE as SB4. Stateless.
 */
final class StreamingColumns {
    private static final JsonNodeFactory NODES = HttpJson.MAPPER.getNodeFactory();
    private static final int VARCHAR_MAX = 16_777_216;

    private StreamingColumns() {
    }

    /** The column's entry in an open-channel answer. */
    static ObjectNode json(ColumnDef c, int ordinal) {
        ObjectNode col = NODES.objectNode();
        col.put("name", c.name());
        col.put("ordinal", ordinal);
        col.put("nullable", c.nullable());
        col.putNull("collation");
        String api = SnowflakeText.apiType(c.type());
        int scale = SnowflakeText.scale(c.type());
        switch (api) {
            case "variant", "object", "array" -> lob(col, api.toUpperCase(java.util.Locale.ROOT),
                    api.toUpperCase(java.util.Locale.ROOT));
            case "fixed" -> {
                int precision = SnowflakeText.precision(c.type());
                fixed(col, "NUMBER(" + precision + "," + scale + ")", "FIXED", physicalOfPrecision(precision),
                        precision, scale);
            }
            case "real" -> fixed(col, "FLOAT", "REAL", "DOUBLE", null, null);
            case "boolean" -> fixed(col, "BOOLEAN", "BOOLEAN", "SB1", null, null);
            case "date" -> fixed(col, "DATE", "DATE", "SB4", null, null);
            case "time" -> fixed(col, "TIME(" + scale + ")", "TIME", "SB8", 0, scale);
            case "timestamp_ntz", "timestamp_ltz" -> fixed(col, api.toUpperCase(java.util.Locale.ROOT) + "(" + scale + ")",
                    api.toUpperCase(java.util.Locale.ROOT), scale <= 6 ? "SB8" : "SB16", 0, scale);
            case "timestamp_tz" -> fixed(col, "TIMESTAMP_TZ(" + scale + ")", "TIMESTAMP_TZ", "SB16", 0, scale);
            case "binary" -> {
                col.put("type", "BINARY(8388608)");
                col.put("logical_type", "BINARY");
                col.put("physical_type", "BINARY");
                col.putNull("precision");
                col.putNull("scale");
                col.put("byte_length", 8_388_608);
                col.put("length", 8_388_608);
            }
            default -> lob(col, "VARCHAR(" + VARCHAR_MAX + ")", "TEXT");
        }
        return col;
    }

    private static String physicalOfPrecision(int precision) {
        return precision <= 2 ? "SB1" : precision <= 4 ? "SB2" : precision <= 9 ? "SB4" : precision <= 18 ? "SB8" : "SB16";
    }

    private static void lob(ObjectNode col, String type, String logical) {
        col.put("type", type);
        col.put("logical_type", logical);
        col.put("physical_type", "LOB");
        col.putNull("precision");
        col.putNull("scale");
        col.put("byte_length", VARCHAR_MAX);
        col.put("length", VARCHAR_MAX);
    }

    private static void fixed(ObjectNode col, String type, String logical, String physical, Integer precision,
                              Integer scale) {
        col.put("type", type);
        col.put("logical_type", logical);
        col.put("physical_type", physical);
        if (precision == null) {
            col.putNull("precision");
        } else {
            col.put("precision", precision);
        }
        if (scale == null) {
            col.putNull("scale");
        } else {
            col.put("scale", scale);
        }
        col.putNull("byte_length");
        col.putNull("length");
    }

    /**
     * A value read from the chunk's Parquet for column {@code c}, as the table keeps it.
     *
     * @param v an {@code Integer}, {@code Long}, {@code Double}, {@code Boolean} or {@code byte[]}, never null
     * @throws IOException when the value cannot be a value of the column (the blob is not what the SDK writes)
     */
    static JsonNode value(ColumnDef c, Object v) throws IOException {
        String api = SnowflakeText.apiType(c.type());
        int scale = SnowflakeText.scale(c.type());
        switch (api) {
            case "variant", "object", "array":
                return VariantJson.read(bytes(c, v), true); // the SDK refuses repeated keys
            case "fixed": {
                BigInteger unscaled = integer(c, v);
                return scale == 0 ? NODES.numberNode(unscaled) : NODES.numberNode(new BigDecimal(unscaled, scale));
            }
            case "real":
                return v instanceof Number n ? NODES.numberNode(n.doubleValue()) : mismatch(c, v);
            case "boolean":
                return v instanceof Boolean b ? NODES.booleanNode(b)
                        : v instanceof Number n ? NODES.booleanNode(n.intValue() != 0) : mismatch(c, v);
            case "date":
                return v instanceof Number n
                        ? text("DATE", LocalDate.ofEpochDay(n.longValue())) : mismatch(c, v);
            case "time": {
                BigDecimal seconds = new BigDecimal(integer(c, v), scale);
                return text("TIME", LocalTime.ofNanoOfDay(seconds.movePointRight(9).longValueExact()));
            }
            case "timestamp_ntz":
                return text("TIMESTAMP_NTZ", LocalDateTime.ofInstant(instant(integer(c, v), scale), ZoneOffset.UTC));
            case "timestamp_ltz":
                return text("TIMESTAMP_LTZ", instant(integer(c, v), scale));
            case "timestamp_tz": {
                BigInteger packed = integer(c, v);
                int minutes = packed.intValue() & 0x3FFF;
                Instant at = instant(packed.shiftRight(14), scale);
                return text("TIMESTAMP_TZ", OffsetDateTime.ofInstant(at, ZoneOffset.ofTotalSeconds((minutes - 1440) * 60)));
            }
            case "binary":
                return text("BINARY", bytes(c, v));
            default:
                return TextNode.valueOf(new String(bytes(c, v), StandardCharsets.UTF_8));
        }
    }

    private static TextNode text(String type, Object value) {
        return TextNode.valueOf(SnowflakeText.encode(type, value));
    }

    private static Instant instant(BigInteger unscaled, int scale) {
        BigDecimal seconds = new BigDecimal(unscaled, scale);
        BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
        return Instant.ofEpochSecond(whole.longValueExact(), seconds.subtract(whole).movePointRight(9).intValueExact());
    }

    private static BigInteger integer(ColumnDef c, Object v) throws IOException {
        if (v instanceof Integer || v instanceof Long) {
            return BigInteger.valueOf(((Number) v).longValue());
        }
        if (v instanceof byte[] b) {
            return new BigInteger(b); // a 16-byte decimal: two's complement, big-endian
        }
        throw new IOException("column " + c.name() + " (" + c.type() + ") holds a " + v.getClass().getSimpleName()
                + " in the blob, not an integer");
    }

    private static byte[] bytes(ColumnDef c, Object v) throws IOException {
        if (v instanceof byte[] b) {
            return b;
        }
        throw new IOException("column " + c.name() + " (" + c.type() + ") holds a " + v.getClass().getSimpleName()
                + " in the blob, not bytes");
    }

    private static JsonNode mismatch(ColumnDef c, Object v) throws IOException {
        throw new IOException("column " + c.name() + " (" + c.type() + ") holds a " + v.getClass().getSimpleName()
                + " in the blob");
    }
}
