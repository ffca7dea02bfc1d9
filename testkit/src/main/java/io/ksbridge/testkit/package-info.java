/**
 * Test tools for ksbridge and for users testing their own pipelines: {@link io.ksbridge.testkit.EmbeddedKafka}
 * (a real Kafka broker in-process), {@link io.ksbridge.testkit.RecordingBackend} (an in-memory backend with fault
 * injection), {@link io.ksbridge.testkit.TestBridges} (crash a bridge), and the Snowflake emulator.
 */
package io.ksbridge.testkit;
