/** Protobuf messages as VARIANT JSON: {@link io.ksbridge.format.protobuf.ProtobufFormat}. */
module io.ksbridge.format.protobuf {
    requires transitive io.ksbridge;
    // ProtobufFormat takes Descriptors; protobuf-java and -util declare their Automatic-Module-Names.
    requires transitive com.google.protobuf;
    requires com.google.protobuf.util;

    exports io.ksbridge.format.protobuf;
}
