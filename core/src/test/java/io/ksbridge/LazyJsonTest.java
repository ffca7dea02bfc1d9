package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lazy JSON view: field spans, reads, edits that splice, and malformed input refused. */
class LazyJsonTest {

    @Test
    void get_fieldsOfEveryKind_viewsOnTheSameText() {
        LazyJson v = LazyJson.parse("{ \"s\" : \"a\\\"b\\u00e9\", \"n\":-1.5e3,\"t\":true,\"z\":null,\"o\":{\"x\":[1,\"]\"]},"
                + "\"a\":[{},[]] }");
        assertEquals(List.of("s", "n", "t", "z", "o", "a"), v.fieldNames());
        assertEquals("a\"bé", v.get("s").asText());
        assertEquals(LazyJson.Kind.NUMBER, v.get("n").kind());
        assertEquals("-1.5e3", v.get("n").asText());
        assertEquals(LazyJson.Kind.BOOLEAN, v.get("t").kind());
        assertTrue(v.get("z").isNull());
        assertEquals("{\"x\":[1,\"]\"]}", v.get("o").toString());
        assertEquals("[1,\"]\"]", v.at("o.x").toString());
        assertNull(v.at("o.x.y"));
        assertNull(v.get("missing"));
        assertEquals("[{},[]]", v.get("a").toString());
    }

    @Test
    void get_duplicateNames_lastWins() {
        assertEquals("2", LazyJson.parse("{\"a\":1,\"a\":2}").get("a").toString());
        assertEquals("{\"a\":3}", LazyJson.parse("{\"a\":1,\"a\":2}").with("a", LazyJson.ofNumber(3)).toString());
    }

    @Test
    void edits_untouchedFieldsCopiedAsTheyAre() {
        String big = "{\"keep\":{\"deep\":[1,2,{\"s\":\"\\ud83d\\ude00\"}]},\"x\":\"y\",\"emoji\":\"😀\"}";
        LazyJson v = LazyJson.parse(big);
        assertEquals("{\"keep\":{\"deep\":[1,2,{\"s\":\"\\ud83d\\ude00\"}]},\"emoji\":\"😀\"}",
                v.without(Set.of("x")).toString());
        assertEquals("{\"keep\":{\"deep\":[1,2,{\"s\":\"\\ud83d\\ude00\"}]},\"y\":\"y\",\"emoji\":\"😀\"}",
                v.renamed(Map.of("x", "y")).toString());
        assertEquals("{\"keep\":1,\"x\":\"y\",\"emoji\":\"😀\"}", v.with("keep", LazyJson.ofNumber(1)).toString());
        assertEquals(big, v.toString(), "the original is unchanged");
    }

    @Test
    void of_wholeArray_bytesIsThatArray() {
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertSame(json, LazyJson.of(json).bytes());
        assertSame(json, LazyJson.of(json).without(Set.of("b")).bytes());
    }

    @Test
    void parse_lineBreaksBecomeSpaces_invalidRefused() {
        assertEquals("{ \"a\": 1 }", LazyJson.parse("{\n\"a\":\r1\n}").toString());
        assertThrows(IllegalArgumentException.class, () -> LazyJson.parse("{\"a\":"));
        assertThrows(IllegalArgumentException.class, () -> LazyJson.parse("1 2"));
    }

    @Test
    void scan_truncatedText_refusedNotLooping() {
        LazyJson bad = LazyJson.of("{\"a\":\"unterminated".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> bad.get("a"));
        LazyJson bad2 = LazyJson.of("{\"a\":[1,2".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> bad2.get("a"));
    }

    @Test
    void scan_stringsOfEveryLengthWithEscapesAtEveryPosition_sameAsJackson() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        for (int len = 0; len < 26; len++) {
            for (int at = 0; at <= len; at++) {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < len; i++) {
                    text.append(i == at ? "\\\"" : i % 3 == 0 ? "é" : "x");
                }
                String json = "{\"s\":\"" + text + "\",\"after\":{\"t\":\"" + text + "\\\\\"},\"n\":" + len + "}";
                LazyJson v = LazyJson.parse(json);
                assertEquals(m.readTree(json).get("s").asText(), v.get("s").asText(), json);
                assertEquals(m.readTree(json).get("after").toString(), m.readTree(v.get("after").bytes()).toString(), json);
                assertEquals(String.valueOf(len), v.get("n").toString(), json);
            }
        }
    }

    @Test
    void with_onNonObject_refused() {
        assertEquals("cannot set field a on a JSON ARRAY",
                assertThrows(IllegalArgumentException.class, () -> LazyJson.parse("[1]").with("a", LazyJson.ofNull()))
                        .getMessage());
    }
}
