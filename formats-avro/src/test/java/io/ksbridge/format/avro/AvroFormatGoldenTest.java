package io.ksbridge.format.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.testkit.FormatRunner;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/** Records written by the real Avro library, converted to exactly the expected JSON. */
class AvroFormatGoldenTest {

    @Test
    void ofSchema_everyTypeAndLogicalType_exactJson() throws Exception {
        byte[] body = AvroSamples.binary(AvroSamples.allTypesSchema(), AvroSamples.allTypes());

        FormatRunner.Result out = FormatRunner.value(AvroFormat.ofSchema(AvroSamples.allTypesSchema()), body);

        assertEquals(AvroSamples.ALL_TYPES_JSON, out.json());
        assertEquals(OptionalInt.empty(), out.schemaId(), "a fixed schema has no registry id");
    }

    @Test
    void readerSchemaWithAddedField_everyType_sameJsonPlusDefault() throws Exception {
        Schema writer = AvroSamples.allTypesSchema();
        String readerText = AvroSamples.ALL_TYPES_SCHEMA.replace("\n]}",
                ",\n {\"name\": \"added\", \"type\": \"string\", \"default\": \"dflt\"}]}");
        Schema reader = new Schema.Parser().parse(readerText);
        byte[] body = AvroSamples.binary(writer, AvroSamples.allTypes());

        FormatRunner.Result out = FormatRunner.value(AvroFormat.ofSchema(writer, reader), body);

        String expected = AvroSamples.ALL_TYPES_JSON.substring(0, AvroSamples.ALL_TYPES_JSON.length() - 1)
                + ",\"added\":\"dflt\"}";
        assertEquals(expected, out.json());
    }

    @Test
    void readerSchemaDroppingAndPromoting_resolvesByAvroRules() throws Exception {
        Schema writer = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"gone","type":"string"},
                {"name":"b","type":"int"}]}""");
        Schema reader = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"b","type":"double"},{"name":"a","type":"long"}]}""");
        GenericData.Record r = new GenericData.Record(writer);
        r.put("a", 1);
        r.put("gone", "x");
        r.put("b", 2);

        FormatRunner.Result out = FormatRunner.value(AvroFormat.ofSchema(writer, reader),
                AvroSamples.binary(writer, r));

        assertEquals("{\"b\":2.0,\"a\":1}", out.json());
    }

    /**
     * The connector renders Avro by printing the GenericRecord (with only the decimal conversion) and reading the
     * text back as JSON. Every field but the decimals must come out the same; decimals are exact where the connector
     * rounds them through a double.
     */
    @Test
    void everyTypeButDecimal_sameAsConnectorRendering() throws Exception {
        Schema schema = AvroSamples.allTypesSchema();
        byte[] body = AvroSamples.binary(schema, AvroSamples.allTypes());
        GenericData connectorModel = new GenericData();
        connectorModel.addLogicalTypeConversion(new Conversions.DecimalConversion());
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(schema, schema, connectorModel)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode connector = (ObjectNode) mapper.readTree(decoded.toString());
        ObjectNode ours = (ObjectNode) mapper.readTree(FormatRunner.value(AvroFormat.ofSchema(schema), body).json());

        assertEquals(90.0, connector.get("price").doubleValue(), "the connector's rounding, for the record");
        for (String decimal : new String[] {"price", "tiny", "big", "fixedPrice"}) {
            assertEquals(0, connector.remove(decimal).decimalValue().compareTo(ours.remove(decimal).decimalValue()),
                    decimal + " has the same numeric value");
        }
        Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = connector.fields();
        while (it.hasNext()) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            assertEquals(e.getValue(), ours.get(e.getKey()), "field " + e.getKey());
        }
        assertEquals(connector.toString(), ours.toString());
    }

    @Test
    void recursiveSchema_linkedList_nestedObjects() throws Exception {
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"Node","fields":[{"name":"v","type":"int"},
                {"name":"next","type":["null","Node"]}]}""");
        GenericData.Record third = new GenericData.Record(schema);
        third.put("v", 3);
        GenericData.Record second = new GenericData.Record(schema);
        second.put("v", 2);
        second.put("next", third);
        GenericData.Record first = new GenericData.Record(schema);
        first.put("v", 1);
        first.put("next", second);

        FormatRunner.Result out = FormatRunner.value(AvroFormat.ofSchema(schema), AvroSamples.binary(schema, first));

        assertEquals("{\"v\":1,\"next\":{\"v\":2,\"next\":{\"v\":3,\"next\":null}}}", out.json());
    }

    @Test
    void primitiveTopLevelSchemas_stringKeyAndLongValue_plainJsonValues() throws Exception {
        Schema string = Schema.create(Schema.Type.STRING);
        Schema longs = Schema.create(Schema.Type.LONG);

        assertEquals("\"order-17\"", FormatRunner.key(AvroFormat.ofSchema(string),
                AvroSamples.binary(string, "order-17")).json());
        assertEquals("-9223372036854775808", FormatRunner.value(AvroFormat.ofSchema(longs),
                AvroSamples.binary(longs, Long.MIN_VALUE)).json());
    }
}
