package io.ksbridge.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Runs a {@link RecordFormat} outside a bridge and returns the JSON it wrote and the schema id it reported: how to
 * unit-test your own format, with no Kafka and no Snowflake.
 * <pre>{@code
 * FormatRunner.Result r = FormatRunner.value(new CsvFormat(List.of("id", "item")), "17,pen".getBytes(UTF_8));
 * assertEquals("{\"id\":\"17\",\"item\":\"pen\"}", r.json());
 * assertEquals(OptionalInt.empty(), r.schemaId());
 * }</pre>
 * The static {@link #value(RecordFormat, byte[])} and {@link #key(RecordFormat, byte[])} run the format once on
 * topic {@code topic}, partition 0, offset 0, with no headers. For a format that reads them, set them on a runner:
 * {@code FormatRunner.of(format).topic("orders").offset(42).header("source", bytes).value(data)}.
 *
 * <p>The runner holds the format to the {@link JsonOutput} contract as the bridge does: a format that writes nothing
 * fails with an {@link IOException} ({@code format NAME wrote no JSON value}), and one that uses both
 * {@link JsonOutput#writeRaw} and {@link JsonOutput#generator()} for one value fails with an
 * {@link IllegalStateException}. What the format throws reaches the caller unchanged, so a test can assert a bad
 * record's message. The JSON itself is returned as written, not checked.
 *
 * <p>A runner reuses one buffer and one Jackson generator from run to run (after a failed run the generator is
 * dropped and a new one made), as the bridge does, so it can also drive a benchmark. Mutable, not thread-safe: use
 * one runner per thread. See {@code io.ksbridge.examples.csv.CsvFormatTest} in the examples for a whole test.
 */
public final class FormatRunner {
    private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

    private final RecordFormat format;
    private final Context valueContext = new Context(false);
    private final Context keyContext = new Context(true);
    private final Output output = new Output();
    private String topic = "topic";
    private int partition;
    private long offset;
    private Headers headers = new RecordHeaders();

    private FormatRunner(RecordFormat format) {
        this.format = Objects.requireNonNull(format, "format must not be null");
    }

    /**
     * A runner for {@code format} on topic {@code topic}, partition 0, offset 0, with no headers.
     *
     * @param format the format to run, never null
     * @return a new runner, never null
     * @throws NullPointerException if {@code format} is null
     */
    public static FormatRunner of(RecordFormat format) {
        return new FormatRunner(format);
    }

    /**
     * Runs {@code format} once on a record value, as {@code of(format).value(data)}.
     *
     * @param format the format, never null
     * @param data   the value's bytes, never null
     * @return what the format wrote, never null
     * @throws Exception what the format throws, unchanged; or as {@link #value(byte[])} says
     */
    public static Result value(RecordFormat format, byte[] data) throws Exception {
        return of(format).value(data);
    }

    /**
     * Runs {@code format} once on a record key, as {@code of(format).key(data)}.
     *
     * @param format the format, never null
     * @param data   the key's bytes, never null
     * @return what the format wrote, never null
     * @throws Exception what the format throws, unchanged; or as {@link #key(byte[])} says
     */
    public static Result key(RecordFormat format, byte[] data) throws Exception {
        return of(format).key(data);
    }

    /**
     * The topic the format sees. Default {@code topic}.
     *
     * @param topic the topic, never null
     * @return this runner
     */
    public FormatRunner topic(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic must not be null");
        return this;
    }

    /**
     * The partition the format sees. Default 0.
     *
     * @param partition the partition, &ge; 0
     * @return this runner
     */
    public FormatRunner partition(int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition);
        }
        this.partition = partition;
        return this;
    }

    /**
     * The offset the format sees. Default 0.
     *
     * @param offset the offset, &ge; 0
     * @return this runner
     */
    public FormatRunner offset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        this.offset = offset;
        return this;
    }

    /**
     * The headers the format sees, replacing any set or added before. Default: none.
     *
     * @param headers the headers, never null; {@link #header} adds to them
     * @return this runner
     */
    public FormatRunner headers(Headers headers) {
        this.headers = Objects.requireNonNull(headers, "headers must not be null");
        return this;
    }

    /**
     * Adds one header to those the format sees.
     *
     * @param key   the header's key, never null
     * @param value the header's value, may be null
     * @return this runner
     */
    public FormatRunner header(String key, byte[] value) {
        headers.add(Objects.requireNonNull(key, "header key must not be null"), value);
        return this;
    }

    /**
     * Runs the format on a record value.
     *
     * @param data the value's bytes, never null (may be empty)
     * @return what the format wrote, never null
     * @throws IOException           if the format wrote no JSON value (or as the format throws)
     * @throws IllegalStateException if the format mixed {@code writeRaw} and {@code generator()}
     * @throws Exception             what the format throws, unchanged
     */
    public Result value(byte[] data) throws Exception {
        return run(data, valueContext);
    }

    /**
     * Runs the format on a record key.
     *
     * @param data the key's bytes, never null (may be empty)
     * @return what the format wrote, never null
     * @throws IOException           if the format wrote no JSON value (or as the format throws)
     * @throws IllegalStateException if the format mixed {@code writeRaw} and {@code generator()}
     * @throws Exception             what the format throws, unchanged
     */
    public Result key(byte[] data) throws Exception {
        return run(data, keyContext);
    }

    private Result run(byte[] data, Context context) throws Exception {
        Objects.requireNonNull(data, "data must not be null");
        output.start();
        boolean ok = false;
        try {
            format.write(data, context, output);
            output.flush();
            ok = true;
        } finally {
            if (!ok) {
                output.generator = null; // a half-written value leaves the generator in a bad state
            }
        }
        if (output.bytes.size() == 0) {
            throw new IOException("format " + format.name() + " wrote no JSON value");
        }
        return new Result(output.bytes.toByteArray(), output.schemaId, output.columns);
    }

    @Override
    public String toString() {
        return "FormatRunner[" + format.name() + ", topic=" + topic + ", partition=" + partition + ", offset="
                + offset + "]";
    }

    /** What one run wrote. Thread-safe as long as no one changes the array {@link #bytes()} returns. */
    public static final class Result {
        private final byte[] json;
        private final Integer schemaId;
        private final io.ksbridge.format.TypedColumns columns;

        private Result(byte[] json, Integer schemaId, io.ksbridge.format.TypedColumns columns) {
            this.json = json;
            this.schemaId = schemaId;
            this.columns = columns;
        }

        /** The typed columns the format declared through {@link JsonOutput#columns}, or null if it declared none. */
        public io.ksbridge.format.TypedColumns columns() {
            return columns;
        }

        /** The JSON the format wrote, as text; never null. */
        public String json() {
            return new String(json, StandardCharsets.UTF_8);
        }

        /** The JSON as UTF-8 bytes, never null: this result's own array, not a copy (do not change it). */
        public byte[] bytes() {
            return json;
        }

        /** The schema id the format reported through {@link JsonOutput#schemaId}, or empty if it reported none. */
        public OptionalInt schemaId() {
            return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
        }

        @Override
        public String toString() {
            return json() + (schemaId == null ? "" : " (schema id " + schemaId + ")");
        }
    }

    /** The record as the format sees it: the runner's current settings, one instance per side. */
    private final class Context implements FormatContext {
        private final boolean key;

        Context(boolean key) {
            this.key = key;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public int partition() {
            return partition;
        }

        @Override
        public long offset() {
            return offset;
        }

        @Override
        public boolean isKey() {
            return key;
        }

        @Override
        public Headers headers() {
            return headers;
        }
    }

    /** One buffer and one generator, reused; enforces one way of writing per value. */
    private static final class Output implements JsonOutput {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        private JsonGenerator generator;
        private boolean generated;
        private boolean raw;
        private Integer schemaId;
        private io.ksbridge.format.TypedColumns columns;

        void start() {
            bytes.reset();
            generated = false;
            raw = false;
            schemaId = null;
            columns = null;
        }

        @Override
        public void columns(io.ksbridge.format.TypedColumns declared) {
            columns = Objects.requireNonNull(declared, "columns must not be null");
        }

        void flush() throws IOException {
            if (generator != null) {
                generator.flush();
            }
        }

        @Override
        public JsonGenerator generator() throws IOException {
            if (raw) {
                throw new IllegalStateException("writeRaw was already used for this value; do not mix it with "
                        + "generator()");
            }
            generated = true;
            if (generator == null) {
                generator = FACTORY.createGenerator(bytes);
            }
            return generator;
        }

        @Override
        public void writeRaw(byte[] json, int offset, int length) {
            if (generated) {
                throw new IllegalStateException("generator() was already used for this value; do not mix it with "
                        + "writeRaw");
            }
            raw = true;
            bytes.write(json, offset, length);
        }

        @Override
        public void schemaId(int id) {
            schemaId = id;
        }
    }
}
