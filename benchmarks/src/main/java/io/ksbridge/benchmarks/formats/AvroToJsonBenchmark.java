package io.ksbridge.benchmarks.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.format.avro.AvroFormat;
import io.ksbridge.testkit.FormatRunner;
import io.ksbridge.testkit.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One typical event record (13 fields: strings, numbers, a decimal, a timestamp, an enum, an array, a map, a nested
 * record, a union, a uuid) converted to VARIANT JSON bytes:
 * <ul>
 *   <li>{@code direct}: {@link AvroFormat#ofSchema}, decoding and writing JSON in one pass;</li>
 *   <li>{@code directRegistry}: the same through Confluent's wire format and the (cached) registry;</li>
 *   <li>{@code objectThenGenerator}: Avro's {@code GenericDatumReader} to a {@code GenericRecord}, then a walk writing
 *       the same JSON to a generator (the simpler path the direct writer has to beat);</li>
 *   <li>{@code connectorTreeBaseline}: the connector's path, {@code GenericRecord.toString()} parsed into a Jackson
 *       tree and written out.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AvroToJsonBenchmark {
    static final String SCHEMA = """
            {"type":"record","name":"Event","namespace":"bench","fields":[
              {"name":"id","type":"long"},
              {"name":"user","type":"string"},
              {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
              {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]}},
              {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"tags","type":{"type":"array","items":"string"}},
              {"name":"attributes","type":{"type":"map","values":"string"}},
              {"name":"location","type":{"type":"record","name":"Location","fields":[
                 {"name":"lat","type":"double"},{"name":"lon","type":"double"}]}},
              {"name":"note","type":["null","string"]},
              {"name":"active","type":"boolean"},
              {"name":"score","type":"float"},
              {"name":"quantity","type":"int"},
              {"name":"sessionId","type":{"type":"string","logicalType":"uuid"}}
            ]}""";

    Schema schema;
    byte[] body;
    byte[] wire;
    FormatRunner direct;
    FormatRunner directRegistry;
    FormatRunner objectThenGenerator;
    SchemaRegistry registry;
    GenericDatumReader<GenericRecord> connectorReader;
    ObjectMapper mapper;
    BinaryDecoder reuse;
    GenericRecord reuseRecord;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        schema = new Schema.Parser().parse(SCHEMA);
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new Conversions.UUIDConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        GenericData.Record location = new GenericData.Record(schema.getField("location").schema());
        location.put("lat", 52.520008);
        location.put("lon", 13.404954);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("channel", "web");
        attributes.put("campaign", "autumn-sale-2026");
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", 9_876_543_210L);
        r.put("user", "user-4711@example.com");
        r.put("amount", new BigDecimal("1234.56"));
        r.put("currency", new GenericData.EnumSymbol(schema.getField("currency").schema(), "EUR"));
        r.put("createdAt", Instant.parse("2026-11-23T10:15:30.123Z"));
        r.put("tags", List.of("priority", "gift", "express"));
        r.put("attributes", attributes);
        r.put("location", location);
        r.put("note", "leave at the door");
        r.put("active", true);
        r.put("score", 0.875f);
        r.put("quantity", 3);
        r.put("sessionId", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<Object>(schema, model).write(r, enc);
        enc.flush();
        body = bytes.toByteArray();

        registry = SchemaRegistry.start();
        int id = registry.register("events-value", "AVRO", SCHEMA);
        wire = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
        direct = FormatRunner.of(AvroFormat.ofSchema(schema));
        directRegistry = FormatRunner.of(AvroFormat.withSchemaRegistry(registry.url()));

        GenericData connectorModel = new GenericData();
        connectorModel.addLogicalTypeConversion(new Conversions.DecimalConversion());
        connectorReader = new GenericDatumReader<>(schema, schema, connectorModel);
        GenericDatumReader<GenericRecord> plainReader = new GenericDatumReader<>(schema, schema, new GenericData());
        objectThenGenerator = FormatRunner.of((data, context, json) -> {
            reuse = DecoderFactory.get().binaryDecoder(data, reuse);
            walk(schema, plainReader.read(null, reuse), json.generator());
        });
        mapper = new ObjectMapper();

        // all four must agree, as JSON values (Avro's reader decodes maps into a HashMap, so their key order differs;
        // decimals aside, which the connector rounds through a double)
        JsonNode ours = mapper.readTree(direct());
        if (!ours.equals(mapper.readTree(objectThenGenerator())) || !ours.equals(mapper.readTree(directRegistry()))) {
            throw new IllegalStateException("paths disagree: " + ours);
        }
        JsonNode connector = mapper.readTree(connectorTreeBaseline());
        ((com.fasterxml.jackson.databind.node.ObjectNode) connector).remove("amount");
        JsonNode oursWithoutDecimal = ours.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) oursWithoutDecimal).remove("amount");
        if (!oursWithoutDecimal.equals(connector)) {
            throw new IllegalStateException("connector path disagrees: " + connector + " vs " + ours);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    public byte[] direct() throws Exception {
        return direct.value(body).bytes();
    }

    @Benchmark
    public byte[] directRegistry() throws Exception {
        return directRegistry.value(wire).bytes();
    }

    /** Avro's reader to a {@code GenericRecord}, then {@link #walk} writes it, through the same output. */
    @Benchmark
    public byte[] objectThenGenerator() throws Exception {
        return objectThenGenerator.value(body).bytes();
    }

    @Benchmark
    public byte[] connectorTreeBaseline() throws IOException {
        reuse = DecoderFactory.get().binaryDecoder(body, reuse);
        GenericRecord rec = connectorReader.read(null, reuse);
        JsonNode tree = mapper.readTree(rec.toString());
        return mapper.writeValueAsBytes(tree);
    }

    /** The same rendering as AvroFormat, from decoded objects (mirrors the format's reader-schema path). */
    static void walk(Schema s, Object datum, JsonGenerator g) throws IOException {
        switch (s.getType()) {
            case NULL -> g.writeNull();
            case BOOLEAN -> g.writeBoolean((Boolean) datum);
            case INT -> g.writeNumber((Integer) datum);
            case LONG -> g.writeNumber((Long) datum);
            case FLOAT -> g.writeNumber((Float) datum);
            case DOUBLE -> g.writeNumber((Double) datum);
            case STRING, ENUM -> g.writeString(datum.toString());
            case BYTES -> {
                ByteBuffer bb = ((ByteBuffer) datum).duplicate();
                byte[] b = new byte[bb.remaining()];
                bb.get(b);
                int scale = ((org.apache.avro.LogicalTypes.Decimal) s.getLogicalType()).getScale();
                g.writeNumber(new BigDecimal(new java.math.BigInteger(b), scale).toPlainString());
            }
            case ARRAY -> {
                g.writeStartArray();
                for (Object o : (Collection<?>) datum) {
                    walk(s.getElementType(), o, g);
                }
                g.writeEndArray();
            }
            case MAP -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    walk(s.getValueType(), e.getValue(), g);
                }
                g.writeEndObject();
            }
            case UNION -> walk(s.getTypes().get(GenericData.get().resolveUnion(s, datum)), datum, g);
            case RECORD -> {
                g.writeStartObject();
                IndexedRecord r = (IndexedRecord) datum;
                for (Schema.Field f : s.getFields()) {
                    g.writeFieldName(f.name());
                    walk(f.schema(), r.get(f.pos()), g);
                }
                g.writeEndObject();
            }
            default -> throw new IOException("not in the benchmark schema: " + s.getType());
        }
    }
}
