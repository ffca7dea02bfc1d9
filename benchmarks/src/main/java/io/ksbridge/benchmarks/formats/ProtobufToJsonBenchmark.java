package io.ksbridge.benchmarks.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.util.JsonFormat;
import io.ksbridge.format.protobuf.ProtobufFormat;
import io.ksbridge.testkit.FormatRunner;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Protobuf twin of {@link AvroToJsonBenchmark}'s event (13 fields) converted to VARIANT JSON bytes:
 * {@code format} ({@link ProtobufFormat}: the wire bytes checked, then canonical JSON written straight from them, no
 * message objects), {@code parseOnly} (a {@code DynamicMessage} parse alone), {@code jsonFormatPrinter} (parse,
 * {@code JsonFormat} text handed over raw) and {@code treeBaseline} (parse, {@code JsonFormat} text, a Jackson tree,
 * bytes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProtobufToJsonBenchmark {
    Descriptors.Descriptor type;
    byte[] body;
    FormatRunner format;
    FormatRunner jsonFormatPrinter;
    JsonFormat.Printer printer;
    ObjectMapper mapper;

    private static FieldDescriptorProto.Builder field(String name, int number, Type t) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(t)
                .setLabel(Label.LABEL_OPTIONAL);
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("bench/event.proto").setPackage("bench")
                .setSyntax("proto3").addDependency("google/protobuf/timestamp.proto")
                .addMessageType(DescriptorProto.newBuilder().setName("Event")
                        .addField(field("id", 1, Type.TYPE_INT64))
                        .addField(field("user", 2, Type.TYPE_STRING))
                        .addField(field("amount", 3, Type.TYPE_DOUBLE))
                        .addField(field("currency", 4, Type.TYPE_ENUM).setTypeName(".bench.Event.Currency"))
                        .addField(field("created_at", 5, Type.TYPE_MESSAGE).setTypeName(".google.protobuf.Timestamp"))
                        .addField(field("tags", 6, Type.TYPE_STRING).setLabel(Label.LABEL_REPEATED))
                        .addField(field("attributes", 7, Type.TYPE_MESSAGE).setLabel(Label.LABEL_REPEATED)
                                .setTypeName(".bench.Event.AttributesEntry"))
                        .addField(field("location", 8, Type.TYPE_MESSAGE).setTypeName(".bench.Event.Location"))
                        .addField(field("note", 9, Type.TYPE_STRING))
                        .addField(field("active", 10, Type.TYPE_BOOL))
                        .addField(field("score", 11, Type.TYPE_FLOAT))
                        .addField(field("quantity", 12, Type.TYPE_INT32))
                        .addField(field("session_id", 13, Type.TYPE_STRING))
                        .addNestedType(DescriptorProto.newBuilder().setName("AttributesEntry")
                                .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                                .addField(field("key", 1, Type.TYPE_STRING))
                                .addField(field("value", 2, Type.TYPE_STRING)))
                        .addNestedType(DescriptorProto.newBuilder().setName("Location")
                                .addField(field("lat", 1, Type.TYPE_DOUBLE))
                                .addField(field("lon", 2, Type.TYPE_DOUBLE)))
                        .addEnumType(EnumDescriptorProto.newBuilder().setName("Currency")
                                .addValue(EnumValueDescriptorProto.newBuilder().setName("EUR").setNumber(0))
                                .addValue(EnumValueDescriptorProto.newBuilder().setName("USD").setNumber(1))
                                .addValue(EnumValueDescriptorProto.newBuilder().setName("GBP").setNumber(2))))
                .build();
        Descriptors.FileDescriptor fd = Descriptors.FileDescriptor.buildFrom(file,
                new Descriptors.FileDescriptor[] {TimestampProto.getDescriptor()});
        type = fd.findMessageTypeByName("Event");
        Descriptors.Descriptor entry = type.findNestedTypeByName("AttributesEntry");
        Descriptors.Descriptor loc = type.findNestedTypeByName("Location");
        DynamicMessage m = DynamicMessage.newBuilder(type)
                .setField(type.findFieldByName("id"), 9_876_543_210L)
                .setField(type.findFieldByName("user"), "user-4711@example.com")
                .setField(type.findFieldByName("amount"), 1234.56)
                .setField(type.findFieldByName("currency"), type.findEnumTypeByName("Currency").findValueByName("USD"))
                .setField(type.findFieldByName("created_at"),
                        Timestamp.newBuilder().setSeconds(1_795_428_930L).setNanos(123_000_000).build())
                .addRepeatedField(type.findFieldByName("tags"), "priority")
                .addRepeatedField(type.findFieldByName("tags"), "gift")
                .addRepeatedField(type.findFieldByName("tags"), "express")
                .addRepeatedField(type.findFieldByName("attributes"), DynamicMessage.newBuilder(entry)
                        .setField(entry.findFieldByName("key"), "channel")
                        .setField(entry.findFieldByName("value"), "web").build())
                .addRepeatedField(type.findFieldByName("attributes"), DynamicMessage.newBuilder(entry)
                        .setField(entry.findFieldByName("key"), "campaign")
                        .setField(entry.findFieldByName("value"), "autumn-sale-2026").build())
                .setField(type.findFieldByName("location"), DynamicMessage.newBuilder(loc)
                        .setField(loc.findFieldByName("lat"), 52.520008)
                        .setField(loc.findFieldByName("lon"), 13.404954).build())
                .setField(type.findFieldByName("note"), "leave at the door")
                .setField(type.findFieldByName("active"), true)
                .setField(type.findFieldByName("score"), 0.875f)
                .setField(type.findFieldByName("quantity"), 3)
                .setField(type.findFieldByName("session_id"), "123e4567-e89b-12d3-a456-426614174000")
                .build();
        body = m.toByteArray();
        format = FormatRunner.of(ProtobufFormat.of(type));
        printer = JsonFormat.printer().omittingInsignificantWhitespace();
        jsonFormatPrinter = FormatRunner.of((data, context, json) ->
                json.generator().writeRawValue(printer.print(DynamicMessage.parseFrom(type, data))));
        mapper = new ObjectMapper();
        JsonNode a = mapper.readTree(format());
        JsonNode b = mapper.readTree(treeBaseline());
        if (!a.equals(b) || !a.equals(mapper.readTree(jsonFormatPrinter()))) {
            throw new IllegalStateException("paths disagree:\n" + a + "\n" + b);
        }
    }

    @Benchmark
    public byte[] format() throws Exception {
        return format.value(body).bytes();
    }

    /** The parse alone: how much of {@code format} is protobuf's own decoding. */
    @Benchmark
    public DynamicMessage parseOnly() throws IOException {
        return DynamicMessage.parseFrom(type, body);
    }

    /** What the format did first: JsonFormat's text handed over as a raw value (no tree). */
    @Benchmark
    public byte[] jsonFormatPrinter() throws Exception {
        return jsonFormatPrinter.value(body).bytes();
    }

    @Benchmark
    public byte[] treeBaseline() throws IOException {
        DynamicMessage m = DynamicMessage.parseFrom(type, body);
        JsonNode tree = mapper.readTree(printer.print(m));
        return mapper.writeValueAsBytes(tree);
    }
}
