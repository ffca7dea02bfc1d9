/**
 * {@link io.ksbridge.format.avro.AvroFormat}: Avro values and keys, from Confluent's schema-registry wire format or
 * with a fixed schema, written straight to the JSON of a Snowflake VARIANT as the Snowflake connector renders Avro.
 */
package io.ksbridge.format.avro;
