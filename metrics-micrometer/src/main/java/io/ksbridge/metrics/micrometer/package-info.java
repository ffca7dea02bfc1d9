/** Micrometer meters for ksbridge: {@link io.ksbridge.metrics.micrometer.MicrometerMetrics}. */
package io.ksbridge.metrics.micrometer;
