/**
 * Connector-style configuration: {@link io.ksbridge.config.BridgeConfig} reads the property names of Snowflake's
 * Kafka connector ({@code snowflake.topic2table.map}, {@code buffer.*}, {@code snowflake.metadata.*},
 * {@code errors.*}, ...) and feeds the typed {@link io.ksbridge.KafkaToSnowflakeBridge.Builder}, so a connector
 * user can bring the configuration they already have. {@link io.ksbridge.config.BridgeConfig#keys()} is the
 * reference table of every key it reads.
 */
package io.ksbridge.config;
