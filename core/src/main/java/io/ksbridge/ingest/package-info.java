/**
 * The backend SPI: how the bridge hands batches of formatted rows to a destination (Snowpipe files, Snowpipe
 * Streaming channels, or a test double) and learns their outcome. Implement {@link io.ksbridge.ingest.IngestBackend}
 * to add a destination; the engine keeps buffering, retries, offsets and backpressure.
 */
package io.ksbridge.ingest;
