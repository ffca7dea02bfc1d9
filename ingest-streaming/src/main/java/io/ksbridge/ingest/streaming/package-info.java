/**
 * The Snowpipe Streaming backend: {@link io.ksbridge.ingest.streaming.StreamingBackend} writes each partition through
 * its own channel of {@code snowflake-ingest-sdk}'s streaming client and counts a batch durable once the channel's
 * committed offset token reaches it, which gives exactly-once loading across crashes, restarts and rebalances.
 * Everything else here is package-private.
 */
package io.ksbridge.ingest.streaming;
