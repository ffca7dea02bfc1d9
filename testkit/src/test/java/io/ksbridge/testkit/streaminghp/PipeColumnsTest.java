package io.ksbridge.testkit.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.SnowflakeText;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** How the emulator's default pipe loads one NDJSON value into a typed column, and what it refuses. */
class PipeColumnsTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private static JsonNode load(String type, String json) throws Exception {
        return PipeColumns.load(new ColumnDef("C", type, true), JSON.readTree(json));
    }

    private static String refused(String type, String json) {
        return assertThrows(IllegalArgumentException.class, () -> load(type, json)).getMessage();
    }

    @Test
    void number_atTheColumnsScale_roundedHalfUp_outOfRangeRefused() throws Exception {
        assertEquals(new BigDecimal("-999999.99"), load("NUMBER(10,2)", "-999999.99").decimalValue());
        assertEquals(new BigDecimal("12.30"), load("NUMBER(10,2)", "12.3").decimalValue());
        assertEquals(new BigDecimal("12.35"), load("NUMBER(10,2)", "\"12.345\"").decimalValue());
        assertEquals(new BigDecimal("0.0000001000"), load("NUMBER(38,10)", "1E-7").decimalValue());
        assertEquals(42, load("NUMBER(10,0)", "42").asInt());
        assertTrue(load("NUMBER(10,0)", "42").isIntegralNumber());
        assertTrue(refused("NUMBER(10,2)", "123456789.1").contains("out of range"));
        assertTrue(refused("NUMBER(10,2)", "\"abc\"").contains("column C (NUMBER(10,2)) cannot hold \"abc\""));
        assertTrue(refused("NUMBER(38,0)", "true").contains("cannot hold true"));
    }

    @Test
    void datesAndTimestamps_isoTextOnly_storedAsTheSqlApiWritesThem() throws Exception {
        assertEquals(SnowflakeText.encode("DATE", LocalDate.of(2024, 2, 29)), load("DATE", "\"2024-02-29\"").asText());
        Instant at = Instant.parse("2024-02-29T12:00:00.123Z");
        assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", at),
                load("TIMESTAMP_LTZ(3)", "\"2024-02-29T12:00:00.123456Z\"").asText(), "cut to the column's scale");
        assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", at), load("TIMESTAMP_LTZ(3)", "\"2024-02-29T13:00:00.123+01:00\"")
                .asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_NTZ", LocalDateTime.parse("2024-02-29T12:00:00")),
                load("TIMESTAMP_NTZ(9)", "\"2024-02-29T12:00:00\"").asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_TZ", OffsetDateTime.parse("2024-02-29T12:00:00+02:00")),
                load("TIMESTAMP_TZ", "\"2024-02-29T12:00:00+02:00\"").asText());
        refused("DATE", "19782"); // an epoch day count is not how a client sends a date
        refused("DATE", "\"02/29/2024\"");
        refused("TIMESTAMP_LTZ(3)", "\"2024-02-29T12:00:00\""); // no offset: Snowflake would read the session's zone
        refused("TIMESTAMP_LTZ(3)", "1709208000123");
    }

    @Test
    void otherTypes_convertedOrRefused() throws Exception {
        assertEquals("00FF", load("BINARY", "\"00ff\"").asText());
        refused("BINARY", "\"0G\"");
        assertEquals("5", load("VARCHAR", "5").asText());
        assertTrue(load("VARCHAR", "5").isTextual());
        assertTrue(refused("VARCHAR", "{\"a\":1}").contains("a JSON object is not text"));
        assertTrue(load("BOOLEAN", "\"yes\"").booleanValue());
        refused("BOOLEAN", "\"maybe\"");
        assertTrue(load("OBJECT", "{\"a\":1}").isObject());
        refused("OBJECT", "[1]");
        refused("ARRAY", "{}");
        assertEquals(1.5, load("FLOAT", "1.5").doubleValue());
        assertTrue(Double.isNaN(load("FLOAT", "\"NaN\"").doubleValue()));
        assertEquals(JSON.readTree("{\"a\":[1.10]}"), load("VARIANT", "{\"a\":[1.10]}"), "a VARIANT keeps the JSON");
        assertNull(load("NUMBER(10,2)", "null"));
    }
}
