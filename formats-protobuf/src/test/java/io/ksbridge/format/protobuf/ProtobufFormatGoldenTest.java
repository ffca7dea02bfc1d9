package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.ksbridge.testkit.FormatRunner;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Messages written by the real protobuf library, converted to exactly the expected canonical JSON. */
class ProtobufFormatGoldenTest {

    @Test
    void ofDescriptor_everyTypeAndWellKnownType_exactJson() throws Exception {
        byte[] bytes = ProtoSamples.order().toByteArray();

        FormatRunner.Result out = FormatRunner.value(ProtobufFormat.of(ProtoSamples.ORDER_TYPE), bytes);

        assertEquals(ProtoSamples.ORDER_JSON, out.json());
        assertEquals(OptionalInt.empty(), out.schemaId());
    }

    /** The same JSON values as protobuf-java-util's JsonFormat printer, with each combination of options. */
    @Test
    void everyOption_sameJsonValuesAsJsonFormatPrinter() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        DynamicMessage order = ProtoSamples.order();
        DynamicMessage sparse = ProtoSamples.refund("r", 0);
        for (boolean names : new boolean[] {false, true}) {
            for (boolean defaults : new boolean[] {false, true}) {
                com.google.protobuf.util.JsonFormat.Printer printer = com.google.protobuf.util.JsonFormat.printer();
                ProtobufFormat.Builder b = ProtobufFormat.builder().descriptor(ProtoSamples.ORDER_TYPE);
                ProtobufFormat.Builder rb = ProtobufFormat.builder().descriptor(ProtoSamples.REFUND_TYPE);
                if (names) {
                    printer = printer.preservingProtoFieldNames();
                    b.preservingProtoFieldNames();
                    rb.preservingProtoFieldNames();
                }
                if (defaults) {
                    printer = printer.alwaysPrintFieldsWithNoPresence();
                    b.includingDefaultValues();
                    rb.includingDefaultValues();
                }
                String ours = FormatRunner.value(b.build(), order.toByteArray()).json();
                assertEquals(mapper.readTree(printer.print(order)), mapper.readTree(ours), "names=" + names
                        + " defaults=" + defaults);
                assertEquals(mapper.readTree(printer.print(sparse)).toString(),
                        mapper.readTree(FormatRunner.value(rb.build(), sparse.toByteArray()).json()).toString());
            }
        }
    }

    @Test
    void preservingProtoFieldNames_snakeCaseNames() throws Exception {
        ProtobufFormat format = ProtobufFormat.builder().descriptor(ProtoSamples.ORDER_TYPE)
                .preservingProtoFieldNames().build();

        FormatRunner.Result out = FormatRunner.value(format, ProtoSamples.order().toByteArray());

        assertEquals(ProtoSamples.ORDER_JSON.replace("\"orderId\"", "\"order_id\"")
                .replace("\"createdAt\"", "\"created_at\""), out.json());
    }

    @Test
    void emptyMessage_defaultsLeftOutOrIncluded() throws Exception {
        byte[] empty = DynamicMessage.getDefaultInstance(ProtoSamples.REFUND_TYPE).toByteArray();

        assertEquals("{}", FormatRunner.value(ProtobufFormat.of(ProtoSamples.REFUND_TYPE), empty).json());
        assertEquals("{\"orderId\":\"\",\"amount\":\"0\",\"tags\":[]}", FormatRunner.value(ProtobufFormat.builder()
                .descriptor(ProtoSamples.REFUND_TYPE).includingDefaultValues().build(), empty).json());
    }

    @Test
    void ofGeneratedClass_timestamp_wellKnownJsonForm() throws Exception {
        byte[] bytes = Timestamp.newBuilder().setSeconds(1609459200).setNanos(5_000).build().toByteArray();

        FormatRunner.Result out = FormatRunner.key(ProtobufFormat.of(Timestamp.class), bytes);

        assertEquals("\"2021-01-01T00:00:00.000005Z\"", out.json());
    }
}
