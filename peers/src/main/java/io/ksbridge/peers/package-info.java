/**
 * Snowflake's own Kafka connector run beside ksbridge: an embedded Kafka Connect standalone worker that loads the
 * connector from a plugin folder (never from a class path), the connector's properties for the emulator, a guard that
 * keeps every client on loopback, and the bridge built from the same properties as the migration guide says. For
 * ksbridge's own tests and benchmarks; not published.
 */
package io.ksbridge.peers;
