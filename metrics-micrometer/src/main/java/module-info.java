/**
 * Micrometer meters for a bridge's events: {@link io.ksbridge.metrics.micrometer.MicrometerMetrics}, and
 * {@link io.ksbridge.metrics.micrometer.SourceMetrics} for a Snowflake to Kafka bridge.
 */
module io.ksbridge.metrics.micrometer {
    requires transitive io.ksbridge;
    // MicrometerMetrics takes a MeterRegistry; micrometer-core declares Automatic-Module-Name micrometer.core.
    requires transitive micrometer.core;
    // SourceMetrics listens to a SnowflakeToKafkaBridge (an automatic module); optional at run time.
    requires static io.ksbridge.source;

    exports io.ksbridge.metrics.micrometer;
}
