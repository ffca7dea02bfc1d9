/**
 * The parts of {@link io.ksbridge.testkit.SnowflakeEmulator}: its HTTP plumbing ({@link
 * io.ksbridge.testkit.emulator.JwtVerifier}, {@link io.ksbridge.testkit.emulator.Faults}, {@link
 * io.ksbridge.testkit.emulator.HttpJson}), its state ({@link io.ksbridge.testkit.emulator.TableStore} with
 * {@link io.ksbridge.testkit.emulator.EmulatedTable} and {@link io.ksbridge.testkit.emulator.Row}, stages on disk),
 * and the Snowflake services it plays (SQL REST API, Snowpipe REST). Other services (Snowpipe Streaming) mount
 * their own handlers with {@link io.ksbridge.testkit.SnowflakeEmulator#mount} and use the same pieces.
 */
package io.ksbridge.testkit.emulator;
