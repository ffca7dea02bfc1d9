/**
 * A host-loop bridge inside a Spring Kafka listener container: {@link io.ksbridge.spring.kafka.KsbridgeListenerAdapter}.
 * Needs {@code spring-kafka} on the class path.
 */
package io.ksbridge.spring.kafka;
