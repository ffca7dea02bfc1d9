package io.ksbridge.format.avro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.format.TypedColumns;
import io.ksbridge.format.TypedColumns.Column;
import io.ksbridge.testkit.FormatRunner;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Each Avro type and logical type to its Snowflake column type, and each value, from the JSON the format writes,
 * back to the value Snowflake's clients take: a golden line per field of {@link AvroSamples#allTypes()}.
 */
class AvroColumnsGoldenTest {
    /** Decimals read exactly, as {@link Column#value} asks. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    @Test
    void allTypes_eachFieldItsColumnTypeAndValue() throws Exception {
        Schema schema = AvroSamples.allTypesSchema();
        FormatRunner.Result out = FormatRunner.value(AvroFormat.ofSchema(schema),
                AvroSamples.binary(schema, AvroSamples.allTypes()));
        TypedColumns columns = out.columns();
        JsonNode row = JSON.readTree(out.json());

        Map<String, Object[]> golden = new LinkedHashMap<>(); // field -> {type, nullable, value}
        golden.put("nothing", new Object[] {"VARIANT", true, null});
        golden.put("flag", new Object[] {"BOOLEAN", false, true});
        golden.put("i", new Object[] {"NUMBER(10,0)", false, new BigDecimal("-5")});
        golden.put("l", new Object[] {"NUMBER(19,0)", false, new BigDecimal("1234567890123")});
        golden.put("f", new Object[] {"FLOAT", false, 3.14});
        golden.put("d", new Object[] {"FLOAT", false, 2.718281828});
        golden.put("fNaN", new Object[] {"FLOAT", false, Double.NaN});
        golden.put("dNegInf", new Object[] {"FLOAT", false, Double.NEGATIVE_INFINITY});
        golden.put("s", new Object[] {"VARCHAR", false, "h\u00e9llo \"q\"\n\u0001 \uD83D\uDE00"});
        golden.put("color", new Object[] {"VARCHAR", false, "BLUE"});
        golden.put("ints", new Object[] {"ARRAY", false, "[1,2,3]"});
        golden.put("emptyArray", new Object[] {"ARRAY", false, "[]"});
        golden.put("counts", new Object[] {"OBJECT", false, "{\"a\":1,\"b\":-2}"});
        golden.put("maybeText", new Object[] {"VARCHAR", true, "x"});
        golden.put("maybeNull", new Object[] {"VARCHAR", true, null});
        golden.put("choice", new Object[] {"VARIANT", true, "{\"n\":\"in union\",\"v\":9}"});
        golden.put("inner", new Object[] {"OBJECT", false, "{\"n\":\"inner\",\"v\":7}"});
        golden.put("inners", new Object[] {"ARRAY", false, "[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2}]"});
        golden.put("price", new Object[] {"NUMBER(10,4)", false, new BigDecimal("90.0000")});
        golden.put("tiny", new Object[] {"NUMBER(10,4)", false, new BigDecimal("0.0001")});
        golden.put("big", new Object[] {"NUMBER(38,2)", false, new BigDecimal("123456789012345678901234567890.12")});
        golden.put("fixedPrice", new Object[] {"NUMBER(10,2)", false, new BigDecimal("-12.34")});
        golden.put("day", new Object[] {"DATE", false, LocalDate.of(2021, 1, 1)});
        golden.put("tMillis", new Object[] {"TIME(3)", false, LocalTime.of(12, 34, 56, 789_000_000)});
        golden.put("tMicros", new Object[] {"TIME(6)", false, LocalTime.of(12, 34, 56, 789_012_000)});
        golden.put("tsMillis", new Object[] {"TIMESTAMP_LTZ(3)", false, Instant.parse("2021-01-01T00:00:00.123Z")});
        golden.put("tsMicros", new Object[] {"TIMESTAMP_LTZ(6)", false, Instant.parse("2021-01-01T00:00:00.123456Z")});
        golden.put("ltsMillis", new Object[] {"TIMESTAMP_NTZ(3)", false, LocalDateTime.parse("2021-01-01T00:00:00.123")});
        golden.put("ltsMicros", new Object[] {"TIMESTAMP_NTZ(6)", false,
                LocalDateTime.parse("2021-01-01T00:00:00.123456")});
        golden.put("id", new Object[] {"VARCHAR", false, "123e4567-e89b-12d3-a456-426614174000"});

        for (Map.Entry<String, Object[]> g : golden.entrySet()) {
            Column c = columns.column(g.getKey());
            assertEquals(g.getValue()[0], c.type(), g.getKey());
            assertEquals(g.getValue()[1], c.nullable(), g.getKey() + " nullable");
            assertEquals(g.getValue()[2], c.value(row.get(g.getKey())), g.getKey() + " value");
        }
        // bytes: BINARY, from the connector's renderings (ISO-8859-1 text for bytes, signed byte values for fixed)
        assertEquals("BINARY", columns.column("raw").type());
        assertArrayEquals(new byte[] {0, 'A', (byte) 0xff}, (byte[]) columns.column("raw").value(row.get("raw")));
        assertEquals("BINARY", columns.column("fx").type());
        assertArrayEquals(new byte[] {1, 2, (byte) 200}, (byte[]) columns.column("fx").value(row.get("fx")));
        assertEquals(golden.size() + 2, columns.columns().size(), "one column per field: " + columns);
    }

    @Test
    void sameSchema_sameColumnsInstance_declaredForEveryRecord() throws Exception {
        Schema schema = AvroSamples.allTypesSchema();
        AvroFormat format = AvroFormat.ofSchema(schema);
        FormatRunner runner = FormatRunner.of(format);
        byte[] body = AvroSamples.binary(schema, AvroSamples.allTypes());
        assertSame(runner.value(body).columns(), runner.value(body).columns(), "kept per schema, not rebuilt per record");
    }

    @Test
    void readerSchema_columnsOfTheReader() throws Exception {
        Schema writer = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"gone","type":"string"}]}""");
        Schema reader = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"long"},
                {"name":"added","type":{"type":"int","logicalType":"date"},"default":0}]}""");
        org.apache.avro.generic.GenericData.Record r = new org.apache.avro.generic.GenericData.Record(writer);
        r.put("a", 1);
        r.put("gone", "x");
        FormatRunner.Result out = FormatRunner.value(AvroFormat.ofSchema(writer, reader), AvroSamples.binary(writer, r));
        assertEquals("TypedColumns[a NUMBER(19,0) NOT NULL, added DATE]", out.columns().toString());
        assertEquals(LocalDate.EPOCH, out.columns().column("added").value(JSON.readTree(out.json()).get("added")));
    }

    @Test
    void wideDecimal_keptExactAsText_andADecimalThatDoesNotFitItsScaleIsRefusedNamingTheField() throws Exception {
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"W","fields":[
                {"name":"huge","type":{"type":"bytes","logicalType":"decimal","precision":40,"scale":1}},
                {"name":"money","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}]}""");
        TypedColumns columns = AvroColumns.of(schema);
        assertEquals("VARCHAR", columns.column("huge").type());
        assertEquals("123456789012345678901234567890123456789.5",
                columns.column("huge").value(JSON.readTree("123456789012345678901234567890123456789.5")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> columns.column("money").value(JSON.readTree("1.005")));
        assertTrue(e.getMessage().startsWith("field money (NUMBER(10,2), AS_IS) cannot hold 1.005"), e.getMessage());
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                () -> columns.column("money").value(JSON.readTree("123456789.5")));
        assertTrue(wide.getMessage().endsWith("more than 8 digits before the decimal point"), wide.getMessage());
        assertEquals(new BigDecimal("-99999999.99"), columns.column("money").value(JSON.readTree("-99999999.99")));
    }

    @Test
    void notARecord_noColumns() {
        assertNull(AvroColumns.of(Schema.create(Schema.Type.STRING)));
    }
}
