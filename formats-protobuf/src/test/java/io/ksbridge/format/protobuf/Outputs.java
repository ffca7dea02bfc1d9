package io.ksbridge.format.protobuf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** A JsonOutput and FormatContext for running a format outside a bridge. */
final class Outputs implements JsonOutput {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private JsonGenerator generator;
    Integer schemaId;

    static Outputs run(RecordFormat format, byte[] data) throws Exception {
        return run(format, data, false);
    }

    static Outputs run(RecordFormat format, byte[] data, boolean key) throws Exception {
        Outputs out = new Outputs();
        format.write(data, context(key), out);
        if (out.generator != null) {
            out.generator.flush();
        }
        return out;
    }

    String json() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static FormatContext context(boolean key) {
        return new FormatContext() {
            @Override
            public String topic() {
                return "orders";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 42;
            }

            @Override
            public boolean isKey() {
                return key;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }
        };
    }

    @Override
    public JsonGenerator generator() throws IOException {
        if (generator == null) {
            generator = FACTORY.createGenerator(bytes);
        }
        return generator;
    }

    @Override
    public void writeRaw(byte[] json, int offset, int length) {
        bytes.write(json, offset, length);
    }

    @Override
    public void schemaId(int id) {
        this.schemaId = id;
    }
}
