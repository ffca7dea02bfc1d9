package io.ksbridge.format.protobuf;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import io.ksbridge.format.registry.RegistrySchema;
import io.ksbridge.format.registry.SchemaReference;
import io.ksbridge.format.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link Descriptors.FileDescriptor}s from a registry: each schema asked for in Confluent's serialized form (a
 * base64 {@code FileDescriptorProto}), its references resolved by subject and version, Google's well-known types
 * taken from protobuf-java. Not thread-safe: used under the format's lock.
 */
final class RegistryDescriptors {
    private static final Map<String, Descriptors.FileDescriptor> WELL_KNOWN = new HashMap<>();

    static {
        for (Descriptors.FileDescriptor f : List.of(AnyProto.getDescriptor(), ApiProto.getDescriptor(),
                DurationProto.getDescriptor(), EmptyProto.getDescriptor(), FieldMaskProto.getDescriptor(),
                SourceContextProto.getDescriptor(), StructProto.getDescriptor(), TimestampProto.getDescriptor(),
                TypeProto.getDescriptor(), WrappersProto.getDescriptor(),
                DescriptorProtos.getDescriptor())) {
            WELL_KNOWN.put(f.getName(), f);
        }
    }

    private final SchemaRegistryClient registry;
    private final Map<String, Descriptors.FileDescriptor> bySubjectVersion = new HashMap<>();

    RegistryDescriptors(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** The file of schema {@code id}; throws IllegalArgumentException when it is not a usable Protobuf schema. */
    Descriptors.FileDescriptor file(int id) {
        RegistrySchema rs = registry.schemaById(id, "serialized");
        if (!rs.schemaType().equals("PROTOBUF")) {
            throw new IllegalArgumentException("schema id " + id + " is a " + rs.schemaType()
                    + " schema, not Protobuf: use the format for " + rs.schemaType());
        }
        return build("schema id " + id, rs, 0);
    }

    private Descriptors.FileDescriptor build(String what, RegistrySchema rs, int depth) {
        if (depth > 32) {
            throw new IllegalArgumentException("schema references nest deeper than 32 levels");
        }
        DescriptorProtos.FileDescriptorProto proto;
        try {
            proto = DescriptorProtos.FileDescriptorProto.parseFrom(Base64.getDecoder().decode(rs.schema().trim()));
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(what + " came from the registry as .proto text, not as a serialized "
                    + "FileDescriptorProto (?format=serialized); ksbridge does not parse .proto text: supply the "
                    + "descriptor with ProtobufFormat.builder().descriptor(...).confluentWireFormat()", e);
        }
        Map<String, Descriptors.FileDescriptor> deps = new HashMap<>();
        for (SchemaReference ref : rs.references()) {
            String key = ref.subject() + "/" + ref.version();
            Descriptors.FileDescriptor dep = bySubjectVersion.get(key);
            if (dep == null) {
                RegistrySchema referenced = registry.schemaBySubjectVersion(ref.subject(), ref.version(), "serialized");
                dep = build("reference " + ref.name() + " (subject " + ref.subject() + " version " + ref.version()
                        + ")", referenced, depth + 1);
                bySubjectVersion.put(key, dep);
            }
            deps.put(ref.name(), dep);
            deps.put(dep.getName(), dep);
        }
        List<Descriptors.FileDescriptor> resolved = new ArrayList<>();
        for (String dependency : proto.getDependencyList()) {
            Descriptors.FileDescriptor d = deps.get(dependency);
            if (d == null) {
                d = WELL_KNOWN.get(dependency);
            }
            if (d == null) {
                throw new IllegalArgumentException(what + " imports " + dependency + ", which is neither one of its "
                        + "registry references nor a well-known type");
            }
            resolved.add(d);
        }
        try {
            return Descriptors.FileDescriptor.buildFrom(proto, resolved.toArray(new Descriptors.FileDescriptor[0]));
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException(what + " is not a valid Protobuf schema: " + e.getMessage(), e);
        }
    }
}
