package io.ksbridge.format.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Duration;
import com.google.protobuf.DurationProto;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.StructProto;
import com.google.protobuf.Timestamp;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.Value;
import com.google.protobuf.WrappersProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;

/**
 * Message types built in code (protoc is not available) and messages written by the real protobuf library:
 * {@code shop/common.proto} (message Line) and {@code shop/order.proto} (messages Order and Refund), which imports
 * it and four well-known types.
 */
final class ProtoSamples {
    static final FileDescriptorProto COMMON = FileDescriptorProto.newBuilder()
            .setName("shop/common.proto").setPackage("shop").setSyntax("proto3")
            .addMessageType(DescriptorProto.newBuilder().setName("Line")
                    .addField(field("sku", 1, Type.TYPE_STRING))
                    .addField(field("qty", 2, Type.TYPE_INT32)))
            .build();

    static final FileDescriptorProto ORDER = FileDescriptorProto.newBuilder()
            .setName("shop/order.proto").setPackage("shop").setSyntax("proto3")
            .addDependency("shop/common.proto")
            .addDependency("google/protobuf/timestamp.proto")
            .addDependency("google/protobuf/duration.proto")
            .addDependency("google/protobuf/wrappers.proto")
            .addDependency("google/protobuf/struct.proto")
            .addMessageType(DescriptorProto.newBuilder().setName("Order")
                    .addField(field("i32", 1, Type.TYPE_INT32))
                    .addField(field("i64", 2, Type.TYPE_INT64))
                    .addField(field("u32", 3, Type.TYPE_UINT32))
                    .addField(field("u64", 4, Type.TYPE_UINT64))
                    .addField(field("s32", 5, Type.TYPE_SINT32))
                    .addField(field("s64", 6, Type.TYPE_SINT64))
                    .addField(field("f32", 7, Type.TYPE_FIXED32))
                    .addField(field("f64", 8, Type.TYPE_FIXED64))
                    .addField(field("sf32", 9, Type.TYPE_SFIXED32))
                    .addField(field("sf64", 10, Type.TYPE_SFIXED64))
                    .addField(field("fl", 11, Type.TYPE_FLOAT))
                    .addField(field("db", 12, Type.TYPE_DOUBLE))
                    .addField(field("flag", 13, Type.TYPE_BOOL))
                    .addField(field("order_id", 14, Type.TYPE_STRING))
                    .addField(field("raw", 15, Type.TYPE_BYTES))
                    .addField(field("status", 16, Type.TYPE_ENUM).setTypeName(".shop.Order.Status"))
                    .addField(field("line", 17, Type.TYPE_MESSAGE).setTypeName(".shop.Line"))
                    .addField(field("lines", 18, Type.TYPE_MESSAGE).setTypeName(".shop.Line")
                            .setLabel(Label.LABEL_REPEATED))
                    .addField(field("counts", 19, Type.TYPE_INT32).setLabel(Label.LABEL_REPEATED))
                    .addField(field("totals", 20, Type.TYPE_MESSAGE).setTypeName(".shop.Order.TotalsEntry")
                            .setLabel(Label.LABEL_REPEATED))
                    .addField(field("created_at", 21, Type.TYPE_MESSAGE).setTypeName(".google.protobuf.Timestamp"))
                    .addField(field("ttl", 22, Type.TYPE_MESSAGE).setTypeName(".google.protobuf.Duration"))
                    .addField(field("note", 23, Type.TYPE_MESSAGE).setTypeName(".google.protobuf.StringValue"))
                    .addField(field("extra", 24, Type.TYPE_MESSAGE).setTypeName(".google.protobuf.Struct"))
                    .addField(field("card", 25, Type.TYPE_STRING).setOneofIndex(0))
                    .addField(field("voucher", 26, Type.TYPE_INT64).setOneofIndex(0))
                    .addField(field("nan", 27, Type.TYPE_DOUBLE))
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("payment"))
                    .addNestedType(DescriptorProto.newBuilder().setName("TotalsEntry")
                            .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                            .addField(field("key", 1, Type.TYPE_STRING))
                            .addField(field("value", 2, Type.TYPE_INT64)))
                    .addNestedType(DescriptorProto.newBuilder().setName("Note")
                            .addField(field("text", 1, Type.TYPE_STRING)))
                    .addEnumType(EnumDescriptorProto.newBuilder().setName("Status")
                            .addValue(EnumValueDescriptorProto.newBuilder().setName("UNKNOWN").setNumber(0))
                            .addValue(EnumValueDescriptorProto.newBuilder().setName("PAID").setNumber(1))
                            .addValue(EnumValueDescriptorProto.newBuilder().setName("SHIPPED").setNumber(2))))
            .addMessageType(DescriptorProto.newBuilder().setName("Refund")
                    .addField(field("order_id", 1, Type.TYPE_STRING))
                    .addField(field("amount", 2, Type.TYPE_INT64))
                    .addField(field("tags", 3, Type.TYPE_STRING).setLabel(Label.LABEL_REPEATED)))
            .build();

    static final Descriptors.FileDescriptor COMMON_FILE = build(COMMON);
    static final Descriptors.FileDescriptor ORDER_FILE = build(ORDER, COMMON_FILE, TimestampProto.getDescriptor(),
            DurationProto.getDescriptor(), WrappersProto.getDescriptor(), StructProto.getDescriptor());
    static final Descriptors.Descriptor LINE_TYPE = COMMON_FILE.findMessageTypeByName("Line");
    static final Descriptors.Descriptor ORDER_TYPE = ORDER_FILE.findMessageTypeByName("Order");
    static final Descriptors.Descriptor REFUND_TYPE = ORDER_FILE.findMessageTypeByName("Refund");

    /** The canonical JSON of {@link #order()}, lowerCamelCase names. */
    static final String ORDER_JSON = "{\"i32\":-5,\"i64\":\"-1234567890123\",\"u32\":4000000000,"
            + "\"u64\":\"18446744073709551615\",\"s32\":-7,\"s64\":\"-8\",\"f32\":4000000001,\"f64\":\"42\","
            + "\"sf32\":-9,\"sf64\":\"-10\",\"fl\":3.14,\"db\":2.718281828,\"flag\":true,"
            + "\"orderId\":\"o-1 <b> \u00e9 \\\"q\\\"\\n\",\"raw\":\"AAEC/w==\",\"status\":\"SHIPPED\","
            + "\"line\":{\"sku\":\"A\",\"qty\":2},\"lines\":[{\"sku\":\"B\",\"qty\":1},{\"sku\":\"C\"}],"
            + "\"counts\":[1,2,3],\"totals\":{\"eur\":\"100\",\"usd\":\"-3\"},"
            + "\"createdAt\":\"2021-01-01T00:00:00.123Z\",\"ttl\":\"90.500s\",\"note\":\"hi\","
            + "\"extra\":{\"a\":1.0,\"b\":\"x\"},\"card\":\"visa\",\"nan\":\"NaN\"}";

    private static FieldDescriptorProto.Builder field(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_OPTIONAL);
    }

    private static Descriptors.FileDescriptor build(FileDescriptorProto proto, Descriptors.FileDescriptor... deps) {
        try {
            return Descriptors.FileDescriptor.buildFrom(proto, deps);
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers {@code shop/common.proto}, then {@code shop/order.proto} under {@code subject} with its reference to
     * it, as a producer's serializer would; returns the order schema's id.
     */
    static int registerOrder(io.ksbridge.testkit.SchemaRegistry registry, String subject) {
        registry.register("shop/common.proto", "PROTOBUF", serialized(COMMON));
        return registry.register(subject, "PROTOBUF", serialized(ORDER),
                java.util.List.of(new io.ksbridge.testkit.SchemaRegistry.Reference("shop/common.proto", "shop/common.proto", 1)));
    }

    static DynamicMessage line(String sku, int qty) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(LINE_TYPE).setField(f(LINE_TYPE, "sku"), sku);
        if (qty != 0) {
            b.setField(f(LINE_TYPE, "qty"), qty);
        }
        return b.build();
    }

    static Descriptors.FieldDescriptor f(Descriptors.Descriptor type, String name) {
        return type.findFieldByName(name);
    }

    static DynamicMessage order() {
        Descriptors.Descriptor o = ORDER_TYPE;
        Descriptors.Descriptor entry = o.findNestedTypeByName("TotalsEntry");
        DynamicMessage.Builder b = DynamicMessage.newBuilder(o)
                .setField(f(o, "i32"), -5)
                .setField(f(o, "i64"), -1234567890123L)
                .setField(f(o, "u32"), (int) 4_000_000_000L)
                .setField(f(o, "u64"), -1L)
                .setField(f(o, "s32"), -7)
                .setField(f(o, "s64"), -8L)
                .setField(f(o, "f32"), (int) 4_000_000_001L)
                .setField(f(o, "f64"), 42L)
                .setField(f(o, "sf32"), -9)
                .setField(f(o, "sf64"), -10L)
                .setField(f(o, "fl"), 3.14f)
                .setField(f(o, "db"), 2.718281828)
                .setField(f(o, "flag"), true)
                .setField(f(o, "order_id"), "o-1 <b> \u00e9 \"q\"\n")
                .setField(f(o, "raw"), ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 255}))
                .setField(f(o, "status"), o.findEnumTypeByName("Status").findValueByName("SHIPPED"))
                .setField(f(o, "line"), line("A", 2))
                .addRepeatedField(f(o, "lines"), line("B", 1))
                .addRepeatedField(f(o, "lines"), line("C", 0))
                .addRepeatedField(f(o, "counts"), 1)
                .addRepeatedField(f(o, "counts"), 2)
                .addRepeatedField(f(o, "counts"), 3)
                .addRepeatedField(f(o, "totals"), DynamicMessage.newBuilder(entry)
                        .setField(f(entry, "key"), "eur").setField(f(entry, "value"), 100L).build())
                .addRepeatedField(f(o, "totals"), DynamicMessage.newBuilder(entry)
                        .setField(f(entry, "key"), "usd").setField(f(entry, "value"), -3L).build())
                .setField(f(o, "created_at"), Timestamp.newBuilder().setSeconds(1609459200).setNanos(123_000_000)
                        .build())
                .setField(f(o, "ttl"), Duration.newBuilder().setSeconds(90).setNanos(500_000_000).build())
                .setField(f(o, "note"), StringValue.of("hi"))
                .setField(f(o, "extra"), Struct.newBuilder()
                        .putFields("a", Value.newBuilder().setNumberValue(1).build())
                        .putFields("b", Value.newBuilder().setStringValue("x").build()).build())
                .setField(f(o, "card"), "visa")
                .setField(f(o, "nan"), Double.NaN);
        return b.build();
    }

    static DynamicMessage refund(String orderId, long amount) {
        return DynamicMessage.newBuilder(REFUND_TYPE).setField(f(REFUND_TYPE, "order_id"), orderId)
                .setField(f(REFUND_TYPE, "amount"), amount).build();
    }

    /** Confluent's protobuf wire format: magic byte, id, message-index array (zigzag varints), body. */
    static byte[] wire(int id, int[] indexes, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        if (indexes.length == 1 && indexes[0] == 0) {
            c.writeSInt32NoTag(0);
        } else {
            c.writeSInt32NoTag(indexes.length);
            for (int i : indexes) {
                c.writeSInt32NoTag(i);
            }
        }
        c.flush();
        out.write(body);
        return out.toByteArray();
    }

    /** A file descriptor as a Confluent registry serves it with {@code ?format=serialized}. */
    static String serialized(FileDescriptorProto file) {
        return Base64.getEncoder().encodeToString(file.toByteArray());
    }

    private ProtoSamples() {
    }
}
