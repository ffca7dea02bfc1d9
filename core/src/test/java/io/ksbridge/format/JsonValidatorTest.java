package io.ksbridge.format;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonValidatorTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0", "-0", "1", "-12.5e+3", "1E9", "0.0001", "true", "false", "null", "\"\"", "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\uD83D\\uDE00\"", "[]", "{}", " [ 1 , 2 ] ", "{\"a\":{\"b\":[true,false,null,{}]}}", "\n{\"k\" : \"v\"}\r\n",
        "\"h\u00e9llo \u6771\u4eac \uD83D\uDE00\"", "[[[[[[[[[[]]]]]]]]]]", "{\"\":0}", "1.5e-300"
    })
    void validate_wellFormedJson_passes(String json) {
        assertDoesNotThrow(() -> JsonValidator.validate(utf8(json)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|empty input: expected one JSON value",
        "'   '|empty input: expected one JSON value",
        "{|unexpected end of input",
        "[1,|unexpected end of input",
        "[1 2]|expected ',' or ']' in an array",
        "{\"a\" 1}|expected ':' after an object key",
        "{\"a\":1,}|expected a string key in an object",
        "{a:1}|expected a string key in an object",
        "[1,]|unexpected character",
        "01|invalid number: leading zeros are not allowed",
        "1.|invalid number: a digit must follow the decimal point",
        ".5|unexpected character",
        "1e|invalid number: the exponent has no digits",
        "-|unexpected end of input in a number",
        "1a|invalid number",
        "tru|unexpected end of input",
        "trux|unrecognized token",
        "nulll|unrecognized token",
        "NaN|unexpected character",
        "'\"abc'|unexpected end of input in a string",
        "'\"a\\x\"'|invalid escape in a string",
        "'\"\\u12G4\"'|invalid \\u escape in a string",
        "1 2|more than one JSON value: unexpected character after the value",
        "{} []|more than one JSON value: unexpected character after the value",
        "'[\"a\"]]'|more than one JSON value: unexpected character after the value",
        "'{\"a\":1]'|expected ',' or '}' in an object",
    })
    void validate_malformedJson_failsWithReason(String json, String reason) {
        JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(utf8(json)));
        assertEquals(reason, e.getMessage());
    }

    @Test
    void validate_lineBreaks_reportedOnlyWhenRaw() throws Exception {
        assertEquals(false, JsonValidator.validate(utf8("{\"a\":1}")));
        assertEquals(false, JsonValidator.validate(utf8("\"escaped \\n and \\r are not raw\"")));
        assertEquals(true, JsonValidator.validate(utf8("{\"a\":\n1}")));
        assertEquals(true, JsonValidator.validate(utf8("{\"a\"\r\n:1}")));
        assertEquals(true, JsonValidator.validate(utf8("[1,\n2]")));
        assertEquals(true, JsonValidator.validate(utf8("\n7")));
        assertEquals(true, JsonValidator.validate(utf8("7\r")));
    }

    @Test
    void validate_rawControlCharacterInString_fails() {
        JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class,
                () -> JsonValidator.validate(new byte[] {'"', 'a', 0x01, '"'}));
        assertEquals("unescaped control character in a string", e.getMessage());
        assertEquals(2, e.position);
    }

    @Test
    void validate_badUtf8_fails() {
        byte[][] bad = {
            {'"', (byte) 0xC0, (byte) 0x80, '"'},                         // overlong NUL
            {'"', (byte) 0xE0, (byte) 0x80, (byte) 0x80, '"'},            // overlong
            {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},            // UTF-16 surrogate
            {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // above U+10FFFF
            {'"', (byte) 0x80, '"'},                                      // lone continuation byte
            {'"', (byte) 0xE2, (byte) 0x82, '"'},                         // truncated
            {'"', (byte) 0xFF, '"'},
        };
        for (byte[] b : bad) {
            JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(b));
            assertEquals(true, e.getMessage().startsWith("invalid UTF-8"), e.getMessage());
        }
    }

    @Test
    void validate_nestingAtTheLimit_passesAndOneDeeperFails() {
        assertEquals(999, JsonValidator.MAX_DEPTH, "Snowflake's 1000 levels less the Snowpipe line's wrapper");
        String ok = "[".repeat(JsonValidator.MAX_DEPTH) + "]".repeat(JsonValidator.MAX_DEPTH);
        assertDoesNotThrow(() -> JsonValidator.validate(utf8(ok)));
        String deep = "[".repeat(JsonValidator.MAX_DEPTH + 1) + "]".repeat(JsonValidator.MAX_DEPTH + 1);
        JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(utf8(deep)));
        assertEquals("nesting deeper than 999 levels", e.getMessage());
        assertEquals(JsonValidator.MAX_DEPTH, e.position, "the bracket that opens level 1000");
    }

    @Test
    void validate_objectsNestedAtTheLimit_passesAndOneDeeperFails() {
        String ok = "{\"a\":".repeat(JsonValidator.MAX_DEPTH - 1) + "{}" + "}".repeat(JsonValidator.MAX_DEPTH - 1);
        assertDoesNotThrow(() -> JsonValidator.validate(utf8(ok)));
        String deep = "{\"a\":" + ok + "}";
        assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(utf8(deep)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 15, 16, 17, 998})
    void validate_smallerLimit_holdsExactly(int limit) {
        String ok = "[".repeat(limit) + "]".repeat(limit);
        assertDoesNotThrow(() -> JsonValidator.validate(utf8(ok), limit));
        String deep = "[".repeat(limit + 1) + "]".repeat(limit + 1);
        JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(utf8(deep), limit));
        assertEquals("nesting deeper than " + limit + " levels", e.getMessage());
    }

    @Test
    void validate_numberAtTheDigitLimit_passesAndOneDigitMoreFails() {
        assertDoesNotThrow(() -> JsonValidator.validate(utf8("-" + "9".repeat(1000))));
        assertDoesNotThrow(() -> JsonValidator.validate(utf8("[1." + "5".repeat(997) + "e+10]")));
        JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class,
                () -> JsonValidator.validate(utf8("{\"n\":" + "9".repeat(1001) + "}")));
        assertEquals("number with more than 1000 digits", e.getMessage());
        assertEquals(5, e.position);
        assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(utf8("1." + "0".repeat(999) + "e1")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\uD83D\\uDE00\"", "\"\\udbff\\udfff\"", "\"x\\uD800\\uDC00y\"", "{\"\\uD83D\\uDE80\":1}",
        "\"\\uD7FF\\uE000\"", "\"\\u00e9\\ud83d\\ude00\\u0041\""})
    void validate_surrogatePairEscapes_pass(String json) {
        assertDoesNotThrow(() -> JsonValidator.validate(utf8(json)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'\"\\ud800\"'|lone high surrogate \\u escape in a string",
        "'\"\\uDBFF\"'|lone high surrogate \\u escape in a string",
        "'\"\\udc00\"'|lone low surrogate \\u escape in a string",
        "'\"\\uDFFF\"'|lone low surrogate \\u escape in a string",
        "'\"\\ud800x\"'|lone high surrogate \\u escape in a string",
        "'\"\\ud800\\n\"'|lone high surrogate \\u escape in a string",
        "'\"\\ud800\\u0041\"'|lone high surrogate \\u escape in a string",
        "'\"\\ud800\\ud800\"'|lone high surrogate \\u escape in a string",
        "'\"\\ude00\\ud83d\"'|lone low surrogate \\u escape in a string",
        "'\"\\ud800\\u12G4\"'|invalid \\u escape in a string",
        "'{\"\\ud800\":1}'|lone high surrogate \\u escape in a string",
        "'\"\\ud800\\udc0'|unexpected end of input in a string",
    })
    void validate_loneSurrogateEscape_failsWithReason(String json, String reason) {
        JsonValidator.Invalid e = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(utf8(json)));
        assertEquals(reason, e.getMessage());
    }

    /** Differential check against Jackson's strict parser on random JSON and random mutations of it (ASCII). */
    @Test
    void validate_randomMutations_agreesWithJackson() throws Exception {
        JsonFactory jackson = new JsonFactory();
        Random r = new Random(20261123);
        String alphabet = "{}[]:,\"\\ \n0123456789-+.eEtrufalsn x/u";
        int valid = 0;
        int invalid = 0;
        for (int round = 0; round < 60_000; round++) {
            StringBuilder b = new StringBuilder();
            randomValue(r, b, 0);
            int mutations = r.nextInt(3);
            for (int m = 0; m < mutations && b.length() > 0; m++) {
                int at = r.nextInt(b.length());
                switch (r.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    default -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            byte[] bytes = utf8(b.toString());
            boolean jacksonOk = jacksonAccepts(jackson, bytes);
            boolean oursOk;
            try {
                JsonValidator.validate(bytes);
                oursOk = true;
            } catch (JsonValidator.Invalid e) {
                oursOk = false;
            }
            assertEquals(jacksonOk, oursOk, "disagreement on: " + b);
            if (oursOk) {
                valid++;
            } else {
                invalid++;
            }
        }
        // both outcomes must be well represented, or the comparison says little
        assertEquals(true, valid > 10_000 && invalid > 10_000, "valid " + valid + ", invalid " + invalid);
    }

    private static boolean jacksonAccepts(JsonFactory f, byte[] bytes) {
        try (JsonParser p = f.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            if (t.isStructStart()) {
                p.skipChildren();
            }
            return p.nextToken() == null;
        } catch (Exception e) {
            return false;
        }
    }

    private static void randomValue(Random r, StringBuilder b, int depth) {
        int kind = depth > 4 ? 2 + r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0 -> {
                b.append('{');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    b.append("\"k").append(i).append("\":");
                    randomValue(r, b, depth + 1);
                }
                b.append('}');
            }
            case 1 -> {
                b.append('[');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        b.append(r.nextBoolean() ? "," : " , ");
                    }
                    randomValue(r, b, depth + 1);
                }
                b.append(']');
            }
            case 2 -> b.append('"').append(r.nextBoolean() ? "ab\\n\\u00e9" : "x y").append('"');
            case 3 -> b.append(r.nextBoolean() ? "-" : "").append(r.nextInt(1000)).append(r.nextBoolean() ? ".25" : "")
                    .append(r.nextBoolean() ? "e-7" : "");
            case 4 -> b.append("true");
            case 5 -> b.append("false");
            default -> b.append("null");
        }
    }

    /** The eight-byte fast path finds exactly the first byte that is not plain, for any mix of bytes. */
    @Test
    void firstNeedingAttention_agreesWithTheByteTable() {
        int[] interesting = {0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0x81, 0xA0,
            0xC3, 0xE2, 0xF0, 0xFE, 0xFF};
        Random random = new Random(19);
        int flagged = 0;
        for (int round = 0; round < 2_000_000; round++) {
            long word = 0;
            int expected = 8;
            for (int k = 0; k < 8; k++) {
                // mostly plain bytes, so that words with a single special byte in any position are common
                int c = random.nextInt(4) == 0 ? interesting[random.nextInt(interesting.length)]
                        : 0x20 + random.nextInt(0x60);
                if (expected == 8 && !(c >= 0x20 && c < 0x80 && c != '"' && c != '\\')) {
                    expected = k;
                }
                word |= (long) c << (8 * k); // little-endian: byte k of the array is bits 8k to 8k+7
            }
            long w = word;
            assertEquals(expected, JsonValidator.firstNeedingAttention(w), () -> Long.toHexString(w));
            flagged += expected < 8 ? 1 : 0;
        }
        assertEquals(true, flagged > 100_000 && flagged < 1_900_000, "both answers exercised: " + flagged);
    }

    /** A byte that needs attention is found at every position of a long string, wherever the eight-byte steps fall. */
    @Test
    void longStrings_everyPositionOfAnEscapeQuoteOrBadByte_isSeen() throws Exception {
        for (int at = 0; at < 40; at++) {
            String before = "x".repeat(at);
            String after = "y".repeat(40 - at);
            assertEquals(false, JsonValidator.validate(utf8("[\"" + before + "\\n" + after + "\"]")));
            assertDoesNotThrow(() -> JsonValidator.validate(utf8("\"" + before + "\u00e9\u6771" + after + "\"")));
            int quoteAt = at;
            // a quote closes the string early: what follows is not JSON
            JsonValidator.Invalid early = assertThrows(JsonValidator.Invalid.class,
                    () -> JsonValidator.validate(utf8("\"" + before + "\"" + after + "\"")));
            assertEquals(quoteAt + 2, early.position, "position of the text after the early quote");
            byte[] control = utf8("\"" + before + "\t" + after + "\"");
            JsonValidator.Invalid c = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(control));
            assertEquals(at + 1, c.position);
            assertEquals("unescaped control character in a string", c.getMessage());
            byte[] badUtf8 = utf8("\"" + before + "?" + after + "\"");
            badUtf8[at + 1] = (byte) 0xC0; // an overlong lead byte
            JsonValidator.Invalid u = assertThrows(JsonValidator.Invalid.class, () -> JsonValidator.validate(badUtf8));
            assertEquals(at + 1, u.position);
            assertEquals("invalid UTF-8", u.getMessage());
        }
    }
}
