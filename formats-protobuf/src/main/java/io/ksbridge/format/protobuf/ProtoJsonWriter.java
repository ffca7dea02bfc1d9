package io.ksbridge.format.protobuf;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a parsed message in protobuf's canonical JSON mapping straight to a Jackson generator: the same fields, order
 * and values as {@code JsonFormat.printer().omittingInsignificantWhitespace()} with the same options, without its
 * intermediate text. Strings are escaped by Jackson, so {@code <}, {@code >}, {@code &}, {@code =} and {@code '} stay
 * as they are where {@code JsonFormat} writes &#92;u003c and the like: the same JSON values. Well-known types
 * with a special JSON form that this class does not write itself ({@code Any}, {@code FieldMask}, {@code Empty}) are
 * handed to {@code JsonFormat}. Immutable and thread-safe.
 */
final class ProtoJsonWriter {
    private final boolean protoNames;
    private final boolean defaults;
    private final JsonFormat.Printer fallback;

    ProtoJsonWriter(boolean protoNames, boolean defaults, JsonFormat.Printer fallback) {
        this.protoNames = protoNames;
        this.defaults = defaults;
        this.fallback = fallback;
    }

    void write(Message m, JsonGenerator g) throws IOException {
        Descriptor d = m.getDescriptorForType();
        if (d.getFile().getPackage().equals("google.protobuf") && writeWellKnown(d.getFullName(), m, g)) {
            return;
        }
        Map<FieldDescriptor, Object> fields = m.getAllFields();
        if (defaults) {
            TreeMap<FieldDescriptor, Object> all = new TreeMap<>(fields);
            for (FieldDescriptor f : d.getFields()) {
                if (!f.hasPresence() && !all.containsKey(f)) {
                    all.put(f, m.getField(f));
                }
            }
            fields = all;
        }
        g.writeStartObject();
        for (Map.Entry<FieldDescriptor, Object> e : fields.entrySet()) {
            FieldDescriptor f = e.getKey();
            g.writeFieldName(protoNames ? f.getName() : f.getJsonName());
            if (f.isMapField()) {
                writeMap(f, (List<?>) e.getValue(), g);
            } else if (f.isRepeated()) {
                g.writeStartArray();
                for (Object v : (List<?>) e.getValue()) {
                    writeValue(f, v, g);
                }
                g.writeEndArray();
            } else {
                writeValue(f, e.getValue(), g);
            }
        }
        g.writeEndObject();
    }

    private void writeMap(FieldDescriptor f, List<?> entries, JsonGenerator g) throws IOException {
        Descriptor entry = f.getMessageType();
        FieldDescriptor key = entry.findFieldByNumber(1);
        FieldDescriptor value = entry.findFieldByNumber(2);
        g.writeStartObject();
        for (Object o : entries) {
            Message e = (Message) o;
            g.writeFieldName(mapKey(key, e.getField(key)));
            writeValue(value, e.getField(value), g);
        }
        g.writeEndObject();
    }

    private static String mapKey(FieldDescriptor key, Object k) {
        return switch (key.getType()) {
            case UINT32, FIXED32 -> Integer.toUnsignedString((Integer) k);
            case UINT64, FIXED64 -> Long.toUnsignedString((Long) k);
            default -> String.valueOf(k);
        };
    }

    private void writeValue(FieldDescriptor f, Object v, JsonGenerator g) throws IOException {
        switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> g.writeNumber((Integer) v);
            case INT64, SINT64, SFIXED64 -> g.writeString(Long.toString((Long) v));
            case UINT32, FIXED32 -> g.writeNumber(Integer.toUnsignedLong((Integer) v));
            case UINT64, FIXED64 -> g.writeString(Long.toUnsignedString((Long) v));
            case FLOAT -> {
                float x = (Float) v;
                if (Float.isNaN(x) || Float.isInfinite(x)) {
                    g.writeString(Float.toString(x));
                } else {
                    g.writeNumber(x);
                }
            }
            case DOUBLE -> {
                double x = (Double) v;
                if (Double.isNaN(x) || Double.isInfinite(x)) {
                    g.writeString(Double.toString(x));
                } else {
                    g.writeNumber(x);
                }
            }
            case BOOL -> g.writeBoolean((Boolean) v);
            case STRING -> g.writeString((String) v);
            case BYTES -> g.writeString(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> {
                EnumValueDescriptor e = (EnumValueDescriptor) v;
                if (e.getType().getFullName().equals("google.protobuf.NullValue")) {
                    g.writeNull();
                } else if (e.getIndex() == -1) {
                    g.writeNumber(e.getNumber()); // a number the enum does not know, as JsonFormat prints it
                } else {
                    g.writeString(e.getName());
                }
            }
            case MESSAGE, GROUP -> write((Message) v, g);
            default -> throw new IOException("unsupported protobuf field type " + f.getType());
        }
    }

    /** Writes the JSON form of a well-known type; false when {@code m} is an ordinary message after all. */
    private boolean writeWellKnown(String name, Message m, JsonGenerator g) throws IOException {
        Descriptor d = m.getDescriptorForType();
        switch (name) {
            case "google.protobuf.Timestamp" -> {
                Timestamp t = m instanceof Timestamp ts ? ts : Timestamp.newBuilder()
                        .setSeconds((Long) m.getField(d.findFieldByNumber(1)))
                        .setNanos((Integer) m.getField(d.findFieldByNumber(2))).build();
                g.writeString(Timestamps.toString(t));
            }
            case "google.protobuf.Duration" -> {
                Duration t = m instanceof Duration du ? du : Duration.newBuilder()
                        .setSeconds((Long) m.getField(d.findFieldByNumber(1)))
                        .setNanos((Integer) m.getField(d.findFieldByNumber(2))).build();
                g.writeString(Durations.toString(t));
            }
            case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
                 "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
                 "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue" -> {
                FieldDescriptor value = d.findFieldByNumber(1);
                writeValue(value, m.getField(value), g);
            }
            case "google.protobuf.Struct" -> writeMap(d.findFieldByNumber(1),
                    (List<?>) m.getField(d.findFieldByNumber(1)), g);
            case "google.protobuf.ListValue" -> {
                g.writeStartArray();
                for (Object v : (List<?>) m.getField(d.findFieldByNumber(1))) {
                    write((Message) v, g);
                }
                g.writeEndArray();
            }
            case "google.protobuf.Value" -> {
                FieldDescriptor kind = null;
                for (FieldDescriptor f : m.getAllFields().keySet()) {
                    kind = f;
                }
                if (kind == null) {
                    throw new IOException("a google.protobuf.Value has no kind set");
                }
                writeValue(kind, m.getField(kind), g);
            }
            case "google.protobuf.Any", "google.protobuf.FieldMask", "google.protobuf.Empty" ->
                    g.writeRawValue(fallback.print(m));
            default -> {
                return false;
            }
        }
        return true;
    }
}
