package io.ksbridge.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.RecordFormat;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Declared columns: types in canonical form, synonyms, refusals naming the field, and JSON values read by type. */
class TypedColumnsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "number(10, 2)     | NUMBER(10,2)",
            "DECIMAL(12,4)     | NUMBER(12,4)",
            "numeric           | NUMBER",
            "int               | NUMBER(38,0)",
            "BIGINT            | NUMBER(38,0)",
            "double precision  | FLOAT",
            "real              | FLOAT",
            "string            | VARCHAR",
            "varchar(20)       | VARCHAR(20)",
            "text              | VARCHAR",
            "timestamp         | TIMESTAMP_NTZ",
            "datetime          | TIMESTAMP_NTZ",
            "timestamp_ltz(3)  | TIMESTAMP_LTZ(3)",
            "time(6)           | TIME(6)",
            "varbinary         | BINARY",
            "variant           | VARIANT",
            "object            | OBJECT",
            "array             | ARRAY",
            "boolean           | BOOLEAN",
            "date              | DATE"})
    void declared_typeOrSynonym_canonicalForm(String type, String canonical) {
        TypedColumns columns = TypedColumns.declared(Map.of("f", type));
        assertEquals(canonical, columns.column("f").type());
        assertTrue(columns.column("f").nullable());
        assertEquals(TypedColumns.Encoding.AS_IS, columns.column("f").encoding());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "MONEY            | column price: type MONEY is not a type a typed column can have",
            "NUMBER(39,0)     | column price: type NUMBER(39,0) is NUMBER needs 1 <= precision <= 38",
            "NUMBER(5,6)      | column price: type NUMBER(5,6) is NUMBER needs 1 <= precision <= 38 and 0 <= scale <= precision",
            "INT(5)           | column price: type INT(5) is INT takes no precision",
            "TIMESTAMP_LTZ(10)| column price: type TIMESTAMP_LTZ(10) is TIMESTAMP_LTZ takes one fractional-seconds precision",
            "DATE(3)          | column price: type DATE(3) is DATE takes no arguments",
            "NUMBER(a)        | column price: type NUMBER(a) is the arguments must be (n) or (p,s)",
            "VARCHAR(0)       | column price: type VARCHAR(0) is VARCHAR takes one length, at least 1"})
    void declared_typeSnowflakeHasNot_refusedNamingFieldAndType(String type, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedColumns.declared(Map.of("price", type)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void declared_keepsTheGivenOrder() {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("z", "INT");
        types.put("a", "DATE");
        types.put("m", "VARIANT");
        assertEquals(List.of("z", "a", "m"),
                TypedColumns.declared(types).columns().stream().map(TypedColumns.Column::field).toList());
    }

    @Test
    void value_jsonTextsAndNumbers_readAsTheirColumnsTypes() throws Exception {
        TypedColumns c = TypedColumns.declared(Map.of(
                "amount", "NUMBER(10,2)", "ratio", "DOUBLE", "day", "DATE", "at", "TIME(3)",
                "local", "TIMESTAMP", "ltz", "TIMESTAMP_LTZ(3)", "tz", "TIMESTAMP_TZ", "raw", "BINARY",
                "flag", "BOOLEAN", "doc", "OBJECT"));
        assertEquals(new BigDecimal("12.50"), c.column("amount").value(json("12.5")));
        assertEquals(new BigDecimal("7.00"), c.column("amount").value(json("\"7\"")), "a numeric text is a number");
        assertEquals(0.25, c.column("ratio").value(json("0.25")));
        assertEquals(LocalDate.of(2024, 2, 29), c.column("day").value(json("\"2024-02-29\"")));
        assertEquals(LocalTime.of(13, 5, 1, 120_000_000), c.column("at").value(json("\"13:05:01.12\"")));
        assertEquals(LocalDateTime.of(2024, 2, 29, 12, 0), c.column("local").value(json("\"2024-02-29 12:00:00\"")));
        assertEquals(Instant.parse("2024-02-29T10:00:00Z"), c.column("ltz").value(json("\"2024-02-29T12:00:00+02:00\"")));
        assertEquals(OffsetDateTime.parse("2024-02-29T12:00:00+02:00"),
                c.column("tz").value(json("\"2024-02-29 12:00:00+02:00\"")));
        assertArrayEquals(new byte[] {(byte) 0xCA, (byte) 0xFE}, (byte[]) c.column("raw").value(json("\"CAFE\"")));
        assertEquals(true, c.column("flag").value(json("true")));
        assertEquals("{\"k\":[1,2]}", c.column("doc").value(json("{\"k\":[1,2]}")));
        assertNull(c.column("amount").value(json("null")));
    }

    @Test
    void value_jsonThatCannotBeTheColumn_refusedNamingFieldTypeAndValue() throws Exception {
        TypedColumns c = TypedColumns.declared(Map.of("amount", "NUMBER(4,2)", "day", "DATE", "ltz", "TIMESTAMP_LTZ",
                "flag", "BOOLEAN"));
        assertEquals("field amount (NUMBER(4,2), AS_IS) cannot hold 123.4: more than 2 digits before the decimal point",
                assertThrows(IllegalArgumentException.class, () -> c.column("amount").value(json("123.4"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.column("amount").value(json("1.234")))
                .getMessage().startsWith("field amount (NUMBER(4,2), AS_IS) cannot hold 1.234"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.column("day").value(json("\"29/02/2024\"")))
                .getMessage().startsWith("field day (DATE, AS_IS) cannot hold \"29/02/2024\""));
        assertEquals("field ltz (TIMESTAMP_LTZ, AS_IS) cannot hold 1709200000000: not a text timestamp (declare an"
                        + " epoch encoding for numbers)",
                assertThrows(IllegalArgumentException.class, () -> c.column("ltz").value(json("1709200000000"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.column("ltz").value(json("\"2024-02-29T12:00\"")))
                .getMessage().startsWith("field ltz (TIMESTAMP_LTZ, AS_IS) cannot hold"), "LTZ text needs an offset");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.column("flag").value(json("\"yes\"")))
                .getMessage().endsWith("not a boolean"));
    }

    @Test
    void jsonWithColumns_valueDeclaresThemKeyDoesNot_bytesUnchanged() throws Exception {
        TypedColumns columns = TypedColumns.declared(Map.of("amount", "NUMBER(10,2)"));
        RecordFormat format = RecordFormat.json(columns);
        byte[] data = "{\"amount\":1.5}".getBytes(StandardCharsets.UTF_8);
        CapturingOutput value = new CapturingOutput();
        format.write(data, CapturingOutput.CONTEXT, value);
        assertSame(columns, value.columns);
        assertSame(data, value.rawArray);
        CapturingOutput key = new CapturingOutput();
        format.write(data, CapturingOutput.KEY_CONTEXT, key);
        assertNull(key.columns, "a key's JSON is not typed by the value's columns");
        CapturingOutput plain = new CapturingOutput();
        RecordFormat.json().write(data, CapturingOutput.CONTEXT, plain);
        assertNull(plain.columns);
        assertEquals("RecordFormat.json(TypedColumns[amount NUMBER(10,2)])", format.toString());
        assertEquals("json", format.name());
    }

    @Test
    void jsonWithColumns_invalidJson_refusedBeforeDeclaring() {
        CapturingOutput out = new CapturingOutput();
        assertThrows(java.io.IOException.class, () -> RecordFormat.json(TypedColumns.declared(Map.of("a", "INT")))
                .write("{\"a\":".getBytes(StandardCharsets.UTF_8), CapturingOutput.CONTEXT, out));
        assertNull(out.columns);
    }
}
