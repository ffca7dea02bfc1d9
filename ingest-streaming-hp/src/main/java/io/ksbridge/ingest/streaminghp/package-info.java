/**
 * The Snowpipe Streaming backend on Snowflake's high-performance architecture
 * ({@link io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend}): PIPE objects, named channels, offset
 * tokens, exactly once per partition.
 */
package io.ksbridge.ingest.streaminghp;
