package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VariantJsonTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] nested(int levels) {
        return utf8("[".repeat(levels) + "]".repeat(levels));
    }

    @Test
    void read_documentAtMaxDepth_readsAndOneDeeperFails() {
        assertDoesNotThrow(() -> VariantJson.read(nested(VariantJson.MAX_DEPTH), true));
        IOException e = assertThrows(IOException.class, () -> VariantJson.read(nested(VariantJson.MAX_DEPTH + 1), true));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void read_numbersAtTheDigitLimit_readAndOneDigitMoreFails() {
        assertDoesNotThrow(() -> VariantJson.read(utf8("[-" + "9".repeat(1000) + "]"), true));
        assertDoesNotThrow(() -> VariantJson.read(utf8("[1." + "5".repeat(997) + "e+10]"), true));
        assertThrows(IOException.class, () -> VariantJson.read(utf8("[" + "9".repeat(1001) + "]"), true));
        assertThrows(IOException.class, () -> VariantJson.read(utf8("[1." + "0".repeat(999) + "e1]"), true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "[1,{\"a\":[\"\\ude00\\ud83d\"]}]"})
    void read_loneSurrogate_refusedAsInvalidUtf8(String json) {
        IOException e = assertThrows(IOException.class, () -> VariantJson.read(utf8(json), true));
        assertTrue(e.getMessage().startsWith("Invalid UTF8"), e.getMessage());
    }

    @Test
    void read_loneSurrogateInAKey_refused() {
        assertThrows(IOException.class, () -> VariantJson.read(utf8("{\"\\udbff\":1}"), true));
        assertThrows(IOException.class, () -> VariantJson.read(utf8("{\"\\udc00\":1}"), true));
    }

    @Test
    void read_surrogatePair_readsAsTheCharacter() throws Exception {
        assertEquals("\uD83D\uDE00", VariantJson.read(utf8("{\"s\":\"\\uD83D\\uDE00\"}"), true).get("s").textValue());
    }

    @Test
    void read_repeatedKey_lastWinsOnlyWhenAllowed() throws Exception {
        assertEquals(2, VariantJson.read(utf8("{\"a\":1,\"a\":2}"), true).get("a").asInt());
        IOException e = assertThrows(IOException.class, () -> VariantJson.read(utf8("{\"a\":1,\"a\":2}"), false));
        assertTrue(e.getMessage().contains("Duplicate field 'a'"), e.getMessage());
    }

    @Test
    void hasLoneSurrogate_string_onlyUnpairedHalves() {
        assertFalse(VariantJson.hasLoneSurrogate("a\uD83D\uDE00b"));
        assertTrue(VariantJson.hasLoneSurrogate("a\uD83D"));
        assertTrue(VariantJson.hasLoneSurrogate("\uDE00a"));
        assertTrue(VariantJson.hasLoneSurrogate("\uD83Dx\uDE00"));
    }
}
