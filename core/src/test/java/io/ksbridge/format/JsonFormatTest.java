package io.ksbridge.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.RecordFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonFormatTest {

    private static final RecordFormat JSON = RecordFormat.json();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static CapturingOutput write(byte[] data) throws Exception {
        CapturingOutput out = new CapturingOutput();
        JSON.write(data, CapturingOutput.CONTEXT, out);
        return out;
    }

    private static String failure(byte[] data) {
        return assertThrows(IOException.class, () -> write(data)).getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}", "[]", "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", "\"text\"", "0", "-12.5e+3", "true",
            "false", "null", "  {\"padded\" : [ 1 , 2 ] }\t", "{\"k\":\"ключ \uD83D\uDE00 \\u00e9 \\\"q\\\"\"}",
            "[[[[[[[[[[1]]]]]]]]]]"})
    void write_validValueWithoutLineBreaks_sameArrayHandedOver(String json) throws Exception {
        byte[] data = utf8(json);
        byte[] before = data.clone();
        CapturingOutput out = write(data);
        assertEquals(1, out.rawCalls);
        assertSame(data, out.rawArray);
        assertEquals(0, out.rawOffset);
        assertEquals(data.length, out.rawLength);
        assertArrayEquals(before, data);
        assertEquals(0, out.generatedBytes().length);
        assertEquals(null, out.schemaId);
    }

    @Test
    void write_lineBreaksBetweenTokens_copiedWithSpaces() throws Exception {
        byte[] data = utf8("{\n  \"a\": 1,\r\n  \"b\": \"x\\ny\"\n}\n");
        byte[] before = data.clone();
        CapturingOutput out = write(data);
        assertNotSame(data, out.rawArray);
        assertEquals("{   \"a\": 1,    \"b\": \"x\\ny\" } ", out.raw());
        assertArrayEquals(before, data, "the record's own bytes are not changed");
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "''                  | invalid JSON at line 1, column 1: empty input: expected one JSON value",
            "'   '               | invalid JSON at line 1, column 4: empty input: expected one JSON value",
            "{\"a\":}            | invalid JSON at line 1, column 6: unexpected character",
            "{} x                | invalid JSON at line 1, column 4: more than one JSON value: unexpected character after the value",
            "{}{}                | invalid JSON at line 1, column 3: more than one JSON value: unexpected character after the value",
            "1 2                 | invalid JSON at line 1, column 3: more than one JSON value: unexpected character after the value",
            "[1 2]               | invalid JSON at line 1, column 4: expected ',' or ']' in an array",
            "{\"a\" 1}           | invalid JSON at line 1, column 6: expected ':' after an object key",
            "{'a':1}             | invalid JSON at line 1, column 2: expected a string key in an object",
    })
    void write_invalidJson_ioExceptionWithPosition(String json, String message) {
        assertEquals(message, failure(utf8(json.replace(';', ','))));
    }

    @Test
    void write_errorOnThirdLine_lineAndColumnCounted() {
        assertEquals("invalid JSON at line 3, column 1: unexpected character", failure(utf8("[1,\n2,\n]")));
    }

    @Test
    void write_truncatedSecretPayload_messageCarriesNoPayloadBytes() {
        String message = failure(utf8("{\"password\":\"hunter2\""));
        assertEquals("invalid JSON at line 1, column 22: unexpected end of input", message);
        assertFalse(message.contains("hunter2"));
        String garbage = failure(utf8("{\"token\":\"abc\"} trailing-s3cret"));
        assertFalse(garbage.contains("s3cret"), garbage);
        assertFalse(garbage.contains("abc"), garbage);
    }

    @Test
    void write_invalidUtf8InString_ioException() {
        String message = failure(new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'});
        assertEquals("invalid JSON at line 1, column 2: invalid UTF-8", message);
    }

    private static final io.ksbridge.FormatContext KEY = CapturingOutput.KEY_CONTEXT;

    private static byte[] nested(int levels) {
        return utf8("[".repeat(levels) + "]".repeat(levels));
    }

    @Test
    void write_valueNested999Levels_passesAnd1000Fails() throws Exception {
        assertEquals(1, write(nested(999)).rawCalls);
        assertEquals("invalid JSON at line 1, column 1000: nesting deeper than 999 levels", failure(nested(1000)));
    }

    @Test
    void write_keyNested998Levels_passesAnd999Fails() throws Exception {
        CapturingOutput out = new CapturingOutput();
        JSON.write(nested(998), KEY, out);
        assertEquals(1, out.rawCalls);
        IOException e = assertThrows(IOException.class, () -> JSON.write(nested(999), KEY, new CapturingOutput()));
        assertEquals("invalid JSON at line 1, column 999: nesting deeper than 998 levels", e.getMessage());
    }

    @Test
    void write_loneSurrogateEscape_ioExceptionNamingIt() {
        assertEquals("invalid JSON at line 1, column 8: lone high surrogate \\u escape in a string",
                failure(utf8("{\"a\":\"x\\ud800\"}")));
        assertEquals("invalid JSON at line 1, column 2: lone low surrogate \\u escape in a string",
                failure(utf8("\"\\udc00\"")));
    }

    @Test
    void write_unicodeValue_bytesUnchanged() throws Exception {
        byte[] data = utf8("[\"日本語\",\"émoji \uD83D\uDE00\"]");
        assertArrayEquals(utf8("[\"日本語\",\"émoji \uD83D\uDE00\"]"), write(data).rawArray);
    }

    @Test
    void nameAndToString_json() {
        assertEquals("json", JSON.name());
        assertEquals("RecordFormat.json()", JSON.toString());
        assertSame(JsonFormat.INSTANCE, JSON);
    }
}
