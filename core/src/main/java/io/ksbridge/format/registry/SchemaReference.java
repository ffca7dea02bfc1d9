package io.ksbridge.format.registry;

import java.util.Objects;

/**
 * A schema's reference to another schema it imports: for Avro the full name of a named type, for Protobuf the
 * import path of a {@code .proto} file. Immutable.
 *
 * @param name    the name the referring schema uses, never null
 * @param subject the subject the referenced schema is registered under, never null
 * @param version its version under that subject, &ge; 1
 */
public record SchemaReference(String name, String subject, int version) {
    public SchemaReference {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
    }
}
