package io.ksbridge.internal.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchematizerTest {
    private static Schematizer.Columns columns(String json) {
        return Schematizer.columns(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void columns_eachJsonType_mapsToTheConnectorsColumnType() {
        Schematizer.Columns c = columns("{\"id\":7,\"name\":\"a\",\"ok\":true,\"price\":1.5,\"tags\":[1,2],\"o\":{\"k\":1},"
                + "\"gone\":null}");
        Map<String, String> types = new LinkedHashMap<>();
        types.put("ID", "NUMBER");
        types.put("NAME", "VARCHAR");
        types.put("OK", "BOOLEAN");
        types.put("PRICE", "VARIANT");
        types.put("TAGS", "VARIANT");
        types.put("O", "VARIANT");
        assertEquals(types, c.types());
        assertEquals(7L, c.values().get("ID"));
        assertEquals("a", c.values().get("NAME"));
        assertEquals(true, c.values().get("OK"));
        assertEquals("1.5", c.values().get("PRICE"));
        assertEquals("[1,2]", c.values().get("TAGS"));
        assertEquals("{\"k\":1}", c.values().get("O"));
    }

    @Test
    void column_notAPlainIdentifier_isQuotedAsWritten() {
        assertEquals("ORDER_ID", Schematizer.column("order_id"));
        assertEquals("\"order-id\"", Schematizer.column("order-id"));
        assertEquals("\"a\"\"b\"", Schematizer.column("a\"b"));
    }

    @Test
    void columns_notAnObject_rejectedSayingWhy() {
        assertEquals("schematization needs each record to be a JSON object, this one is array",
                assertThrows(IllegalArgumentException.class, () -> columns("[1,2]")).getMessage());
        assertEquals("schematization needs each record to be a JSON object, this one is string",
                assertThrows(IllegalArgumentException.class, () -> columns("\"text\"")).getMessage());
    }

    @Test
    void columns_declaredFields_typedFromTheSchemaValuesExact_othersInferred() {
        io.ksbridge.format.TypedColumns declared = io.ksbridge.format.TypedColumns.of(java.util.List.of(
                new io.ksbridge.format.TypedColumns.Column("price", "NUMBER(38,10)", true,
                        io.ksbridge.format.TypedColumns.Encoding.AS_IS),
                new io.ksbridge.format.TypedColumns.Column("day", "DATE", true,
                        io.ksbridge.format.TypedColumns.Encoding.EPOCH_DAYS),
                new io.ksbridge.format.TypedColumns.Column("gone", "VARCHAR", true,
                        io.ksbridge.format.TypedColumns.Encoding.AS_IS)));
        Schematizer.Columns c = Schematizer.columns(
                "{\"price\":1234567890123456789.0123456789,\"day\":-1,\"gone\":null,\"n\":5}".getBytes(StandardCharsets.UTF_8),
                declared);
        assertEquals(Map.of("PRICE", "NUMBER(38,10)", "DAY", "DATE", "GONE", "VARCHAR", "N", "NUMBER"), c.types());
        assertEquals(new java.math.BigDecimal("1234567890123456789.0123456789"), c.values().get("PRICE"), "not via a double");
        assertEquals(java.time.LocalDate.of(1969, 12, 31), c.values().get("DAY"));
        assertEquals(false, c.values().containsKey("GONE"), "a null declared field: its column, no value");
        assertEquals(java.util.Set.of("PRICE", "DAY", "GONE"), c.declared());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schematizer.columns(
                "{\"day\":\"monday\"}".getBytes(StandardCharsets.UTF_8), declared));
        assertEquals(true, e.getMessage().startsWith("field day (DATE, EPOCH_DAYS) cannot hold \"monday\""), e.getMessage());
    }

    @Test
    void fits_sameTypeAnyLengthOrVariant_otherwiseNot() {
        assertEquals(true, Schematizer.fits("VARCHAR(16777216)", "VARCHAR"));
        assertEquals(true, Schematizer.fits("NUMBER(38,0)", "NUMBER"));
        assertEquals(true, Schematizer.fits("BINARY(8388608)", "BINARY"));
        assertEquals(true, Schematizer.fits("VARIANT", "NUMBER(10,2)"));
        assertEquals(true, Schematizer.fits("FLOAT", "DOUBLE"));
        assertEquals(false, Schematizer.fits("NUMBER(10,2)", "NUMBER(10,3)"));
        assertEquals(false, Schematizer.fits("NUMBER(10,2)", "VARCHAR"));
        assertEquals(false, Schematizer.fits("TIMESTAMP_LTZ(3)", "TIMESTAMP_NTZ(3)"));
        assertEquals(false, Schematizer.fits("VARCHAR(16777216)", "VARIANT"), "a VARIANT value does not go into text");
    }

    @Test
    void fits_widerColumnOfTheSameKind_takesIt_narrowerNever() {
        assertEquals(true, Schematizer.fits("NUMBER(38,0)", "NUMBER(19,0)"), "an inferred NUMBER takes a declared offset");
        assertEquals(true, Schematizer.fits("NUMBER(12,4)", "NUMBER(10,2)"), "more digits on both sides of the point");
        assertEquals(false, Schematizer.fits("NUMBER(19,0)", "NUMBER(38,0)"), "narrower: digits would be lost");
        assertEquals(false, Schematizer.fits("NUMBER(12,4)", "NUMBER(10,1)"), "9 integer digits wanted, 8 held");
        assertEquals(false, Schematizer.fits("NUMBER(10,0)", "NUMBER(10,2)"), "the fraction would be lost");
        assertEquals(true, Schematizer.fits("TIMESTAMP_LTZ", "TIMESTAMP_LTZ(3)"), "9 digits (the default) take 3");
        assertEquals(true, Schematizer.fits("TIMESTAMP_LTZ(9)", "TIMESTAMP_LTZ"));
        assertEquals(false, Schematizer.fits("TIMESTAMP_LTZ(3)", "TIMESTAMP_LTZ(6)"), "microseconds would be lost");
        assertEquals(true, Schematizer.fits("TIME(6)", "TIME(3)"));
        assertEquals(false, Schematizer.fits("TIMESTAMP_NTZ(9)", "TIMESTAMP_LTZ(3)"), "another kind of timestamp");
        assertEquals(false, Schematizer.fits("DATE", "TIMESTAMP_NTZ"));
    }
}
