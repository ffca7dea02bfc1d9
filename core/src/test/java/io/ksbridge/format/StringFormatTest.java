package io.ksbridge.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.RecordFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StringFormatTest {

    private static String write(byte[] data) throws Exception {
        CapturingOutput out = new CapturingOutput();
        RecordFormat.string().write(data, CapturingOutput.CONTEXT, out);
        assertEquals(0, out.rawCalls);
        return new String(out.generatedBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "plain          | \"plain\"",
            "''             | \"\"",
            "{\"a\":1}      | \"{\\\"a\\\":1}\"",
            "back\\slash    | \"back\\\\slash\"",
            "ключ 日本 é    | \"ключ 日本 é\"",
    })
    void write_text_jsonString(String text, String expected) throws Exception {
        assertEquals(expected, write(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void write_controlCharacters_escaped() throws Exception {
        assertEquals("\"a\\nb\\tc\\u0001\"", write("a\nb\tc\u0001".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void write_emoji_sameStringWhenParsed() throws Exception {
        // The generator (the engine's, here a plain Jackson one) may escape the surrogate pair: both are valid JSON.
        String json = write("x\uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
        assertEquals("x\uD83D\uDE00", new ObjectMapper().readValue(json, String.class));
    }

    @Test
    void write_invalidUtf8_replacementCharacter() throws Exception {
        assertEquals("\"a\uFFFD(\"", write(new byte[] {'a', (byte) 0xC3, '('}));
    }

    @Test
    void nameAndToString_string() {
        assertEquals("string", RecordFormat.string().name());
        assertEquals("RecordFormat.string()", RecordFormat.string().toString());
        assertSame(StringFormat.INSTANCE, RecordFormat.string());
    }
}
