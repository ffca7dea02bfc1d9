package io.ksbridge.format.avro;

import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.FormatContext;
import io.ksbridge.IngestException;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import io.ksbridge.Secret;
import io.ksbridge.format.registry.RegistrySchema;
import io.ksbridge.format.registry.RegistrySettings;
import io.ksbridge.format.registry.SchemaReference;
import io.ksbridge.format.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Avro values (or keys) as the JSON of a Snowflake VARIANT, decoded and written in one pass with no intermediate
 * objects.
 *
 * <p>Two kinds:
 * <ul>
 *   <li><b>With a schema registry</b> ({@link #withSchemaRegistry(String)}, {@link #builder()}): Confluent's wire
 *       format, a magic byte {@code 0}, the writer schema's id as a 4-byte big-endian integer, then the Avro binary
 *       body. The writer schema is fetched by id from any registry speaking Confluent's REST API
 *       ({@code GET /schemas/ids/{id}}, with its references resolved by subject and version), parsed and compiled
 *       once, and cached. The id goes to {@code RECORD_METADATA} as {@code schema_id} ({@code key_schema_id} for
 *       keys).</li>
 *   <li><b>With a fixed schema</b> ({@link #ofSchema(Schema)}): plain Avro binary written with that schema, no
 *       header.</li>
 * </ul>
 * Either may take a reader schema: values are then resolved from the writer schema to the reader schema by Avro's
 * rules (fields added with defaults, removed, promoted), as the connector's {@code reader.schema} does.
 *
 * <p>The JSON is the connector's rendering of Avro: records and maps are objects, arrays arrays, a union is the
 * value of its branch, an enum its symbol; {@code bytes} is a string of the bytes read as ISO-8859-1 and
 * {@code fixed} an array of the signed byte values; the {@code date}, {@code time-millis}, {@code time-micros},
 * {@code timestamp-millis}, {@code timestamp-micros}, {@code local-timestamp-millis} and
 * {@code local-timestamp-micros} logical types are their underlying numbers (days, or milli/microseconds);
 * {@code uuid} is its string; NaN and infinite floats are the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"}. One deliberate difference: a {@code decimal} is the exact decimal number ({@code 90.0000}),
 * where the connector rounds it through a double ({@code 90.0}).
 *
 * <p>Errors: a value that is not in the wire format (too short, a first byte other than {@code 0}), names a schema
 * id the registry does not have, is truncated, has bytes left over after the value, or does not decode with its
 * schema, is a bad record: {@code write} throws, the bridge names the record by topic, partition and offset and
 * follows its {@code ErrorPolicy}. A registry that cannot be reached, times out, refuses the credentials or
 * answers 5xx throws a retriable {@link IngestException}: the bridge retries that record (it is never skipped)
 * until its retry policy gives up and stops the bridge.
 *
 * <p>Thread-safe: one instance may serve several bridges and both keys and values.
 */
public final class AvroFormat implements RecordFormat {
    private static final int HEADER = 5;

    /** A compiled writer schema (and, when resolving, the reader it resolves to). Immutable. */
    private record Plan(int id, Schema writer, AvroJsonPlan direct, GenericDatumReader<Object> resolving,
                        Schema reader, io.ksbridge.format.TypedColumns columns) {
    }

    /** Where the writer-schema pass of the resolving path writes: nowhere. */
    private static final com.fasterxml.jackson.core.JsonFactory DISCARD = new com.fasterxml.jackson.core.JsonFactory();

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Plan fixedPlan;
    private final int cacheSize;
    private final Map<Integer, Plan> plans;
    private volatile Plan last;

    private AvroFormat(SchemaRegistryClient registry, Schema writerSchema, Schema readerSchema, int cacheSize) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.cacheSize = cacheSize;
        this.fixedPlan = writerSchema == null ? null : plan(-1, writerSchema);
        this.plans = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Plan> eldest) {
                return size() > AvroFormat.this.cacheSize;
            }
        };
    }

    /**
     * Confluent wire format, writer schemas from the registry at {@code url} with default client settings (no
     * authentication, 10 s request timeout, 1000 cached schemas). For credentials, TLS or a reader schema, use
     * {@link #builder()}.
     *
     * @param url the registry's base URL, for example {@code http://localhost:8081}; never null
     * @return the format, never null
     * @throws BridgeConfigException if the URL is not an absolute http or https URL
     */
    public static AvroFormat withSchemaRegistry(String url) {
        return builder().schemaRegistry(url).build();
    }

    /**
     * Confluent wire format, writer schemas from {@code client}: share one client between the key and value formats
     * of a bridge.
     *
     * @param client the registry client, never null
     * @return the format, never null
     */
    public static AvroFormat withSchemaRegistry(SchemaRegistryClient client) {
        return builder().schemaRegistry(client).build();
    }

    /**
     * Plain Avro binary, all written with {@code writerSchema}; no header, no registry.
     *
     * @param writerSchema the schema the bytes were written with, never null
     * @return the format, never null
     */
    public static AvroFormat ofSchema(Schema writerSchema) {
        return builder().schema(writerSchema).build();
    }

    /**
     * Plain Avro binary written with {@code writerSchema}, resolved to {@code readerSchema}.
     *
     * @param writerSchema the schema the bytes were written with, never null
     * @param readerSchema the schema of the JSON to produce, never null; must be compatible by Avro's rules
     * @return the format, never null
     */
    public static AvroFormat ofSchema(Schema writerSchema, Schema readerSchema) {
        return builder().schema(writerSchema).readerSchema(readerSchema).build();
    }

    /** A builder for the settings the factories do not take. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void write(byte[] data, FormatContext context, JsonOutput out) throws IOException {
        if (fixedPlan != null) {
            decode(fixedPlan, data, 0, out.generator());
            declare(fixedPlan, out);
            return;
        }
        if (data.length < HEADER) {
            throw new IOException("the " + (context.isKey() ? "key" : "value") + " is " + data.length
                    + " bytes, shorter than the 5-byte header of Confluent's wire format (magic byte 0 and a 4-byte "
                    + "schema id)");
        }
        if (data[0] != 0) {
            throw new IOException(String.format("the first byte is 0x%02x, not the magic byte 0x00 of Confluent's "
                    + "wire format: the record was not written by a schema-registry Avro serializer", data[0] & 0xff));
        }
        int id = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        Plan plan = planFor(id);
        decode(plan, data, HEADER, out.generator());
        out.schemaId(id);
        declare(plan, out);
    }

    private static void declare(Plan plan, JsonOutput out) {
        if (plan.columns != null) {
            out.columns(plan.columns);
        }
    }

    private void decode(Plan plan, byte[] data, int offset, JsonGenerator g) throws IOException {
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
        try {
            if (plan.resolving == null) {
                plan.direct.write(in, g);
            } else {
                // First a checked pass over the writer schema (Avro's own decoder trusts lengths and would allocate
                // whatever a corrupt one claims), then Avro's schema resolution.
                try (JsonGenerator nowhere = DISCARD.createGenerator(java.io.OutputStream.nullOutputStream())) {
                    plan.direct.write(in, nowhere);
                }
                if (!in.isEnd()) {
                    throw new IOException(left(in) + " bytes are left after the Avro value of " + describe(plan)
                            + ": the body was not written with this schema");
                }
                in = DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
                Object datum = plan.resolving.read(null, in);
                AvroDatumJson.write(plan.reader, datum, g);
            }
        } catch (EOFException e) {
            throw new IOException("the Avro body is truncated: " + describe(plan) + " needs more than the "
                    + (data.length - offset) + " bytes" + (offset > 0 ? " after the 5-byte header" : ""), e);
        } catch (IOException | RuntimeException e) {
            throw new IOException("the Avro body does not decode with " + describe(plan) + ": " + e.getMessage(), e);
        }
        if (!in.isEnd()) {
            throw new IOException(left(in) + " bytes are left after the Avro value of " + describe(plan)
                    + ": the body was not written with this schema");
        }
    }

    private static int left(BinaryDecoder in) throws IOException {
        return in.inputStream().available();
    }

    private static String describe(Plan plan) {
        return plan.id >= 0 ? "writer schema id " + plan.id : "the writer schema " + plan.writer.getFullName();
    }

    private Plan planFor(int id) {
        Plan p = last;
        if (p != null && p.id == id) {
            return p;
        }
        synchronized (plans) {
            p = plans.get(id);
        }
        if (p == null) {
            RegistrySchema rs = registry.schemaById(id); // UnknownSchemaException / retriable IngestException
            if (!rs.schemaType().equals("AVRO")) {
                throw new IllegalArgumentException("schema id " + id + " is a " + rs.schemaType()
                        + " schema, not Avro: use the format for " + rs.schemaType());
            }
            Schema writer = parse(id, rs);
            p = plan(id, writer);
            synchronized (plans) {
                plans.put(id, p);
            }
        }
        last = p;
        return p;
    }

    private Schema parse(int id, RegistrySchema rs) {
        Schema.Parser parser = new Schema.Parser();
        try {
            parseReferences(parser, rs.references(), new HashSet<>(), 0);
            return parser.parse(rs.schema());
        } catch (SchemaParseException e) {
            throw new IllegalArgumentException("schema id " + id + " from the registry is not a valid Avro schema: "
                    + e.getMessage(), e);
        }
    }

    private void parseReferences(Schema.Parser parser, List<SchemaReference> refs, Set<String> seen, int depth) {
        if (depth > 32) {
            throw new IllegalArgumentException("schema references nest deeper than 32 levels");
        }
        for (SchemaReference ref : refs) {
            if (!seen.add(ref.subject() + "/" + ref.version())) {
                continue;
            }
            RegistrySchema referenced = registry.schemaBySubjectVersion(ref.subject(), ref.version(), null);
            parseReferences(parser, referenced.references(), seen, depth + 1);
            parser.parse(referenced.schema());
        }
    }

    private Plan plan(int id, Schema writer) {
        AvroJsonPlan direct = AvroJsonPlan.compile(writer);
        if (readerSchema == null || readerSchema.equals(writer)) {
            return new Plan(id, writer, direct, null, null, AvroColumns.of(writer));
        }
        GenericDatumReader<Object> reader = new GenericDatumReader<>(writer, readerSchema, new GenericData());
        return new Plan(id, writer, direct, reader, readerSchema, AvroColumns.of(readerSchema));
    }

    @Override
    public String name() {
        return "avro";
    }

    @Override
    public String toString() {
        return "AvroFormat[" + (registry != null ? registry : "schema=" + fixedPlan.writer.getFullName())
                + (readerSchema != null ? ", readerSchema=" + readerSchema.getFullName() : "") + "]";
    }

    /**
     * Builds an {@link AvroFormat}. Exactly one source of writer schemas: {@link #schemaRegistry(String)} (with
     * optional client settings), {@link #schemaRegistry(SchemaRegistryClient)}, or {@link #schema(Schema)}. Setters
     * check their values at once; {@link #build()} reports every conflict in one {@link BridgeConfigException}.
     * Mutable, not thread-safe.
     */
    public static final class Builder {
        private final RegistrySettings registry = new RegistrySettings();
        private Schema writerSchema;
        private Schema readerSchema;

        private Builder() {
        }

        /** Confluent wire format, writer schemas from the registry at this base URL. No default. */
        public Builder schemaRegistry(String url) {
            registry.schemaRegistry(url);
            return this;
        }

        /** Confluent wire format, writer schemas from this client (its own settings apply). No default. */
        public Builder schemaRegistry(SchemaRegistryClient client) {
            registry.schemaRegistry(client);
            return this;
        }

        /** Plain Avro binary written with this schema; no header, no registry. No default. */
        public Builder schema(Schema writerSchema) {
            this.writerSchema = Objects.requireNonNull(writerSchema, "schema must not be null");
            return this;
        }

        /**
         * The schema of the JSON to produce; values are resolved to it from their writer schema by Avro's rules.
         * Default: none (each value as its writer schema has it). Works with every source.
         */
        public Builder readerSchema(Schema readerSchema) {
            this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema must not be null");
            return this;
        }

        /** Registry basic authentication (Confluent Cloud: API key and secret). Only with {@link #schemaRegistry(String)}. */
        public Builder basicAuth(String user, Secret password) {
            registry.basicAuth(user, password);
            return this;
        }

        /** A registry bearer token. Only with {@link #schemaRegistry(String)}; not with basicAuth. */
        public Builder bearerToken(Secret token) {
            registry.bearerToken(token);
            return this;
        }

        /** TLS for an https registry. Default: the JVM's. Only with {@link #schemaRegistry(String)}. */
        public Builder sslContext(SSLContext sslContext) {
            registry.sslContext(sslContext);
            return this;
        }

        /** How long one registry request may take. Default 10 s; must be > 0. Only with {@link #schemaRegistry(String)}. */
        public Builder requestTimeout(Duration timeout) {
            registry.requestTimeout(timeout);
            return this;
        }

        /**
         * How many writer schemas are kept compiled (and, with a URL, fetched schemas cached). Default 1000; must be
         * > 0. Only with a registry.
         */
        public Builder cacheSize(int entries) {
            registry.cacheSize(entries);
            return this;
        }

        /**
         * The format.
         *
         * @return a new format, never null
         * @throws BridgeConfigException listing every problem: no source or more than one, client settings without
         *                               a registry URL, and the registry client's own problems
         */
        public AvroFormat build() {
            List<BridgeConfigException.Problem> problems = new ArrayList<>();
            String url = registry.url();
            SchemaRegistryClient client = registry.suppliedClient();
            int sources = (url != null ? 1 : 0) + (client != null ? 1 : 0) + (writerSchema != null ? 1 : 0);
            if (sources == 0) {
                problems.add(new BridgeConfigException.Problem("schemaRegistry", null,
                        "set schemaRegistry(url), schemaRegistry(client) or schema(writerSchema)"));
            } else if (sources > 1) {
                problems.add(new BridgeConfigException.Problem("schemaRegistry",
                        (url != null ? registry.printableUrl() : client != null ? String.valueOf(client)
                                : writerSchema.getFullName()),
                        "schemaRegistry(url), schemaRegistry(client) and schema(writerSchema) exclude each other: "
                                + "set exactly one"));
            }
            registry.addProblems(problems);
            if (registry.cacheSize().isPresent() && writerSchema != null) {
                problems.add(new BridgeConfigException.Problem("cacheSize",
                        String.valueOf(registry.cacheSize().getAsInt()),
                        "cacheSize has no effect with schema(writerSchema): there is only one schema"));
            }
            SchemaRegistryClient c = registry.buildClient(problems);
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new AvroFormat(c, writerSchema, readerSchema, registry.cacheSize().orElse(1000));
        }
    }
}
