package io.ksbridge.format.avro;

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
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Confluent wire format with the in-process registry: ids, caching, every error the format names. */
class AvroFormatRegistryTest {
    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"item","type":"string"}]}""");

    private SchemaRegistry registry;

    @BeforeEach
    void start() {
        registry = SchemaRegistry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static byte[] order(int id, long orderId, String item) throws IOException {
        GenericData.Record r = new GenericData.Record(ORDER);
        r.put("id", orderId);
        r.put("item", item);
        return AvroSamples.wire(id, AvroSamples.binary(ORDER, r));
    }

    @Test
    void registeredSchema_everyTypeAndLogicalType_exactJsonAndSchemaId() throws Exception {
        registry.register("other-value", "AVRO", ORDER.toString());
        int id = registry.register("all-value", "AVRO", AvroSamples.ALL_TYPES_SCHEMA);
        byte[] data = AvroSamples.wire(id, AvroSamples.binary(AvroSamples.allTypesSchema(), AvroSamples.allTypes()));

        FormatRunner.Result out = FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), data);

        assertEquals(AvroSamples.ALL_TYPES_JSON, out.json());
        assertEquals(OptionalInt.of(2), out.schemaId());
    }

    @Test
    void manyRecordsOfOneSchema_fetchedOnce() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        AvroFormat format = AvroFormat.withSchemaRegistry(registry.url());

        for (int i = 0; i < 100; i++) {
            assertEquals("{\"id\":" + i + ",\"item\":\"book\"}",
                    FormatRunner.value(format, order(id, i, "book")).json());
        }

        assertEquals(1, registry.requestCount());
    }

    @Test
    void key_registeredSchema_schemaIdReported() throws Exception {
        Schema key = Schema.create(Schema.Type.STRING);
        int id = registry.register("orders-key", "AVRO", key.toString());

        FormatRunner.Result out = FormatRunner.key(AvroFormat.withSchemaRegistry(registry.url()),
                AvroSamples.wire(id, AvroSamples.binary(key, "k-1")));

        assertEquals("\"k-1\"", out.json());
        assertEquals(OptionalInt.of(id), out.schemaId());
    }

    @Test
    void readerSchema_registryWriterSchema_resolved() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        Schema reader = new Schema.Parser().parse("""
                {"type":"record","name":"Order","fields":[{"name":"id","type":"long"},
                {"name":"qty","type":"int","default":1}]}""");
        AvroFormat format = AvroFormat.builder().schemaRegistry(registry.url()).readerSchema(reader).build();

        assertEquals("{\"id\":5,\"qty\":1}", FormatRunner.value(format, order(id, 5, "pen")).json());
    }

    @Test
    void schemaWithReference_referencedSubjectResolved() throws Exception {
        String money = "{\"type\":\"record\",\"name\":\"Money\",\"namespace\":\"shop\",\"fields\":["
                + "{\"name\":\"cents\",\"type\":\"long\"}]}";
        registry.register("shop.Money", "AVRO", money);
        String payment = "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"shop\",\"fields\":["
                + "{\"name\":\"amount\",\"type\":\"shop.Money\"}]}";
        int id = registry.register("payments-value", "AVRO", payment,
                List.of(new SchemaRegistry.Reference("shop.Money", "shop.Money", 1)));
        Schema.Parser p = new Schema.Parser();
        p.parse(money);
        Schema paymentSchema = p.parse(payment);
        GenericData.Record m = new GenericData.Record(paymentSchema.getField("amount").schema());
        m.put("cents", 250L);
        GenericData.Record r = new GenericData.Record(paymentSchema);
        r.put("amount", m);

        FormatRunner.Result out = FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()),
                AvroSamples.wire(id, AvroSamples.binary(paymentSchema, r)));

        assertEquals("{\"amount\":{\"cents\":250}}", out.json());
    }

    @Test
    void wrongMagicByte_clearMessage() {
        byte[] data = "{\"id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        IOException e = assertThrows(IOException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), data));

        assertEquals("the first byte is 0x7b, not the magic byte 0x00 of Confluent's wire format: the record was not "
                + "written by a schema-registry Avro serializer", e.getMessage());
        assertEquals(0, registry.requestCount());
    }

    @Test
    void shorterThanHeader_clearMessage() {
        IOException e = assertThrows(IOException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), new byte[] {0, 0, 1}));

        assertEquals("the value is 3 bytes, shorter than the 5-byte header of Confluent's wire format (magic byte 0 "
                + "and a 4-byte schema id)", e.getMessage());
    }

    @Test
    void unknownSchemaId_unknownSchemaException() {
        UnknownSchemaException e = assertThrows(UnknownSchemaException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), order(77, 1, "x")));

        assertEquals("the schema registry at " + registry.url() + " does not know schema id 77 (HTTP 404, error "
                + "code 40403)", e.getMessage());
        assertEquals(77, e.schemaId());
    }

    @Test
    void truncatedBody_clearMessage() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        byte[] whole = order(id, 1, "a long item name");
        byte[] cut = Arrays.copyOf(whole, whole.length - 4);

        IOException e = assertThrows(IOException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), cut));

        assertEquals("the Avro body is truncated: writer schema id " + id + " needs more than the " + (cut.length - 5)
                + " bytes after the 5-byte header", e.getMessage());
    }

    @Test
    void bytesLeftOver_clearMessage() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        byte[] whole = order(id, 1, "pen");
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);

        IOException e = assertThrows(IOException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), longer));

        assertEquals("3 bytes are left after the Avro value of writer schema id " + id
                + ": the body was not written with this schema", e.getMessage());
    }

    @Test
    void protobufSchemaId_refused() {
        int id = registry.register("p-value", "PROTOBUF", "syntax = \"proto3\"; message M { int32 a = 1; }");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()),
                        AvroSamples.wire(id, new byte[] {2})));

        assertEquals("schema id " + id + " is a PROTOBUF schema, not Avro: use the format for PROTOBUF", e.getMessage());
    }

    @Test
    void registryDown_retriableThenRecovers() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        AvroFormat format = AvroFormat.withSchemaRegistry(registry.url());
        registry.down();

        IngestException e = assertThrows(IngestException.class, () -> FormatRunner.value(format, order(id, 1, "pen")));
        assertTrue(e.isRetriable());
        assertTrue(e.getMessage().startsWith("schema registry at " + registry.url() + " cannot be reached (GET "
                + "/schemas/ids/" + id + ")"), e.getMessage());

        registry.up();
        assertEquals("{\"id\":1,\"item\":\"pen\"}", FormatRunner.value(format, order(id, 1, "pen")).json());
    }

    @Test
    void registry500_retriable() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        registry.failWith(500);

        IngestException e = assertThrows(IngestException.class,
                () -> FormatRunner.value(AvroFormat.withSchemaRegistry(registry.url()), order(id, 1, "pen")));

        assertTrue(e.isRetriable());
        assertEquals("schema registry at " + registry.url() + " failed: GET /schemas/ids/" + id
                + " returned HTTP 500 (error code 50001: injected failure)", e.getMessage());
    }

    @Test
    void basicAuth_builderSendsCredentials_wrongOnesRetriableWithoutSecret() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        registry.requireBasicAuth("key", "s3cr3t-value");
        AvroFormat good = AvroFormat.builder().schemaRegistry(registry.url())
                .basicAuth("key", Secret.of("s3cr3t-value")).requestTimeout(Duration.ofSeconds(5)).build();
        AvroFormat bad = AvroFormat.builder().schemaRegistry(registry.url())
                .basicAuth("key", Secret.of("wrong-value")).build();

        assertEquals("{\"id\":1,\"item\":\"pen\"}", FormatRunner.value(good, order(id, 1, "pen")).json());
        IngestException e = assertThrows(IngestException.class, () -> FormatRunner.value(bad, order(id, 1, "pen")));
        assertFalse(e.isRetriable(), "wrong credentials stop the bridge; they are not the record's fault");
        assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-value"), e.getMessage());
        assertFalse(good.toString().contains("s3cr3t"), good.toString());
    }

    @Test
    void sharedClient_keyAndValueFormats_oneFetchPerId() throws Exception {
        int id = registry.register("orders-value", "AVRO", ORDER.toString());
        SchemaRegistryClient client = SchemaRegistryClient.of(registry.url());

        FormatRunner.value(AvroFormat.withSchemaRegistry(client), order(id, 1, "a"));
        FormatRunner.key(AvroFormat.withSchemaRegistry(client), order(id, 2, "b"));

        assertEquals(1, registry.requestCount());
    }

    @Test
    void builder_noSource_problemNamed() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> AvroFormat.builder().build());

        assertEquals("Invalid value null for setting schemaRegistry: set schemaRegistry(url), schemaRegistry(client) "
                + "or schema(writerSchema)", e.getMessage());
    }

    @Test
    void builder_conflictingSettings_everyProblemListed() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> AvroFormat.builder()
                .schema(ORDER).schemaRegistry(SchemaRegistryClient.of("http://localhost:8081"))
                .basicAuth("u", Secret.of("p")).cacheSize(5).build());

        assertEquals(3, e.problems().size(), e.getMessage());
        assertEquals("schemaRegistry(url), schemaRegistry(client) and schema(writerSchema) exclude each other: set "
                + "exactly one", e.problems().get(0).reason());
        assertEquals("registry client settings need schemaRegistry(url); with schemaRegistry(client) set them on the "
                + "client", e.problems().get(1).reason());
        assertEquals("cacheSize has no effect with schema(writerSchema): there is only one schema",
                e.problems().get(2).reason());
    }

    @Test
    void builder_conflictWithUrlCarryingCredentials_urlHiddenInMessage() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> AvroFormat.builder()
                .schemaRegistry("https://key:s3cr3t@registry:8081").schema(ORDER).build());

        assertEquals("Invalid value [hidden] for setting schemaRegistry: schemaRegistry(url), schemaRegistry(client) "
                + "and schema(writerSchema) exclude each other: set exactly one", e.getMessage());
    }

    @Test
    void builder_badUrl_named() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> AvroFormat.withSchemaRegistry("localhost:8081"));

        assertEquals("Invalid value localhost:8081 for setting url: must be an absolute http or https URL, for "
                + "example http://localhost:8081", e.getMessage());
    }

    @Test
    void builder_badValues_rejectedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AvroFormat.builder().cacheSize(0));
        assertEquals("cacheSize must be > 0, was 0", e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> AvroFormat.builder().schemaRegistry((String) null));
        assertEquals("schemaRegistry url must not be null", npe.getMessage());
        IllegalArgumentException colon = assertThrows(IllegalArgumentException.class,
                () -> AvroFormat.builder().basicAuth("key:x", Secret.of("p")));
        assertEquals("basicAuth user must not contain ':'", colon.getMessage());
    }
}
