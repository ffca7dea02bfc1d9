package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.snowflake.shaded.jackson.databind.util.RawValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** How a typed value travels in the SDK's row map to the default pipe, and which values a column refuses. */
class HpValuesTest {
    /** A raw JSON value as its text, marked, so a raw number and a string of the same digits differ. */
    private static Object shown(Object v) {
        return v instanceof RawValue r ? "raw:" + r.rawValue() : v;
    }

    private static Object render(String column, String wanted, Object value) {
        return shown(HpValues.render(column, wanted, value));
    }

    private static String refused(String column, String wanted, Object value) {
        return assertThrows(IllegalArgumentException.class, () -> HpValues.render(column, wanted, value)).getMessage();
    }

    @Test
    void numbers_plainDigitsAtTheColumnsScale_outOfRangeRefused() {
        assertEquals("raw:-999999.99", render("NUMBER(10,2)", "NUMBER(10,2)", new BigDecimal("-999999.99")));
        assertEquals("raw:0.0000001000", render("NUMBER(38,10)", "NUMBER(38,10)", new BigDecimal("1E-7")),
                "never scientific notation");
        assertEquals("raw:42", render("NUMBER(38,0)", "NUMBER", 42L));
        assertEquals("raw:12.35", render("NUMBER(10,2)", "VARCHAR", "12.345"), "rounded half up, as Snowflake does");
        assertTrue(refused("NUMBER(4,2)", "NUMBER(10,2)", new BigDecimal("123.45")).contains("out of range for NUMBER(4,2)"));
        assertTrue(refused("NUMBER(38,0)", "VARCHAR", "abc").contains("not a number: abc"));
        refused("NUMBER(38,0)", "BOOLEAN", true);
    }

    @Test
    void timeTypes_isoTextWithSecondsAndOffsets() {
        assertEquals("2024-02-29", render("DATE", "DATE", LocalDate.of(2024, 2, 29)));
        assertEquals("2024-02-29T12:00:00.123Z", render("TIMESTAMP_LTZ(3)", "TIMESTAMP_LTZ(3)",
                Instant.parse("2024-02-29T12:00:00.123Z")));
        assertEquals("2024-02-29T12:00:00Z", render("TIMESTAMP_LTZ(3)", "TIMESTAMP_LTZ(3)",
                Instant.parse("2024-02-29T12:00:00Z")), "seconds always written");
        assertEquals("2024-02-29T12:00:00", render("TIMESTAMP_NTZ(6)", "TIMESTAMP_NTZ(6)",
                LocalDateTime.parse("2024-02-29T12:00")));
        assertEquals("2024-02-29T12:00:00+02:00", render("TIMESTAMP_TZ(9)", "TIMESTAMP_TZ(9)",
                OffsetDateTime.parse("2024-02-29T12:00+02:00")));
        assertEquals("12:30:00", render("TIME(3)", "TIME(3)", LocalTime.of(12, 30)));
        assertEquals("2024-02-29", render("DATE", "VARCHAR", "2024-02-29"), "an inferred text that is a date");
        refused("DATE", "VARCHAR", "yesterday");
        refused("TIMESTAMP_LTZ(3)", "VARCHAR", "2024-02-29T12:00:00"); // no offset
    }

    @Test
    void otherTypes_bytesHex_jsonRaw_textAndBooleans() {
        assertEquals("00FF", render("BINARY", "BINARY", new byte[] {0, -1}));
        assertEquals("raw:{\"a\":1.10}", render("VARIANT", "VARIANT", "{\"a\":1.10}"));
        assertEquals("abc", render("VARIANT", "VARCHAR", "abc"), "a text in a VARIANT stays a string");
        assertEquals("raw:[1]", render("ARRAY", "ARRAY", "[1]"));
        refused("OBJECT", "ARRAY", "[1]");
        assertTrue(refused("VARCHAR", "VARIANT", "{\"a\":1}").contains("not text"));
        assertEquals("1.5", render("VARCHAR", "VARIANT", "1.5"), "an inferred float into text is its digits");
        assertEquals(7L, render("VARIANT", "NUMBER", 7L), "a number in a VARIANT stays a number");
        assertEquals(Boolean.TRUE, render("BOOLEAN", "VARCHAR", "yes"));
        assertTrue(refused("BOOLEAN", "VARCHAR", "maybe").contains("not a boolean"));
        assertEquals("NaN", render("FLOAT", "FLOAT", Double.NaN));
        assertEquals(1.5, render("FLOAT", "FLOAT", 1.5));
    }
}
