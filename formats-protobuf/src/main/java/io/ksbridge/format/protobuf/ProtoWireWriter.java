package io.ksbridge.format.protobuf;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes canonical JSON straight from protobuf wire bytes, with no message objects, for the messages every mainstream
 * serializer writes: fields in increasing field-number order, each singular field once, at most one member of a
 * oneof, no groups, valid UTF-8, wire types as declared. {@link #canonical} checks a message (recursively) first;
 * anything else (or an error) returns false and the caller takes the {@code DynamicMessage} path, so the output is
 * always what {@link ProtoJsonWriter} would write. Not used with "including default values". Thread-safe.
 */
final class ProtoWireWriter {
    private static final int MAX_DEPTH = 100;
    private static final int MAX_PLANS = 10_000;

    /** One message type, compiled. */
    private final class MessagePlan {
        final Descriptor type;
        final Kind kind;
        final Map<Integer, FieldPlan> fields = new HashMap<>();
        final boolean hasRequired;

        MessagePlan(Descriptor type) {
            this.type = type;
            this.kind = Kind.of(type);
            boolean required = false;
            for (FieldDescriptor f : type.getFields()) {
                fields.put(f.getNumber(), new FieldPlan(f, protoNames));
                required |= f.isRequired();
            }
            this.hasRequired = required;
        }
    }

    private enum Kind {
        PLAIN, TIMESTAMP, DURATION, WRAPPER, STRUCT, VALUE, LIST_VALUE, UNSUPPORTED;

        static Kind of(Descriptor d) {
            if (!d.getFile().getPackage().equals("google.protobuf")) {
                return PLAIN;
            }
            return switch (d.getFullName()) {
                case "google.protobuf.Timestamp" -> TIMESTAMP;
                case "google.protobuf.Duration" -> DURATION;
                case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
                     "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
                     "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue" -> WRAPPER;
                case "google.protobuf.Struct" -> STRUCT;
                case "google.protobuf.Value" -> VALUE;
                case "google.protobuf.ListValue" -> LIST_VALUE;
                case "google.protobuf.Any", "google.protobuf.FieldMask" -> UNSUPPORTED;
                default -> PLAIN;
            };
        }
    }

    private static final class FieldPlan {
        final FieldDescriptor f;
        final SerializedString name;
        final int oneof;
        final boolean repeated;
        final boolean map;
        final int wireType;
        final boolean packable;

        FieldPlan(FieldDescriptor f, boolean protoNames) {
            this.f = f;
            this.name = new SerializedString(protoNames ? f.getName() : f.getJsonName());
            this.oneof = f.getRealContainingOneof() == null ? -1 : f.getRealContainingOneof().getIndex();
            this.repeated = f.isRepeated();
            this.map = f.isMapField();
            this.wireType = f.getLiteType().getWireType();
            this.packable = f.isRepeated() && f.getLiteType().isPackable();
        }
    }

    private final boolean protoNames;
    private final Map<Descriptor, MessagePlan> plans = new ConcurrentHashMap<>();

    ProtoWireWriter(boolean protoNames) {
        this.protoNames = protoNames;
    }

    private MessagePlan plan(Descriptor d) {
        MessagePlan p = plans.get(d);
        if (p == null) {
            if (plans.size() > MAX_PLANS) {
                plans.clear(); // registry schemas come and go: stay bounded, rebuild what is still used
            }
            p = new MessagePlan(d);
            plans.putIfAbsent(d, p);
        }
        return p;
    }

    // ------------------------------------------------------------------ pass 1: can this message be written directly?

    /** True when the bytes are one complete message of {@code type} in the shape this writer handles. */
    boolean canonical(byte[] data, int off, int len, Descriptor type) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(data, off, len);
            in.enableAliasing(true); // strings are only checked here: no copies
            return check(in, plan(type), 0) && in.isAtEnd();
        } catch (IOException | RuntimeException e) {
            return false; // the DynamicMessage path names the problem
        }
    }

    private boolean check(CodedInputStream in, MessagePlan p, int depth) throws IOException {
        if (depth > MAX_DEPTH || p.kind == Kind.UNSUPPORTED || p.hasRequired) {
            return false;
        }
        int last = 0;
        long oneofs = 0;
        int present = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int num = WireFormat.getTagFieldNumber(tag);
            int wt = WireFormat.getTagWireType(tag);
            if (wt == WireFormat.WIRETYPE_START_GROUP || wt == WireFormat.WIRETYPE_END_GROUP) {
                return false;
            }
            FieldPlan fp = p.fields.get(num);
            if (fp == null) {
                if (p.type.getOptions().getMapEntry()) {
                    return false; // the writer reads a map entry as key then value
                }
                in.skipField(tag); // unknown fields are not printed
                continue;
            }
            if (num < last || (num == last && !fp.repeated)) {
                return false;
            }
            if (num != last) {
                present++;
                if (fp.oneof >= 0) {
                    if (fp.oneof >= 64 || (oneofs & (1L << fp.oneof)) != 0) {
                        return false;
                    }
                    oneofs |= 1L << fp.oneof;
                }
            }
            last = num;
            boolean packed = fp.packable && wt == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (wt != fp.wireType && !packed) {
                return false;
            }
            FieldDescriptor.Type type = fp.f.getType();
            if (!fp.repeated && !fp.f.hasPresence()) {
                // a field without presence written at its default value is not set: leave that to the other path
                boolean isDefault = switch (wt) {
                    case WireFormat.WIRETYPE_VARINT -> {
                        long v = in.readRawVarint64();
                        yield v == 0 || (type == FieldDescriptor.Type.ENUM
                                && fp.f.getEnumType().findValueByNumber((int) v) == null);
                    }
                    case WireFormat.WIRETYPE_FIXED32 -> in.readRawLittleEndian32() == 0;
                    case WireFormat.WIRETYPE_FIXED64 -> in.readRawLittleEndian64() == 0;
                    default -> {
                        ByteString b = in.readBytes();
                        yield b.isEmpty() || (type == FieldDescriptor.Type.STRING && !b.isValidUtf8());
                    }
                };
                if (isDefault) {
                    return false; // (or an enum number the enum does not know, or invalid UTF-8)
                }
                continue;
            }
            if (type == FieldDescriptor.Type.MESSAGE) {
                int limit = in.pushLimit(in.readRawVarint32());
                if (!check(in, plan(fp.f.getMessageType()), depth + 1) || !in.isAtEnd()) {
                    return false;
                }
                in.popLimit(limit);
            } else if (type == FieldDescriptor.Type.STRING) {
                if (!in.readBytes().isValidUtf8()) {
                    return false;
                }
            } else if (type == FieldDescriptor.Type.ENUM) {
                // a number the enum does not know: proto2 keeps it as an unknown field, so leave it to the other path
                if (packed) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    while (!in.isAtEnd()) {
                        if (fp.f.getEnumType().findValueByNumber(in.readEnum()) == null) {
                            return false;
                        }
                    }
                    in.popLimit(limit);
                } else if (fp.f.getEnumType().findValueByNumber(in.readEnum()) == null) {
                    return false;
                }
            } else {
                in.skipField(tag);
            }
        }
        return p.kind != Kind.VALUE || present == 1; // a Value with no kind is an error the other path reports
    }

    // ------------------------------------------------------------------ pass 2: write

    /** Writes the message {@link #canonical} accepted. */
    void write(byte[] data, int off, int len, Descriptor type, JsonGenerator g) throws IOException {
        writeMessage(CodedInputStream.newInstance(data, off, len), plan(type), g);
    }

    private void writeMessage(CodedInputStream in, MessagePlan p, JsonGenerator g) throws IOException {
        switch (p.kind) {
            case TIMESTAMP, DURATION -> {
                long seconds = 0;
                int nanos = 0;
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    switch (WireFormat.getTagFieldNumber(tag)) {
                        case 1 -> seconds = in.readInt64();
                        case 2 -> nanos = in.readInt32();
                        default -> in.skipField(tag);
                    }
                }
                g.writeString(p.kind == Kind.TIMESTAMP
                        ? Timestamps.toString(Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build())
                        : Durations.toString(Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build()));
            }
            case WRAPPER -> {
                FieldPlan value = p.fields.get(1);
                boolean written = false;
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    if (WireFormat.getTagFieldNumber(tag) == 1) {
                        writeScalar(in, value.f, g);
                        written = true;
                    } else {
                        in.skipField(tag);
                    }
                }
                if (!written) {
                    writeDefault(value.f, g);
                }
            }
            case STRUCT -> writeFields(in, p, g, true);
            case VALUE -> {
                int tag = in.readTag();
                FieldPlan kind = p.fields.get(WireFormat.getTagFieldNumber(tag));
                if (kind == null) {
                    throw new IOException("a google.protobuf.Value has no kind set");
                }
                writeValue(in, kind, g);
                for (tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    in.skipField(tag);
                }
            }
            case LIST_VALUE -> {
                g.writeStartArray();
                MessagePlan value = plan(p.fields.get(1).f.getMessageType());
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    if (WireFormat.getTagFieldNumber(tag) == 1) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        writeMessage(in, value, g);
                        in.popLimit(limit);
                    } else {
                        in.skipField(tag);
                    }
                }
                g.writeEndArray();
            }
            default -> writeFields(in, p, g, false);
        }
    }

    /** An object of the message's fields; for a Struct, the object of its one map field's entries. */
    private void writeFields(CodedInputStream in, MessagePlan p, JsonGenerator g, boolean struct) throws IOException {
        g.writeStartObject();
        int open = 0; // the field number of an open array or map object
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int num = WireFormat.getTagFieldNumber(tag);
            FieldPlan fp = p.fields.get(num);
            if (fp == null) {
                in.skipField(tag);
                continue;
            }
            if (open != 0 && open != num) {
                closeRun(p.fields.get(open), g, struct);
                open = 0;
            }
            if (fp.repeated) {
                if (open == 0) {
                    if (!struct) {
                        g.writeFieldName(fp.name);
                    }
                    if (fp.map) {
                        if (!struct) {
                            g.writeStartObject();
                        }
                    } else {
                        g.writeStartArray();
                    }
                    open = num;
                }
                if (fp.map) {
                    writeMapEntry(in, fp, g);
                } else if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED && fp.packable) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    while (!in.isAtEnd()) {
                        writeScalar(in, fp.f, g);
                    }
                    in.popLimit(limit);
                } else {
                    writeValue(in, fp, g);
                }
            } else {
                g.writeFieldName(fp.name);
                writeValue(in, fp, g);
            }
        }
        if (open != 0) {
            closeRun(p.fields.get(open), g, struct);
        }
        g.writeEndObject();
    }

    private static void closeRun(FieldPlan fp, JsonGenerator g, boolean struct) throws IOException {
        if (!fp.map) {
            g.writeEndArray();
        } else if (!struct) {
            g.writeEndObject();
        }
    }

    private void writeMapEntry(CodedInputStream in, FieldPlan fp, JsonGenerator g) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        Descriptor entry = fp.f.getMessageType();
        FieldDescriptor keyField = entry.findFieldByNumber(1);
        FieldPlan value = plan(entry).fields.get(2);
        int tag = in.readTag();
        String key;
        if (tag != 0 && WireFormat.getTagFieldNumber(tag) == 1) {
            key = mapKey(in, keyField);
            tag = in.readTag();
        } else {
            key = keyField.getType() == FieldDescriptor.Type.STRING ? "" : keyField.getType()
                    == FieldDescriptor.Type.BOOL ? "false" : "0";
        }
        g.writeFieldName(key);
        if (tag != 0 && WireFormat.getTagFieldNumber(tag) == 2) {
            writeValue(in, value, g);
            tag = in.readTag();
        } else {
            writeDefault(value.f, g);
        }
        while (tag != 0) {
            in.skipField(tag);
            tag = in.readTag();
        }
        in.popLimit(limit);
    }

    private static String mapKey(CodedInputStream in, FieldDescriptor key) throws IOException {
        return switch (key.getType()) {
            case STRING -> in.readStringRequireUtf8();
            case BOOL -> Boolean.toString(in.readBool());
            case INT32 -> Integer.toString(in.readInt32());
            case SINT32 -> Integer.toString(in.readSInt32());
            case SFIXED32 -> Integer.toString(in.readSFixed32());
            case UINT32 -> Integer.toUnsignedString(in.readUInt32());
            case FIXED32 -> Integer.toUnsignedString(in.readFixed32());
            case INT64 -> Long.toString(in.readInt64());
            case SINT64 -> Long.toString(in.readSInt64());
            case SFIXED64 -> Long.toString(in.readSFixed64());
            case UINT64 -> Long.toUnsignedString(in.readUInt64());
            case FIXED64 -> Long.toUnsignedString(in.readFixed64());
            default -> throw new IOException("a map key cannot be of type " + key.getType());
        };
    }

    private void writeValue(CodedInputStream in, FieldPlan fp, JsonGenerator g) throws IOException {
        if (fp.f.getType() == FieldDescriptor.Type.MESSAGE) {
            int limit = in.pushLimit(in.readRawVarint32());
            writeMessage(in, plan(fp.f.getMessageType()), g);
            in.popLimit(limit);
        } else {
            writeScalar(in, fp.f, g);
        }
    }

    private static void writeScalar(CodedInputStream in, FieldDescriptor f, JsonGenerator g) throws IOException {
        switch (f.getType()) {
            case INT32 -> g.writeNumber(in.readInt32());
            case SINT32 -> g.writeNumber(in.readSInt32());
            case SFIXED32 -> g.writeNumber(in.readSFixed32());
            case UINT32 -> g.writeNumber(Integer.toUnsignedLong(in.readUInt32()));
            case FIXED32 -> g.writeNumber(Integer.toUnsignedLong(in.readFixed32()));
            case INT64 -> g.writeString(Long.toString(in.readInt64()));
            case SINT64 -> g.writeString(Long.toString(in.readSInt64()));
            case SFIXED64 -> g.writeString(Long.toString(in.readSFixed64()));
            case UINT64 -> g.writeString(Long.toUnsignedString(in.readUInt64()));
            case FIXED64 -> g.writeString(Long.toUnsignedString(in.readFixed64()));
            case FLOAT -> {
                float x = in.readFloat();
                if (Float.isNaN(x) || Float.isInfinite(x)) {
                    g.writeString(Float.toString(x));
                } else {
                    g.writeNumber(x);
                }
            }
            case DOUBLE -> {
                double x = in.readDouble();
                if (Double.isNaN(x) || Double.isInfinite(x)) {
                    g.writeString(Double.toString(x));
                } else {
                    g.writeNumber(x);
                }
            }
            case BOOL -> g.writeBoolean(in.readBool());
            case STRING -> g.writeString(in.readStringRequireUtf8());
            case BYTES -> g.writeString(Base64.getEncoder().encodeToString(in.readByteArray()));
            case ENUM -> {
                int number = in.readEnum();
                if (f.getEnumType().getFullName().equals("google.protobuf.NullValue")) {
                    g.writeNull();
                    return;
                }
                EnumValueDescriptor v = f.getEnumType().findValueByNumber(number);
                if (v == null) {
                    g.writeNumber(number);
                } else {
                    g.writeString(v.getName());
                }
            }
            default -> throw new IOException("unsupported protobuf field type " + f.getType());
        }
    }

    /** The JSON of a field's default value (a map entry or wrapper without its value). */
    private void writeDefault(FieldDescriptor f, JsonGenerator g) throws IOException {
        if (f.getType() == FieldDescriptor.Type.MESSAGE) {
            writeMessage(CodedInputStream.newInstance(new byte[0]), plan(f.getMessageType()), g);
            return;
        }
        Object v = f.getDefaultValue();
        switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> g.writeNumber((Integer) v);
            case UINT32, FIXED32 -> g.writeNumber(Integer.toUnsignedLong((Integer) v));
            case INT64, SINT64, SFIXED64 -> g.writeString(Long.toString((Long) v));
            case UINT64, FIXED64 -> g.writeString(Long.toUnsignedString((Long) v));
            case FLOAT -> g.writeNumber((Float) v);
            case DOUBLE -> g.writeNumber((Double) v);
            case BOOL -> g.writeBoolean((Boolean) v);
            case STRING -> g.writeString((String) v);
            case BYTES -> g.writeString(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> {
                EnumValueDescriptor e = (EnumValueDescriptor) v;
                if (e.getType().getFullName().equals("google.protobuf.NullValue")) {
                    g.writeNull();
                } else {
                    g.writeString(e.getName());
                }
            }
            default -> throw new IOException("unsupported protobuf field type " + f.getType());
        }
    }
}
