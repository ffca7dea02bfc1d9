/**
 * The Snowflake emulator's Snowpipe Streaming side: {@link io.ksbridge.testkit.streaming.StreamingService} serves the
 * endpoints of {@code snowflake-ingest-sdk}'s classic streaming client and reads the rows back from the blobs it
 * writes. Needs the SDK on the class path (an optional dependency of the testkit).
 */
package io.ksbridge.testkit.streaming;
