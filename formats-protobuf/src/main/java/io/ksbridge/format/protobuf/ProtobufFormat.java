package io.ksbridge.format.protobuf;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.util.JsonFormat;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.FormatContext;
import io.ksbridge.IngestException;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import io.ksbridge.Secret;
import io.ksbridge.format.registry.RegistrySettings;
import io.ksbridge.format.registry.SchemaRegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Protobuf values (or keys) as the JSON of a Snowflake VARIANT, in protobuf's canonical JSON mapping: the values
 * {@code protobuf-java-util}'s {@code JsonFormat} prints (only string escaping differs: {@code <} stays {@code <}
 * where {@code JsonFormat} writes &#92;u003c). Field names in lowerCamelCase (or as in the {@code .proto} with
 * {@link Builder#preservingProtoFieldNames()}), 64-bit integers as strings, enums by name, bytes in base64,
 * well-known types ({@code Timestamp}, {@code Duration}, wrappers, {@code Struct}, {@code Value}, {@code ListValue})
 * in their JSON forms, fields at their default value left out unless {@link Builder#includingDefaultValues()}.
 *
 * <p>How: a message in the shape every mainstream serializer writes (fields in field-number order, each singular field
 * once, valid UTF-8, known enum numbers, no groups) is checked and then written to JSON straight from its wire
 * bytes, with no message objects; anything else (and every message when defaults are included) is parsed into a
 * {@code DynamicMessage} (or the generated class) and written from that. Both give the same JSON.
 *
 * <p>Where the message type comes from:
 * <ul>
 *   <li><b>Supplied</b>, raw protobuf bytes: {@link #of(Descriptors.Descriptor)} or {@link #of(Class)} (a generated
 *       message class, parsed by its own parser).</li>
 *   <li><b>Supplied</b>, Confluent wire format: {@code builder().descriptor(d).confluentWireFormat()}. The header
 *       (magic byte {@code 0}, 4-byte schema id, message-index array) is read and checked, the schema id is reported
 *       to {@code RECORD_METADATA}, and the body is parsed as the supplied type whatever the indexes say. The
 *       registry is never called.</li>
 *   <li><b>Resolved from the registry</b>, Confluent wire format: {@link #withSchemaRegistry(String)}. For each
 *       schema id ksbridge asks {@code GET /schemas/ids/{id}?format=serialized}, which a Confluent registry answers
 *       with the schema as a base64 {@code FileDescriptorProto}; each of its {@code references} (imported files) is
 *       fetched the same way by subject and version, and Google's well-known types come from protobuf-java. The
 *       message-index array then picks the message type in that file (nested types included).
 *       <b>Not resolved</b>: ksbridge cannot parse {@code .proto} text, so a registry that returns only text (one
 *       ignoring {@code format=serialized}) is reported as an error naming the id; use a supplied descriptor then.
 *       {@code google.protobuf.Any} fields cannot be printed (no type registry) and fail the record.</li>
 * </ul>
 *
 * <p>Errors: a value not in the wire format (too short, wrong magic byte, a malformed or out-of-range message-index
 * array), an unknown schema id, or a body that does not parse (truncated, wrong type) is a bad record: {@code write}
 * throws and the bridge names the record by topic, partition and offset and follows its {@code ErrorPolicy}. A
 * registry that cannot be reached, times out or answers 5xx throws a retriable {@link IngestException}: the bridge
 * retries the record, never skipping it.
 *
 * <p>Thread-safe: one instance may serve several bridges, keys and values.
 */
public final class ProtobufFormat implements RecordFormat {
    private static final int HEADER = 5;

    private final Descriptors.Descriptor descriptor;
    private final Parser<? extends Message> parser;
    private final boolean confluent;
    private final SchemaRegistryClient registry;
    private final ProtoJsonWriter writer;
    private final ProtoWireWriter wire;
    private final boolean protoNames;
    private final boolean defaults;
    private final RegistryDescriptors descriptors;
    private final Map<Integer, Descriptors.FileDescriptor> files;
    private final int cacheSize;
    private final java.util.Map<Descriptors.Descriptor, io.ksbridge.format.TypedColumns> columns =
            new java.util.concurrent.ConcurrentHashMap<>();

    private ProtobufFormat(Descriptors.Descriptor descriptor, Parser<? extends Message> parser, boolean confluent,
                           SchemaRegistryClient registry, boolean protoNames, boolean defaults, int cacheSize) {
        this.descriptor = descriptor;
        this.parser = parser;
        this.confluent = confluent;
        this.registry = registry;
        this.protoNames = protoNames;
        this.defaults = defaults;
        this.cacheSize = cacheSize;
        JsonFormat.Printer p = JsonFormat.printer().omittingInsignificantWhitespace();
        if (protoNames) {
            p = p.preservingProtoFieldNames();
        }
        if (defaults) {
            p = p.alwaysPrintFieldsWithNoPresence();
        }
        this.writer = new ProtoJsonWriter(protoNames, defaults, p);
        this.wire = defaults ? null : new ProtoWireWriter(protoNames);
        this.descriptors = registry == null ? null : new RegistryDescriptors(registry);
        this.files = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Descriptors.FileDescriptor> eldest) {
                return size() > ProtobufFormat.this.cacheSize;
            }
        };
    }

    /**
     * Raw protobuf bytes of the message type {@code descriptor} (parsed as a {@code DynamicMessage}).
     *
     * @param descriptor the message type, never null
     * @return the format, never null
     */
    public static ProtobufFormat of(Descriptors.Descriptor descriptor) {
        return builder().descriptor(descriptor).build();
    }

    /**
     * Raw protobuf bytes of a generated message class, parsed by the class's own parser.
     *
     * @param messageClass a generated class with the usual static {@code getDefaultInstance()}, never null
     * @return the format, never null
     * @throws IllegalArgumentException if the class has no {@code getDefaultInstance()}
     */
    public static ProtobufFormat of(Class<? extends Message> messageClass) {
        return builder().messageClass(messageClass).build();
    }

    /**
     * Confluent wire format, message types resolved from the registry at {@code url} (see the class comment for what
     * is and is not resolved), default client settings. For credentials, TLS or options, use {@link #builder()}.
     *
     * @param url the registry's base URL, never null
     * @return the format, never null
     * @throws BridgeConfigException if the URL is not an absolute http or https URL
     */
    public static ProtobufFormat withSchemaRegistry(String url) {
        return builder().schemaRegistry(url).build();
    }

    /** Confluent wire format, message types resolved through {@code client}. */
    public static ProtobufFormat withSchemaRegistry(SchemaRegistryClient client) {
        return builder().schemaRegistry(client).build();
    }

    /** A builder for every setting. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void write(byte[] data, FormatContext context, JsonOutput out) throws IOException {
        Descriptors.Descriptor type = descriptor;
        Parser<? extends Message> typeParser = parser;
        int bodyStart = 0;
        int id = -1;
        if (confluent) {
            if (data.length < HEADER) {
                throw new IOException("the " + (context.isKey() ? "key" : "value") + " is " + data.length
                        + " bytes, shorter than the 5-byte header of Confluent's wire format (magic byte 0 and a "
                        + "4-byte schema id)");
            }
            if (data[0] != 0) {
                throw new IOException(String.format("the first byte is 0x%02x, not the magic byte 0x00 of Confluent's"
                        + " wire format: the record was not written by a schema-registry Protobuf serializer",
                        data[0] & 0xff));
            }
            id = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
            CodedInputStream in = CodedInputStream.newInstance(data, HEADER, data.length - HEADER);
            int[] indexes = readIndexes(in, id);
            bodyStart = HEADER + in.getTotalBytesRead();
            if (registry != null) {
                type = messageType(id, indexes);
                typeParser = null;
            }
        }
        int length = data.length - bodyStart;
        try {
            if (wire != null && wire.canonical(data, bodyStart, length, type)) {
                wire.write(data, bodyStart, length, type, out.generator()); // no message objects at all
            } else {
                writer.write(parse(typeParser, type, data, bodyStart, length, id), out.generator());
            }
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IOException("the " + type.getFullName() + " message cannot be written as JSON: "
                    + e.getMessage(), e);
        }
        if (id >= 0) {
            out.schemaId(id);
        }
        out.columns(columnsOf(type));
    }

    /** The type's columns, built once per message type (a registry's types are bounded by its cache). */
    private io.ksbridge.format.TypedColumns columnsOf(Descriptors.Descriptor type) {
        io.ksbridge.format.TypedColumns c = columns.get(type);
        if (c == null) {
            if (columns.size() >= cacheSize) {
                columns.clear();
            }
            c = ProtoColumns.of(type, protoNames, defaults);
            columns.put(type, c);
        }
        return c;
    }

    private static int[] readIndexes(CodedInputStream in, int id) throws IOException {
        try {
            int count = in.readSInt32();
            if (count == 0) {
                return new int[] {0};
            }
            if (count < 0 || count > 64) {
                throw new IOException("the message-index array after schema id " + id + " claims " + count
                        + " entries: the header is malformed");
            }
            int[] indexes = new int[count];
            for (int i = 0; i < count; i++) {
                indexes[i] = in.readSInt32();
            }
            return indexes;
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("the message-index array after schema id " + id + " is malformed: "
                    + e.getMessage(), e);
        }
    }

    private Descriptors.Descriptor messageType(int id, int[] indexes) throws IOException {
        Descriptors.FileDescriptor file;
        synchronized (files) {
            file = files.get(id);
            if (file == null) {
                file = descriptors.file(id); // UnknownSchemaException / retriable IngestException / bad schema
                files.put(id, file);
            }
        }
        List<Descriptors.Descriptor> level = file.getMessageTypes();
        Descriptors.Descriptor type = null;
        for (int index : indexes) {
            if (index < 0 || index >= level.size()) {
                throw new IOException("message index path " + Arrays.toString(indexes) + " does not name a message "
                        + "type in schema id " + id + " (" + file.getName() + "): index " + index + " of "
                        + level.size() + " types");
            }
            type = level.get(index);
            level = type.getNestedTypes();
        }
        return type;
    }

    private static Message parse(Parser<? extends Message> parser, Descriptors.Descriptor type, byte[] data, int off,
                                 int len, int id) throws IOException {
        try {
            return parser != null ? parser.parseFrom(data, off, len) : DynamicMessage.parseFrom(type,
                    CodedInputStream.newInstance(data, off, len));
        } catch (InvalidProtocolBufferException e) {
            String what = type.getFullName() + (id >= 0 ? " (schema id " + id + ")" : "");
            String m = String.valueOf(e.getMessage());
            if (m.contains("input ended unexpectedly")) {
                throw new IOException("the Protobuf body is truncated: it ends in the middle of a field of " + what, e);
            }
            throw new IOException("the Protobuf body does not parse as " + what + ": " + m, e);
        }
    }

    @Override
    public String name() {
        return "protobuf";
    }

    @Override
    public String toString() {
        return "ProtobufFormat[" + (registry != null ? registry : descriptor.getFullName()
                + (confluent ? ", confluentWireFormat" : "")) + (protoNames ? ", protoFieldNames" : "")
                + (defaults ? ", includingDefaults" : "") + "]";
    }

    /**
     * Builds a {@link ProtobufFormat}. Exactly one source of message types: {@link #descriptor},
     * {@link #messageClass}, or a schema registry. Setters check their values at once; {@link #build()} reports every
     * conflict in one {@link BridgeConfigException}. Mutable, not thread-safe.
     */
    public static final class Builder {
        private Descriptors.Descriptor descriptor;
        private Class<? extends Message> messageClass;
        private boolean confluentWireFormat;
        private final RegistrySettings registry = new RegistrySettings();
        private boolean protoNames;
        private boolean defaults;

        private Builder() {
        }

        /** The message type of every value, parsed as a {@code DynamicMessage}. No default. */
        public Builder descriptor(Descriptors.Descriptor descriptor) {
            this.descriptor = Objects.requireNonNull(descriptor, "descriptor must not be null");
            return this;
        }

        /** A generated message class for every value, parsed by its own parser. No default. */
        public Builder messageClass(Class<? extends Message> messageClass) {
            this.messageClass = Objects.requireNonNull(messageClass, "messageClass must not be null");
            return this;
        }

        /**
         * With a supplied descriptor or class: the bytes are in Confluent's wire format (header read and checked,
         * schema id reported, message indexes skipped). Default: raw protobuf. Implied by a schema registry.
         */
        public Builder confluentWireFormat() {
            this.confluentWireFormat = true;
            return this;
        }

        /** Confluent wire format, message types resolved from the registry at this base URL. No default. */
        public Builder schemaRegistry(String url) {
            registry.schemaRegistry(url);
            return this;
        }

        /** Confluent wire format, message types resolved through this client. No default. */
        public Builder schemaRegistry(SchemaRegistryClient client) {
            registry.schemaRegistry(client);
            return this;
        }

        /** Registry basic authentication. Only with {@link #schemaRegistry(String)}. */
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

        /** How many schema files are kept built. Default 1000; must be > 0. Only with a registry. */
        public Builder cacheSize(int entries) {
            registry.cacheSize(entries);
            return this;
        }

        /** JSON field names as written in the {@code .proto} ({@code order_id}). Default: lowerCamelCase ({@code orderId}). */
        public Builder preservingProtoFieldNames() {
            this.protoNames = true;
            return this;
        }

        /**
         * Also print fields that are at their default value and have no presence (proto3 scalars, repeated and map
         * fields): {@code 0}, {@code ""}, {@code false}, {@code []}, {@code {}}. Default: left out, as the canonical
         * mapping does.
         */
        public Builder includingDefaultValues() {
            this.defaults = true;
            return this;
        }

        /**
         * The format.
         *
         * @return a new format, never null
         * @throws BridgeConfigException listing every problem
         */
        public ProtobufFormat build() {
            List<BridgeConfigException.Problem> problems = new ArrayList<>();
            String url = registry.printableUrl();
            boolean supplied = descriptor != null || messageClass != null;
            boolean fromRegistry = registry.isSet();
            if (!supplied && !fromRegistry) {
                problems.add(new BridgeConfigException.Problem("descriptor", null,
                        "set descriptor(d), messageClass(c), schemaRegistry(url) or schemaRegistry(client)"));
            }
            if (descriptor != null && messageClass != null) {
                problems.add(new BridgeConfigException.Problem("messageClass", messageClass.getName(),
                        "descriptor and messageClass exclude each other: set one"));
            }
            if (supplied && fromRegistry) {
                problems.add(new BridgeConfigException.Problem("schemaRegistry", url != null ? url : "client",
                        "a supplied descriptor or messageClass is used as is and the registry would never be asked: "
                                + "drop schemaRegistry, and use confluentWireFormat() for Confluent's wire format"));
            }
            if (url != null && registry.suppliedClient() != null) {
                problems.add(new BridgeConfigException.Problem("schemaRegistry", url,
                        "schemaRegistry(url) and schemaRegistry(client) exclude each other: set one"));
            }
            registry.addProblems(problems);
            if (registry.cacheSize().isPresent() && !fromRegistry) {
                problems.add(new BridgeConfigException.Problem("cacheSize",
                        String.valueOf(registry.cacheSize().getAsInt()),
                        "cacheSize needs a schema registry: a supplied type has nothing to cache"));
            }
            Descriptors.Descriptor type = descriptor;
            Parser<? extends Message> parser = null;
            if (messageClass != null) {
                try {
                    Message instance = (Message) messageClass.getMethod("getDefaultInstance").invoke(null);
                    type = instance.getDescriptorForType();
                    parser = instance.getParserForType();
                } catch (ReflectiveOperationException | ClassCastException e) {
                    problems.add(new BridgeConfigException.Problem("messageClass", messageClass.getName(),
                            "not a generated message class with a static getDefaultInstance(): " + e));
                }
            } else if (descriptor != null) {
                parser = DynamicMessage.getDefaultInstance(descriptor).getParserForType();
            }
            SchemaRegistryClient c = registry.buildClient(problems);
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new ProtobufFormat(type, parser, confluentWireFormat || fromRegistry, c, protoNames, defaults,
                    registry.cacheSize().orElse(1000));
        }
    }
}
