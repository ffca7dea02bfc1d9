/**
 * JMH benchmarks of the Avro and Protobuf formats, per record, each against a decode-to-object-then-JSON-tree
 * baseline (what the Snowflake connector does) in the same run. Run with
 * {@code mvn -B -q -Pformats -DskipTests package -pl benchmarks -am}.
 */
package io.ksbridge.benchmarks.formats;
