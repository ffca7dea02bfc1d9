package io.ksbridge.spring.boot;

import io.ksbridge.KafkaToSnowflakeBridge;

/**
 * Adjusts the auto-configured bridge's builder after the {@code ksbridge.*} properties were applied and before
 * {@code build()}: for settings that have no property (a custom {@code RetryPolicy}, a key format, a flush policy
 * of your own). Declare one or more as beans; they run in {@code @Order}. Called once, on the thread that creates
 * the bridge bean.
 */
@FunctionalInterface
public interface KsbridgeBuilderCustomizer {
    void customize(KafkaToSnowflakeBridge.Builder builder);
}
