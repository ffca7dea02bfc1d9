package io.ksbridge.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** A {@link JsonOutput} for format tests: remembers what was handed to {@code writeRaw} and what was generated. */
final class CapturingOutput implements JsonOutput {
    /** A value-side context of topic t, partition 0, offset 7. */
    static final FormatContext CONTEXT = context(false);

    /** The key side of {@link #CONTEXT}. */
    static final FormatContext KEY_CONTEXT = context(true);

    private static FormatContext context(boolean isKey) {
        return new FormatContext() {
            @Override
            public String topic() {
                return "t";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 7;
            }

            @Override
            public boolean isKey() {
                return isKey;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }
        };
    }

    byte[] rawArray;
    int rawOffset = -1;
    int rawLength = -1;
    int rawCalls;
    Integer schemaId;
    TypedColumns columns;
    private final ByteArrayOutputStream generated = new ByteArrayOutputStream();
    private JsonGenerator generator;

    @Override
    public JsonGenerator generator() throws IOException {
        if (generator == null) {
            generator = new JsonFactory().createGenerator(generated);
        }
        return generator;
    }

    @Override
    public void writeRaw(byte[] json, int offset, int length) {
        rawCalls++;
        rawArray = json;
        rawOffset = offset;
        rawLength = length;
    }

    @Override
    public void schemaId(int id) {
        schemaId = id;
    }

    @Override
    public void columns(TypedColumns declared) {
        columns = declared;
    }

    /** The raw bytes handed over, as text. */
    String raw() {
        return new String(rawArray, rawOffset, rawLength, StandardCharsets.UTF_8);
    }

    /** What went through the generator, as bytes; empty when the generator was never asked for. */
    byte[] generatedBytes() throws IOException {
        if (generator != null) {
            generator.flush();
        }
        return generated.toByteArray();
    }
}
