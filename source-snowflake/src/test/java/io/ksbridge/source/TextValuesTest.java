package io.ksbridge.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.snowflake.SqlResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Golden values: the SQL API's text of each type and the JSON the records carry. */
class TextValuesTest {
    private static String decode(String type, int scale, String text) {
        return TextValues.decode(new SqlResult.Column("C", type, 38, scale), text).toString();
    }

    @ParameterizedTest(name = "{0}({1}) {2}")
    @CsvSource(delimiter = '|', value = {
            "fixed|0|123456789012345678901234567890|123456789012345678901234567890",
            "fixed|0|-42|-42",
            "fixed|2|12345678.90|\"12345678.90\"",
            "fixed|2|-0.05|\"-0.05\"",
            "real|0|1.5|1.5",
            "real|0|NaN|\"NaN\"",
            "real|0|inf|\"Infinity\"",
            "real|0|-inf|\"-Infinity\"",
            "text|0|héllo \"q\"|\"héllo \\\"q\\\"\"",
            "boolean|0|true|true",
            "boolean|0|0|false",
            "date|0|-25567|\"1900-01-01\"",
            "date|0|20735|\"2026-10-09\"",
            "time|9|45296.123456789|\"12:34:56.123456789\"",
            "timestamp_ntz|9|1791533226.000000005|\"2026-10-09T08:07:06.000000005\"",
            "timestamp_ntz|9|-1.500000000|\"1969-12-31T23:59:58.500\"",
            "timestamp_ltz|9|1791549296.123456789|\"2026-10-09T12:34:56.123456789Z\"",
            "timestamp_tz|9|1767200400.000000000 1860|\"2026-01-01T00:00+07:00\"",
            "timestamp_tz|9|1767225600.000000000 1140|\"2025-12-31T19:00-05:00\"",
            "binary|0|CAFE|\"yv4=\"",
            "variant|0|{\"a\": [1, undefined, \"undefined\"]}|{\"a\":[1,null,\"undefined\"]}",
            "array|0|[undefined]|[null]",
            "object|0|{}|{}"})
    void decode_eachType(String type, int scale, String text, String json) {
        assertEquals(json, decode(type, scale, text));
    }

    @Test
    void decode_nullIsJsonNull_andBadTextNamesTheColumn() {
        assertEquals("null", decode("fixed", 0, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decode("date", 0, "09/10/2026"));
        assertEquals("column C of type date: cannot read the value Snowflake sent (For input string: \"09/10/2026\")", e.getMessage());
    }
}
