package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import io.ksbridge.format.registry.SchemaRegistryClient;
import io.ksbridge.format.registry.UnknownSchemaException;
import io.ksbridge.testkit.FormatRunner;
import io.ksbridge.testkit.SchemaRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Confluent's protobuf wire format: descriptors from the registry or supplied, message indexes, every error. */
class ProtobufFormatRegistryTest {
    private SchemaRegistry registry;
    private int orderId;

    @BeforeEach
    void start() {
        registry = SchemaRegistry.start();
        orderId = ProtoSamples.registerOrder(registry, "orders-value");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void registryDescriptorWithReference_firstMessage_exactJsonAndSchemaId() throws Exception {
        byte[] data = ProtoSamples.wire(orderId, new int[] {0}, ProtoSamples.order().toByteArray());

        FormatRunner.Result out = FormatRunner.value(ProtobufFormat.withSchemaRegistry(registry.url()), data);

        assertEquals(ProtoSamples.ORDER_JSON, out.json());
        assertEquals(OptionalInt.of(orderId), out.schemaId());
    }

    @Test
    void messageIndexes_secondAndNestedTypes_picked() throws Exception {
        ProtobufFormat format = ProtobufFormat.withSchemaRegistry(registry.url());
        byte[] refund = ProtoSamples.wire(orderId, new int[] {1}, ProtoSamples.refund("o-9", 250).toByteArray());
        byte[] note = ProtoSamples.wire(orderId, new int[] {0, 1},
                com.google.protobuf.DynamicMessage.newBuilder(ProtoSamples.ORDER_TYPE.findNestedTypeByName("Note"))
                        .setField(ProtoSamples.ORDER_TYPE.findNestedTypeByName("Note").findFieldByName("text"), "hey")
                        .build().toByteArray());

        assertEquals("{\"orderId\":\"o-9\",\"amount\":\"250\"}", FormatRunner.value(format, refund).json());
        assertEquals("{\"text\":\"hey\"}", FormatRunner.value(format, note).json());
        assertEquals(2, registry.requestCount(), "the schema by id and its reference, once for both records");
    }

    @Test
    void key_registryDescriptor_schemaIdReported() throws Exception {
        byte[] data = ProtoSamples.wire(orderId, new int[] {1}, ProtoSamples.refund("k", 1).toByteArray());

        FormatRunner.Result out = FormatRunner.key(ProtobufFormat.withSchemaRegistry(registry.url()), data);

        assertEquals("{\"orderId\":\"k\",\"amount\":\"1\"}", out.json());
        assertEquals(OptionalInt.of(orderId), out.schemaId());
    }

    @Test
    void suppliedDescriptorWireFormat_registryNeverAsked() throws Exception {
        ProtobufFormat format = ProtobufFormat.builder().descriptor(ProtoSamples.REFUND_TYPE).confluentWireFormat()
                .preservingProtoFieldNames().build();
        byte[] data = ProtoSamples.wire(1234, new int[] {1}, ProtoSamples.refund("o-1", 5).toByteArray());

        FormatRunner.Result out = FormatRunner.value(format, data);

        assertEquals("{\"order_id\":\"o-1\",\"amount\":\"5\"}", out.json());
        assertEquals(OptionalInt.of(1234), out.schemaId());
        assertEquals(0, registry.requestCount());
    }

    @Test
    void wrongMagicByte_clearMessage() {
        IOException e = assertThrows(IOException.class, () -> FormatRunner.value(
                ProtobufFormat.withSchemaRegistry(registry.url()), new byte[] {8, 1, 0, 0, 0, 0}));

        assertEquals("the first byte is 0x08, not the magic byte 0x00 of Confluent's wire format: the record was not "
                + "written by a schema-registry Protobuf serializer", e.getMessage());
    }

    @Test
    void shorterThanHeader_clearMessage() {
        IOException e = assertThrows(IOException.class, () -> FormatRunner.key(
                ProtobufFormat.withSchemaRegistry(registry.url()), new byte[] {0, 0}));

        assertEquals("the key is 2 bytes, shorter than the 5-byte header of Confluent's wire format (magic byte 0 and "
                + "a 4-byte schema id)", e.getMessage());
    }

    @Test
    void unknownSchemaId_unknownSchemaException() {
        UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> FormatRunner.value(
                ProtobufFormat.withSchemaRegistry(registry.url()), ProtoSamples.wire(99, new int[] {0}, new byte[0])));

        assertEquals("the schema registry at " + registry.url() + " does not know schema id 99 (HTTP 404, error code "
                + "40403)", e.getMessage());
    }

    @Test
    void indexOutOfRange_clearMessage() {
        IOException e = assertThrows(IOException.class, () -> FormatRunner.value(
                ProtobufFormat.withSchemaRegistry(registry.url()), ProtoSamples.wire(orderId, new int[] {5}, new byte[0])));

        assertEquals("message index path [5] does not name a message type in schema id " + orderId
                + " (shop/order.proto): index 5 of 2 types", e.getMessage());
    }

