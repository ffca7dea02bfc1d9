/** Micrometer meters for a bridge's events: {@link io.ksbridge.metrics.micrometer.MicrometerMetrics}. */
module io.ksbridge.metrics.micrometer {
    requires transitive io.ksbridge;
    // MicrometerMetrics takes a MeterRegistry; micrometer-core declares Automatic-Module-Name micrometer.core.
    requires transitive micrometer.core;

    exports io.ksbridge.metrics.micrometer;
}
