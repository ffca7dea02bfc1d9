package io.ksbridge.benchmarks.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** A reusable JsonOutput as the engine keeps one: one generator over one growing buffer; each value ends as bytes. */
final class BenchOutput implements JsonOutput {
    private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
    private final JsonGenerator generator;
    int schemaId;

    BenchOutput() {
        try {
            generator = FACTORY.createGenerator(buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void reset() {
        buf.reset();
    }

    byte[] finish() throws IOException {
        generator.flush();
        return buf.toByteArray();
    }

    @Override
    public JsonGenerator generator() {
        return generator;
    }

    @Override
    public void writeRaw(byte[] json, int offset, int length) {
        buf.write(json, offset, length);
    }

    @Override
    public void schemaId(int id) {
        schemaId = id;
    }

    static final FormatContext CONTEXT = new FormatContext() {
        private final Headers headers = new RecordHeaders();

        @Override
        public String topic() {
            return "events";
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return 0;
        }

        @Override
        public boolean isKey() {
            return false;
        }

        @Override
        public Headers headers() {
            return headers;
        }
    };
}
