package io.ksbridge.format.avro;

import io.ksbridge.format.TypedColumns;
import io.ksbridge.format.TypedColumns.Column;
import io.ksbridge.format.TypedColumns.Encoding;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * The Snowflake columns of an Avro record schema: one per top-level field, typed from the field's schema and logical
 * type, carried as {@link AvroJsonPlan} writes it.
 *
 * <table>
 *   <caption>Avro to Snowflake</caption>
 *   <tr><th>Avro</th><th>Snowflake column</th><th>JSON carries</th></tr>
 *   <tr><td>{@code boolean}</td><td>{@code BOOLEAN}</td><td>the boolean</td></tr>
 *   <tr><td>{@code int}</td><td>{@code NUMBER(10,0)}</td><td>the number</td></tr>
 *   <tr><td>{@code long}</td><td>{@code NUMBER(19,0)}</td><td>the number</td></tr>
 *   <tr><td>{@code float}, {@code double}</td><td>{@code FLOAT}</td><td>the number, or {@code "NaN"}, {@code "Infinity"}</td></tr>
 *   <tr><td>{@code string}, {@code enum}, {@code uuid}</td><td>{@code VARCHAR}</td><td>the text</td></tr>
 *   <tr><td>{@code bytes}</td><td>{@code BINARY}</td><td>one ISO-8859-1 character per byte</td></tr>
 *   <tr><td>{@code fixed}</td><td>{@code BINARY}</td><td>an array of signed byte values</td></tr>
 *   <tr><td>{@code decimal(p,s)}, p &le; 38</td><td>{@code NUMBER(p,s)}</td><td>the exact decimal</td></tr>
 *   <tr><td>{@code decimal(p,s)}, p &gt; 38</td><td>{@code VARCHAR}</td><td>the exact decimal, kept as text</td></tr>
 *   <tr><td>{@code date}</td><td>{@code DATE}</td><td>days since 1970-01-01</td></tr>
 *   <tr><td>{@code time-millis}, {@code time-micros}</td><td>{@code TIME(3)}, {@code TIME(6)}</td><td>since midnight</td></tr>
 *   <tr><td>{@code timestamp-millis}, {@code -micros}</td><td>{@code TIMESTAMP_LTZ(3)}, {@code (6)}</td><td>since the epoch (an instant)</td></tr>
 *   <tr><td>{@code local-timestamp-millis}, {@code -micros}</td><td>{@code TIMESTAMP_NTZ(3)}, {@code (6)}</td><td>since the epoch, no zone</td></tr>
 *   <tr><td>{@code record}, {@code map}</td><td>{@code OBJECT}</td><td>the object</td></tr>
 *   <tr><td>{@code array}</td><td>{@code ARRAY}</td><td>the array</td></tr>
 *   <tr><td>a union of {@code null} and one type</td><td>that type's column, nullable</td><td>as that type</td></tr>
 *   <tr><td>any other union, {@code null}</td><td>{@code VARIANT}</td><td>the branch's value</td></tr>
 * </table>
 *
 * <p>A field is nullable when its schema is a union with {@code null} or it has a default. Stateless.
 */
public final class AvroColumns {
    private static final int MAX_PRECISION = 38;

    private AvroColumns() {
    }

    /**
     * @param schema a record schema, never null
     * @return its columns, or null when {@code schema} is not a record (its values are not rows of fields)
     */
    public static TypedColumns of(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            return null;
        }
        List<Column> columns = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            Schema s = f.schema();
            boolean nullable = f.hasDefaultValue();
            if (s.getType() == Schema.Type.UNION) {
                List<Schema> branches = s.getTypes();
                boolean hasNull = branches.stream().anyMatch(b -> b.getType() == Schema.Type.NULL);
                List<Schema> others = branches.stream().filter(b -> b.getType() != Schema.Type.NULL).toList();
                if (hasNull && others.size() == 1) {
                    columns.add(column(f.name(), others.get(0), true));
                    continue;
                }
                columns.add(new Column(f.name(), "VARIANT", true, Encoding.AS_IS));
                continue;
            }
            columns.add(column(f.name(), s, nullable));
        }
        return TypedColumns.of(columns);
    }

    private static Column column(String field, Schema s, boolean nullable) {
        LogicalType lt = s.getLogicalType();
        if (lt instanceof LogicalTypes.Decimal d) {
            return d.getPrecision() <= MAX_PRECISION
                    ? new Column(field, "NUMBER(" + d.getPrecision() + "," + d.getScale() + ")", nullable, Encoding.AS_IS)
                    : new Column(field, "VARCHAR", nullable, Encoding.AS_IS);
        }
        if (lt != null) {
            switch (lt.getName()) {
                case "date":
                    return new Column(field, "DATE", nullable, Encoding.EPOCH_DAYS);
                case "time-millis":
                    return new Column(field, "TIME(3)", nullable, Encoding.MILLIS_OF_DAY);
                case "time-micros":
                    return new Column(field, "TIME(6)", nullable, Encoding.MICROS_OF_DAY);
                case "timestamp-millis":
                    return new Column(field, "TIMESTAMP_LTZ(3)", nullable, Encoding.EPOCH_MILLIS);
                case "timestamp-micros":
                    return new Column(field, "TIMESTAMP_LTZ(6)", nullable, Encoding.EPOCH_MICROS);
                case "local-timestamp-millis":
                    return new Column(field, "TIMESTAMP_NTZ(3)", nullable, Encoding.EPOCH_MILLIS);
                case "local-timestamp-micros":
                    return new Column(field, "TIMESTAMP_NTZ(6)", nullable, Encoding.EPOCH_MICROS);
                case "uuid":
                    return new Column(field, "VARCHAR", nullable, Encoding.AS_IS);
                default:
                    break; // an unknown logical type is its underlying type
            }
        }
        return switch (s.getType()) {
            case BOOLEAN -> new Column(field, "BOOLEAN", nullable, Encoding.AS_IS);
            case INT -> new Column(field, "NUMBER(10,0)", nullable, Encoding.AS_IS);
            case LONG -> new Column(field, "NUMBER(19,0)", nullable, Encoding.AS_IS);
            case FLOAT, DOUBLE -> new Column(field, "FLOAT", nullable, Encoding.AS_IS);
            case STRING, ENUM -> new Column(field, "VARCHAR", nullable, Encoding.AS_IS);
            case BYTES -> new Column(field, "BINARY", nullable, Encoding.LATIN1_BYTES);
            case FIXED -> new Column(field, "BINARY", nullable, Encoding.BYTE_ARRAY);
            case RECORD, MAP -> new Column(field, "OBJECT", nullable, Encoding.AS_IS);
            case ARRAY -> new Column(field, "ARRAY", nullable, Encoding.AS_IS);
            default -> new Column(field, "VARIANT", true, Encoding.AS_IS); // null, or a union nested in a union
        };
    }
}
