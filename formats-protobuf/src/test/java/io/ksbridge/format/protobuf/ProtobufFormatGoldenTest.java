package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import org.junit.jupiter.api.Test;

/** Messages written by the real protobuf library, converted to exactly the expected canonical JSON. */
class ProtobufFormatGoldenTest {

    @Test
    void ofDescriptor_everyTypeAndWellKnownType_exactJson() throws Exception {
        byte[] bytes = ProtoSamples.order().toByteArray();

        Outputs out = Outputs.run(ProtobufFormat.of(ProtoSamples.ORDER_TYPE), bytes);

        assertEquals(ProtoSamples.ORDER_JSON, out.json());
        assertNull(out.schemaId);
    }

    @Test
    void preservingProtoFieldNames_snakeCaseNames() throws Exception {
        ProtobufFormat format = ProtobufFormat.builder().descriptor(ProtoSamples.ORDER_TYPE)
                .preservingProtoFieldNames().build();

        Outputs out = Outputs.run(format, ProtoSamples.order().toByteArray());

        assertEquals(ProtoSamples.ORDER_JSON.replace("\"orderId\"", "\"order_id\"")
                .replace("\"createdAt\"", "\"created_at\""), out.json());
    }

    @Test
    void emptyMessage_defaultsLeftOutOrIncluded() throws Exception {
        byte[] empty = DynamicMessage.getDefaultInstance(ProtoSamples.REFUND_TYPE).toByteArray();

        assertEquals("{}", Outputs.run(ProtobufFormat.of(ProtoSamples.REFUND_TYPE), empty).json());
        assertEquals("{\"orderId\":\"\",\"amount\":\"0\",\"tags\":[]}", Outputs.run(ProtobufFormat.builder()
                .descriptor(ProtoSamples.REFUND_TYPE).includingDefaultValues().build(), empty).json());
    }

    @Test
    void ofGeneratedClass_timestamp_wellKnownJsonForm() throws Exception {
        byte[] bytes = Timestamp.newBuilder().setSeconds(1609459200).setNanos(5_000).build().toByteArray();

        Outputs out = Outputs.run(ProtobufFormat.of(Timestamp.class), bytes, true);

        assertEquals("\"2021-01-01T00:00:00.000005Z\"", out.json());
    }
}
