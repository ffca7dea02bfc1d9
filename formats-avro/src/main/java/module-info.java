/** Avro records as VARIANT JSON: {@link io.ksbridge.format.avro.AvroFormat}. */
module io.ksbridge.format.avro {
    requires transitive io.ksbridge;
    // AvroFormat takes an org.apache.avro.Schema; avro declares Automatic-Module-Name org.apache.avro.
    requires transitive org.apache.avro;

    exports io.ksbridge.format.avro;
}
