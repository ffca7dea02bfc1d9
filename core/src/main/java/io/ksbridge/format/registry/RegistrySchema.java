package io.ksbridge.format.registry;

import java.util.List;
import java.util.Objects;

/**
 * A schema as a registry returns it. Immutable.
 *
 * @param id         the registry's global id of the schema; {@code -1} when it was read by subject and version and
 *                   the registry did not say
 * @param schemaType {@code AVRO} (what the registry means when it leaves the type out), {@code PROTOBUF} or
 *                   {@code JSON}; never null
 * @param schema     the schema text as the registry returned it, never null (for Protobuf asked in serialized form:
 *                   a base64 {@code FileDescriptorProto})
 * @param references the schemas this one imports, in the registry's order; never null, often empty
 */
public record RegistrySchema(int id, String schemaType, String schema, List<SchemaReference> references) {
    public RegistrySchema {
        Objects.requireNonNull(schemaType, "schemaType must not be null");
        Objects.requireNonNull(schema, "schema must not be null");
        references = List.copyOf(references);
    }

    /** Leaves the schema text out: it can be long. */
    @Override
    public String toString() {
        return "RegistrySchema[id=" + id + ", type=" + schemaType + ", " + schema.length() + " chars, references="
                + references + "]";
    }
}
