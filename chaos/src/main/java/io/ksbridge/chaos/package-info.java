/**
 * The chaos suite: a coordinator ({@link io.ksbridge.chaos.ChaosRunner}) that runs a Kafka broker and the Snowflake
 * emulator, drives worker JVMs ({@link io.ksbridge.chaos.ChaosWorker}) embedding bridges in one consumer group,
 * kills them with SIGKILL, injects emulator faults and poison records, and counts every row that landed.
 * Not a library: nothing depends on this module.
 */
package io.ksbridge.chaos;
