/**
 * A small client for schema registries that speak Confluent's REST API (Confluent Schema Registry, Redpanda,
 * Karapace, Apicurio in its Confluent-compatible mode), shared by the Avro and Protobuf formats. Only JDK
 * {@code java.net.http} and Jackson: no Confluent artifacts, which are not on Maven Central.
 */
package io.ksbridge.format.registry;
