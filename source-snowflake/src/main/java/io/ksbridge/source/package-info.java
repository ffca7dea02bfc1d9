/**
 * Snowflake to Kafka: {@link io.ksbridge.source.SnowflakeToKafkaBridge} publishes the changes of Snowflake tables to
 * Kafka topics, exactly once for {@code read_committed} consumers. It manages a stream on each table, consumes it into
 * a staged batch table with one idempotent {@code CREATE TABLE ... AS SELECT}, and publishes each batch in Kafka
 * transactions that also carry the position, in a compacted offsets topic the bridge owns. Start at
 * {@link io.ksbridge.source.SnowflakeToKafkaBridge#builder()}.
 */
package io.ksbridge.source;
