/**
 * {@link io.ksbridge.format.protobuf.ProtobufFormat}: Protobuf values and keys, raw or in Confluent's schema-registry
 * wire format, written as protobuf's canonical JSON mapping into the JSON of a Snowflake VARIANT.
 */
package io.ksbridge.format.protobuf;
