/**
 * Spring Boot auto-configuration for ksbridge: {@link io.ksbridge.spring.boot.KsbridgeProperties} (the
 * {@code ksbridge.*} properties), {@link io.ksbridge.spring.boot.KsbridgeAutoConfiguration} (an own-loop bridge
 * started and stopped with the application context), {@link io.ksbridge.spring.boot.KsbridgeHealthIndicator} and the
 * secrets' masking in Actuator's endpoints.
 */
package io.ksbridge.spring.boot;
