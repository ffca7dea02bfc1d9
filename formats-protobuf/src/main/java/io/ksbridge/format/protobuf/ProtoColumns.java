package io.ksbridge.format.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.ksbridge.format.TypedColumns;
import io.ksbridge.format.TypedColumns.Column;
import io.ksbridge.format.TypedColumns.Encoding;
import java.util.ArrayList;
import java.util.List;

/**
 * The Snowflake columns of a Protobuf message type: one per field, named as the format writes it (JSON name, or the
 * proto name when preserving names), typed from the field's type, carried as Protobuf's JSON mapping writes it.
 *
 * <table>
 *   <caption>Protobuf to Snowflake</caption>
 *   <tr><th>Protobuf</th><th>Snowflake column</th><th>JSON carries</th></tr>
 *   <tr><td>{@code int32}, {@code sint32}, {@code sfixed32}, {@code uint32}, {@code fixed32}</td><td>{@code NUMBER(10,0)}</td><td>the number</td></tr>
 *   <tr><td>{@code int64}, {@code sint64}, {@code sfixed64}</td><td>{@code NUMBER(19,0)}</td><td>the number as text</td></tr>
 *   <tr><td>{@code uint64}, {@code fixed64}</td><td>{@code NUMBER(20,0)}</td><td>the number as text</td></tr>
 *   <tr><td>{@code float}, {@code double}</td><td>{@code FLOAT}</td><td>the number, or {@code "NaN"}, {@code "Infinity"}</td></tr>
 *   <tr><td>{@code bool}</td><td>{@code BOOLEAN}</td><td>the boolean</td></tr>
 *   <tr><td>{@code string}, an enum</td><td>{@code VARCHAR}</td><td>the text, the value's name</td></tr>
 *   <tr><td>{@code bytes}</td><td>{@code BINARY}</td><td>Base64</td></tr>
 *   <tr><td>{@code google.protobuf.Timestamp}</td><td>{@code TIMESTAMP_LTZ(9)}</td><td>RFC 3339 text</td></tr>
 *   <tr><td>{@code google.protobuf.Duration}</td><td>{@code VARCHAR}</td><td>its text ({@code "90.500s"})</td></tr>
 *   <tr><td>a wrapper ({@code google.protobuf.Int64Value}, ...)</td><td>the wrapped type's column</td><td>as the wrapped type</td></tr>
 *   <tr><td>{@code google.protobuf.Struct}, a map, a message</td><td>{@code OBJECT}</td><td>the object</td></tr>
 *   <tr><td>{@code google.protobuf.ListValue}, a repeated field</td><td>{@code ARRAY}</td><td>the array</td></tr>
 *   <tr><td>{@code google.protobuf.Value}, {@code google.protobuf.NullValue}</td><td>{@code VARIANT}</td><td>the value</td></tr>
 * </table>
 *
 * <p>Every column is nullable (a field at its default is left out of the JSON unless defaults are included; a field
 * with presence may be unset) except, when defaults are included, singular scalars without presence. Stateless.
 */
public final class ProtoColumns {

    private ProtoColumns() {
    }

    /**
     * @param type       the message type, never null
     * @param protoNames whether columns take the fields' proto names ({@code order_id}) instead of their JSON names
     *                   ({@code orderId}), as the format writes them
     * @param defaults   whether the format writes fields at their default value
     */
    public static TypedColumns of(Descriptor type, boolean protoNames, boolean defaults) {
        List<Column> columns = new ArrayList<>();
        for (FieldDescriptor f : type.getFields()) {
            String name = protoNames ? f.getName() : f.getJsonName();
            boolean nullable = !defaults || f.hasPresence() || f.isRepeated();
            if (f.isMapField()) {
                columns.add(new Column(name, "OBJECT", true, Encoding.AS_IS));
            } else if (f.isRepeated()) {
                columns.add(new Column(name, "ARRAY", true, Encoding.AS_IS));
            } else {
                columns.add(scalar(name, f, nullable));
            }
        }
        return TypedColumns.of(columns);
    }

    private static Column scalar(String name, FieldDescriptor f, boolean nullable) {
        return switch (f.getType()) {
            case INT32, SINT32, SFIXED32, UINT32, FIXED32 -> new Column(name, "NUMBER(10,0)", nullable, Encoding.AS_IS);
            case INT64, SINT64, SFIXED64 -> new Column(name, "NUMBER(19,0)", nullable, Encoding.AS_IS);
            case UINT64, FIXED64 -> new Column(name, "NUMBER(20,0)", nullable, Encoding.AS_IS);
            case FLOAT, DOUBLE -> new Column(name, "FLOAT", nullable, Encoding.AS_IS);
            case BOOL -> new Column(name, "BOOLEAN", nullable, Encoding.AS_IS);
            case STRING -> new Column(name, "VARCHAR", nullable, Encoding.AS_IS);
            case BYTES -> new Column(name, "BINARY", nullable, Encoding.BASE64);
            case ENUM -> f.getEnumType().getFullName().equals("google.protobuf.NullValue")
                    ? new Column(name, "VARIANT", true, Encoding.AS_IS) : new Column(name, "VARCHAR", nullable, Encoding.AS_IS);
            case MESSAGE, GROUP -> message(name, f.getMessageType());
        };
    }

    private static Column message(String name, Descriptor m) {
        switch (m.getFullName()) {
            case "google.protobuf.Timestamp":
                return new Column(name, "TIMESTAMP_LTZ(9)", true, Encoding.RFC3339);
            case "google.protobuf.Duration":
                return new Column(name, "VARCHAR", true, Encoding.AS_IS);
            case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
                 "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
                 "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
                return scalar(name, m.findFieldByNumber(1), true);
            case "google.protobuf.ListValue":
                return new Column(name, "ARRAY", true, Encoding.AS_IS);
            case "google.protobuf.Value", "google.protobuf.Any":
                return new Column(name, "VARIANT", true, Encoding.AS_IS);
            default:
                return new Column(name, "OBJECT", true, Encoding.AS_IS); // Struct, Empty, FieldMask, a message
        }
    }
}
