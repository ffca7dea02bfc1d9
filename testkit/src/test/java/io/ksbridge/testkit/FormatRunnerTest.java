package io.ksbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.RecordFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class FormatRunnerTest {

    /** Writes where the record came from, and reports schema id 7. */
    private static final RecordFormat COORDINATES = (data, ctx, out) -> {
        JsonGenerator g = out.generator();
        g.writeStartObject();
        g.writeStringField("topic", ctx.topic());
        g.writeNumberField("partition", ctx.partition());
        g.writeNumberField("offset", ctx.offset());
        g.writeBooleanField("key", ctx.isKey());
        g.writeNumberField("headers", ctx.headers().toArray().length);
        g.writeStringField("data", new String(data, StandardCharsets.UTF_8));
        g.writeEndObject();
        out.schemaId(7);
    };

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void value_jsonFormat_textAsWrittenNoSchemaId() throws Exception {
        FormatRunner.Result r = FormatRunner.value(RecordFormat.json(), utf8("{\"id\": 17, \"item\": \"pen\"}"));

        assertEquals("{\"id\": 17, \"item\": \"pen\"}", r.json());
        assertEquals(OptionalInt.empty(), r.schemaId());
    }

    @Test
    void key_stringFormat_jsonString() throws Exception {
        assertEquals("\"order-17\"", FormatRunner.key(RecordFormat.string(), utf8("order-17")).json());
    }

    @Test
    void value_defaults_formatSeesThemAndSchemaIdReported() throws Exception {
        FormatRunner.Result r = FormatRunner.value(COORDINATES, utf8("x"));

        assertEquals("{\"topic\":\"topic\",\"partition\":0,\"offset\":0,\"key\":false,\"headers\":0,\"data\":\"x\"}",
                r.json());
        assertEquals(OptionalInt.of(7), r.schemaId());
    }

    @Test
    void key_coordinatesAndHeadersSet_formatSeesThem() throws Exception {
        FormatRunner runner = FormatRunner.of(COORDINATES).topic("orders").partition(3).offset(42)
                .header("source", utf8("web")).header("trace", null);

        assertEquals("{\"topic\":\"orders\",\"partition\":3,\"offset\":42,\"key\":true,\"headers\":2,\"data\":\"k\"}",
                runner.key(utf8("k")).json());
    }

    @Test
    void runner_reused_eachResultHoldsOnlyItsValue() throws Exception {
        FormatRunner runner = FormatRunner.of(RecordFormat.string());

        FormatRunner.Result first = runner.value(utf8("a"));
        FormatRunner.Result second = runner.value(utf8("b"));

        assertEquals("\"a\"", first.json());
        assertEquals("\"b\"", second.json());
        assertEquals("\"b\"", new String(second.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void formatThrows_sameExceptionReachesCaller_runnerUsableAfter() throws Exception {
        IOException bad = new IOException("not CSV");
        boolean[] fail = {true};
        FormatRunner runner = FormatRunner.of((data, ctx, out) -> {
            out.generator().writeStartObject();
            if (fail[0]) {
                throw bad;
            }
            out.generator().writeEndObject();
        });

        assertSame(bad, assertThrows(IOException.class, () -> runner.value(utf8("x"))));
        fail[0] = false;
        assertEquals("{}", runner.value(utf8("x")).json());
    }

    @Test
    void formatWritesNothing_ioExceptionNamingIt() {
        RecordFormat silent = new RecordFormat() {
            @Override
            public void write(byte[] data, io.ksbridge.FormatContext context, io.ksbridge.JsonOutput out) {
            }

            @Override
            public String name() {
                return "silent";
            }
        };

        IOException e = assertThrows(IOException.class, () -> FormatRunner.value(silent, utf8("x")));

        assertEquals("format silent wrote no JSON value", e.getMessage());
    }

    @Test
    void formatMixesRawAndGenerator_illegalState() {
        IllegalStateException rawFirst = assertThrows(IllegalStateException.class,
                () -> FormatRunner.value((data, ctx, out) -> {
                    out.writeRaw(utf8("1"));
                    out.generator().writeNumber(2);
                }, utf8("x")));
        IllegalStateException generatorFirst = assertThrows(IllegalStateException.class,
                () -> FormatRunner.value((data, ctx, out) -> {
                    out.generator().writeNumber(2);
                    out.writeRaw(utf8("1"));
                }, utf8("x")));

        assertEquals("writeRaw was already used for this value; do not mix it with generator()",
                rawFirst.getMessage());
        assertEquals("generator() was already used for this value; do not mix it with writeRaw",
                generatorFirst.getMessage());
    }

    @Test
    void setters_badValues_rejected() {
        FormatRunner runner = FormatRunner.of(RecordFormat.json());

        assertEquals("partition must be >= 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> runner.partition(-1)).getMessage());
        assertEquals("offset must be >= 0, was -2",
                assertThrows(IllegalArgumentException.class, () -> runner.offset(-2)).getMessage());
        assertEquals("format must not be null",
                assertThrows(NullPointerException.class, () -> FormatRunner.of(null)).getMessage());
    }
}
