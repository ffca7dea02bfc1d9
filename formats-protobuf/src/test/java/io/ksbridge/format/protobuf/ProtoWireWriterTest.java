package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.ksbridge.testkit.FormatRunner;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The wire writer against the message path it replaces: for every input it accepts, exactly the same JSON as
 * DynamicMessage plus {@link ProtoJsonWriter}; everything else is left to that path.
 */
class ProtoWireWriterTest {
    private static final JsonFactory JSON = new JsonFactory();

    private static String viaWire(ProtoWireWriter w, Descriptor type, byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            w.write(data, 0, data.length, type, g);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String viaMessage(boolean protoNames, Descriptor type, byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            new ProtoJsonWriter(protoNames, false, JsonFormat.printer()).write(DynamicMessage.parseFrom(type, data), g);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void everyTypeAndWellKnownType_acceptedAndIdentical() throws Exception {
        byte[] data = ProtoSamples.order().toByteArray();
        for (boolean names : new boolean[] {false, true}) {
            ProtoWireWriter w = new ProtoWireWriter(names);

            assertTrue(w.canonical(data, 0, data.length, ProtoSamples.ORDER_TYPE));
            assertEquals(viaMessage(names, ProtoSamples.ORDER_TYPE, data), viaWire(w, ProtoSamples.ORDER_TYPE, data));
        }
        assertEquals(ProtoSamples.ORDER_JSON, viaWire(new ProtoWireWriter(false), ProtoSamples.ORDER_TYPE, data));
    }

    @Test
    void fieldsOutOfOrder_leftToTheMessagePath() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(bytes);
        c.writeInt64(2, 7);      // amount
        c.writeString(1, "o-1"); // order_id after it
        c.flush();
        byte[] data = bytes.toByteArray();

        assertFalse(new ProtoWireWriter(false).canonical(data, 0, data.length, ProtoSamples.REFUND_TYPE));
        assertEquals("{\"orderId\":\"o-1\",\"amount\":\"7\"}",
                FormatRunner.value(ProtobufFormat.of(ProtoSamples.REFUND_TYPE), data).json());
    }

    @Test
    void explicitProto3Defaults_leftToTheMessagePathWhichDropsThem() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(bytes);
        c.writeInt32(1, 0);    // i32 = 0, written explicitly
        c.writeString(14, ""); // order_id = "", written explicitly
        c.writeBool(13, true);
        c.flush();
        byte[] data = bytes.toByteArray();

        assertFalse(new ProtoWireWriter(false).canonical(data, 0, data.length, ProtoSamples.ORDER_TYPE));
        assertEquals("{\"flag\":true}", FormatRunner.value(ProtobufFormat.of(ProtoSamples.ORDER_TYPE), data).json());
    }

    @Test
    void duplicateMapKeysEmptyEntryUnknownFieldsUnpackedRepeated_acceptedAndIdentical() throws Exception {
        Descriptor o = ProtoSamples.ORDER_TYPE;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(bytes);
        c.writeInt32(19, 5);                       // counts, unpacked
        c.writeInt32(19, 6);
        for (String key : new String[] {"a", "a", "b"}) {
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            CodedOutputStream e = CodedOutputStream.newInstance(entry);
            e.writeString(1, key);
            e.writeInt64(2, key.equals("a") ? 1 : 2);
            e.flush();
            c.writeByteArray(20, entry.toByteArray()); // totals: a twice
        }
        c.writeByteArray(20, new byte[0]);         // an entry with neither key nor value
        c.writeInt64(99, 123);                     // unknown field
        c.flush();
        byte[] data = bytes.toByteArray();
        ProtoWireWriter w = new ProtoWireWriter(false);

        assertTrue(w.canonical(data, 0, data.length, o));
        assertEquals("{\"counts\":[5,6],\"totals\":{\"a\":\"1\",\"a\":\"1\",\"b\":\"2\",\"\":\"0\"}}",
                viaWire(w, o, data));
        assertEquals(viaMessage(false, o, data), viaWire(w, o, data));
    }

    @Test
    void randomCorruptions_acceptedOnesIdentical() throws Exception {
        byte[] good = ProtoSamples.order().toByteArray();
        ProtoWireWriter w = new ProtoWireWriter(false);
        Random random = new Random(11);
        int accepted = 0;
        for (int round = 0; round < 3_000; round++) {
            byte[] bad = good.clone();
            for (int flips = 1 + random.nextInt(2); flips > 0; flips--) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            if (!w.canonical(bad, 0, bad.length, ProtoSamples.ORDER_TYPE)) {
                continue;
            }
            accepted++;
            String wire;
            try {
                wire = viaWire(w, ProtoSamples.ORDER_TYPE, bad);
            } catch (Exception e) {
                wire = "error";
            }
            String message;
            try {
                message = viaMessage(false, ProtoSamples.ORDER_TYPE, bad);
            } catch (Exception e) {
                message = "error";
            }
            assertEquals(message, wire, "round " + round);
        }
        assertTrue(accepted > 100, "accepted " + accepted);
    }
}