    @Test
    void truncatedBody_clearMessage() throws Exception {
        byte[] whole = ProtoSamples.wire(orderId, new int[] {1}, ProtoSamples.refund("order-123456", 7).toByteArray());
        byte[] cut = Arrays.copyOf(whole, whole.length - 5);

        IOException e = assertThrows(IOException.class,
                () -> FormatRunner.value(ProtobufFormat.withSchemaRegistry(registry.url()), cut));

        assertEquals("the Protobuf body is truncated: it ends in the middle of a field of shop.Refund (schema id "
                + orderId + ")", e.getMessage());
    }

    @Test
    void protoTextInRegistry_notResolvedClearMessage() {
        int id = registry.register("text-value", "PROTOBUF", "syntax = \"proto3\";\nmessage M { int32 a = 1; }");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FormatRunner.value(
                ProtobufFormat.withSchemaRegistry(registry.url()), ProtoSamples.wire(id, new int[] {0}, new byte[0])));

        assertEquals("schema id " + id + " came from the registry as .proto text, not as a serialized "
                + "FileDescriptorProto (?format=serialized); ksbridge does not parse .proto text: supply the descriptor"
                + " with ProtobufFormat.builder().descriptor(...).confluentWireFormat()", e.getMessage());
    }

    @Test
    void avroSchemaId_refused() {
        int id = registry.register("a-value", "AVRO", "\"string\"");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FormatRunner.value(
                ProtobufFormat.withSchemaRegistry(registry.url()), ProtoSamples.wire(id, new int[] {0}, new byte[0])));

        assertEquals("schema id " + id + " is a AVRO schema, not Protobuf: use the format for AVRO", e.getMessage());
    }

    @Test
    void registryDown_retriableThenRecovers() throws Exception {
        ProtobufFormat format = ProtobufFormat.withSchemaRegistry(registry.url());
        byte[] data = ProtoSamples.wire(orderId, new int[] {1}, ProtoSamples.refund("o", 1).toByteArray());
        registry.down();

        IngestException e = assertThrows(IngestException.class, () -> FormatRunner.value(format, data));
        assertTrue(e.isRetriable());

        registry.up();
        assertEquals("{\"orderId\":\"o\",\"amount\":\"1\"}", FormatRunner.value(format, data).json());
    }

    @Test
    void builder_conflicts_everyProblemListed() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> ProtobufFormat.builder()
                .descriptor(ProtoSamples.REFUND_TYPE).messageClass(com.google.protobuf.Timestamp.class)
                .schemaRegistry("http://localhost:8081").build());

        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals("descriptor and messageClass exclude each other: set one", e.problems().get(0).reason());
        assertEquals("a supplied descriptor or messageClass is used as is and the registry would never be asked: drop "
                + "schemaRegistry, and use confluentWireFormat() for Confluent's wire format",
                e.problems().get(1).reason());
    }

    @Test
    void builder_registrySettings_checkedAtOnceAndAtBuild() {
        assertEquals("requestTimeout must be > 0, was PT0S", assertThrows(IllegalArgumentException.class,
                () -> ProtobufFormat.builder().requestTimeout(Duration.ZERO)).getMessage());
        assertEquals("basicAuth user must not be empty", assertThrows(IllegalArgumentException.class,
                () -> ProtobufFormat.builder().basicAuth("", Secret.of("p"))).getMessage());

        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> ProtobufFormat.builder()
                .schemaRegistry(SchemaRegistryClient.of(registry.url())).schemaRegistry("http://localhost:8081")
                .bearerToken(Secret.of("tok-secret")).build());

        assertEquals("Invalid value http://localhost:8081 for setting schemaRegistry: schemaRegistry(url) and "
                + "schemaRegistry(client) exclude each other: set one", e.problems().get(0).toString());
        assertEquals(1, e.problems().size(), e.getMessage());
        BridgeConfigException noUrl = assertThrows(BridgeConfigException.class, () -> ProtobufFormat.builder()
                .schemaRegistry(SchemaRegistryClient.of(registry.url())).bearerToken(Secret.of("tok-secret"))
                .build());
        assertEquals("Invalid value set for setting basicAuth/bearerToken/sslContext/requestTimeout: registry client "
                + "settings need schemaRegistry(url); with schemaRegistry(client) set them on the client",
                noUrl.getMessage());
    }

    @Test
    void builder_conflictWithUrlCarryingCredentials_urlHiddenInMessage() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> ProtobufFormat.builder()
                .descriptor(ProtoSamples.REFUND_TYPE).schemaRegistry("https://key:s3cr3t@registry:8081")
                .schemaRegistry(SchemaRegistryClient.of(registry.url())).build());

        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals("[hidden]", e.problems().get(0).value());
        assertEquals("[hidden]", e.problems().get(1).value());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void builder_nothingSet_named() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> ProtobufFormat.builder().build());

        assertEquals("Invalid value null for setting descriptor: set descriptor(d), messageClass(c), "
                + "schemaRegistry(url) or schemaRegistry(client)", e.getMessage());
    }
}
