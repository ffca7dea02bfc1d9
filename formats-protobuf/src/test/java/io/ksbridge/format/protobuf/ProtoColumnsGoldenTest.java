package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.format.TypedColumns;
import io.ksbridge.format.TypedColumns.Column;
import io.ksbridge.testkit.FormatRunner;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each Protobuf field type and well-known type to its Snowflake column type, and each value, from the JSON the format
 * writes, back to the value Snowflake's clients take: a golden line per field of {@link ProtoSamples#order()}.
 */
class ProtoColumnsGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    @Test
    void order_eachFieldItsColumnTypeAndValue() throws Exception {
        FormatRunner.Result out = FormatRunner.value(ProtobufFormat.of(ProtoSamples.ORDER_TYPE),
                ProtoSamples.order().toByteArray());
        TypedColumns columns = out.columns();
        JsonNode row = JSON.readTree(out.json());

        Map<String, Object[]> golden = new LinkedHashMap<>(); // JSON name -> {type, value}
        golden.put("i32", new Object[] {"NUMBER(10,0)", new BigDecimal("-5")});
        golden.put("i64", new Object[] {"NUMBER(19,0)", new BigDecimal("-1234567890123")});
        golden.put("u32", new Object[] {"NUMBER(10,0)", new BigDecimal("4000000000")});
        golden.put("u64", new Object[] {"NUMBER(20,0)", new BigDecimal("18446744073709551615")});
        golden.put("s32", new Object[] {"NUMBER(10,0)", new BigDecimal("-7")});
        golden.put("s64", new Object[] {"NUMBER(19,0)", new BigDecimal("-8")});
        golden.put("f32", new Object[] {"NUMBER(10,0)", new BigDecimal("4000000001")});
        golden.put("f64", new Object[] {"NUMBER(20,0)", new BigDecimal("42")});
        golden.put("sf32", new Object[] {"NUMBER(10,0)", new BigDecimal("-9")});
        golden.put("sf64", new Object[] {"NUMBER(19,0)", new BigDecimal("-10")});
        golden.put("fl", new Object[] {"FLOAT", 3.14});
        golden.put("db", new Object[] {"FLOAT", 2.718281828});
        golden.put("flag", new Object[] {"BOOLEAN", true});
        golden.put("orderId", new Object[] {"VARCHAR", "o-1 <b> \u00e9 \"q\"\n"});
        golden.put("status", new Object[] {"VARCHAR", "SHIPPED"});
        golden.put("line", new Object[] {"OBJECT", "{\"sku\":\"A\",\"qty\":2}"});
        golden.put("lines", new Object[] {"ARRAY", "[{\"sku\":\"B\",\"qty\":1},{\"sku\":\"C\"}]"});
        golden.put("counts", new Object[] {"ARRAY", "[1,2,3]"});
        golden.put("totals", new Object[] {"OBJECT", "{\"eur\":\"100\",\"usd\":\"-3\"}"});
        golden.put("createdAt", new Object[] {"TIMESTAMP_LTZ(9)", Instant.parse("2021-01-01T00:00:00.123Z")});
        golden.put("ttl", new Object[] {"VARCHAR", "90.500s"});
        golden.put("note", new Object[] {"VARCHAR", "hi"});
        golden.put("extra", new Object[] {"OBJECT", "{\"a\":1.0,\"b\":\"x\"}"});
        golden.put("card", new Object[] {"VARCHAR", "visa"});
        golden.put("voucher", new Object[] {"NUMBER(19,0)", null}); // the other branch of the oneof: not in the JSON
        golden.put("nan", new Object[] {"FLOAT", Double.NaN});

        for (Map.Entry<String, Object[]> g : golden.entrySet()) {
            Column c = columns.column(g.getKey());
            assertEquals(g.getValue()[0], c.type(), g.getKey());
            assertEquals(true, c.nullable(), g.getKey() + ": without defaults, a field may be left out");
            assertEquals(g.getValue()[1], c.value(row.get(g.getKey())), g.getKey() + " value");
        }
        assertEquals("BINARY", columns.column("raw").type());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, (byte[]) columns.column("raw").value(row.get("raw")));
        assertEquals(golden.size() + 1, columns.columns().size(), "one column per field: " + columns);
    }

    @Test
    void protoNamesAndDefaults_columnsNamedAsWrittenAndScalarsWithoutPresenceNotNull() throws Exception {
        ProtobufFormat format = ProtobufFormat.builder().descriptor(ProtoSamples.REFUND_TYPE).preservingProtoFieldNames()
                .includingDefaultValues().build();
        FormatRunner runner = FormatRunner.of(format);
        byte[] refund = ProtoSamples.refund("r-1", 0).toByteArray();
        TypedColumns columns = runner.value(refund).columns();
        assertEquals("TypedColumns[order_id VARCHAR NOT NULL, amount NUMBER(19,0) NOT NULL, tags ARRAY]",
                columns.toString());
        assertSame(columns, runner.value(refund).columns(), "kept per message type, not rebuilt per record");
    }
}
