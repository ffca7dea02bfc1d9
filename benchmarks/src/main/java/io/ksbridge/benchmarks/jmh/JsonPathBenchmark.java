package io.ksbridge.benchmarks.jmh;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import io.ksbridge.benchmarks.e2e.SampleData;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The per-record JSON path: ksbridge's validate-and-copy against Jackson tokens and a Jackson tree, on ~1 KiB values. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonPathBenchmark {
    private final ObjectMapper mapper = new ObjectMapper();
    private final JsonFactory factory = new JsonFactory();
    private final RecordFormat json = RecordFormat.json();
    private final Sink sink = new Sink();
    private final FormatContext ctx = new Ctx();
    private byte[][] values;
    private int i;

    @Setup
    public void setup() {
        values = new byte[256][];
        for (int k = 0; k < values.length; k++) {
            values[k] = SampleData.value(42, k);
        }
    }

    private byte[] next() {
        return values[i++ & 255];
    }

    /** ksbridge: strict byte-level validation, then the bytes themselves. */
    @Benchmark
    public int ksbridgeValidateAndCopy() throws Exception {
        sink.length = 0;
        json.write(next(), ctx, sink);
        return sink.length;
    }

    /** Jackson's streaming parser over every token (what ksbridge did first). */
    @Benchmark
    public int jacksonTokens() throws IOException {
        int n = 0;
        try (JsonParser p = factory.createParser(next())) {
            while (p.nextToken() != null) {
                n++;
            }
        }
        return n;
    }

    /** The usual way: a tree per record, written back out. */
    @Benchmark
    public int jacksonTreeAndWrite() throws IOException {
        JsonNode tree = mapper.readTree(next());
        return mapper.writeValueAsBytes(tree).length;
    }

    static final class Sink implements JsonOutput {
        int length;

        @Override
        public JsonGenerator generator() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void writeRaw(byte[] json, int offset, int len) {
            length += len;
        }

        @Override
        public void schemaId(int id) {
        }
    }

    static final class Ctx implements FormatContext {
        private final Headers headers = new RecordHeaders();

        public String topic() {
            return "bench";
        }

        public int partition() {
            return 0;
        }

        public long offset() {
            return 0;
        }

        public boolean isKey() {
            return false;
        }

        public Headers headers() {
            return headers;
        }
    }
}
