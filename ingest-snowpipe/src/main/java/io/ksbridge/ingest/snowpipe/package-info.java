/**
 * The Snowpipe backend: {@link io.ksbridge.ingest.snowpipe.SnowpipeBackend} writes each batch as an NDJSON file
 * (gzip or zstd) on an internal stage and has a pipe load it, with no loss and no duplicates across retries,
 * crashes and rebalances. {@link io.ksbridge.ingest.snowpipe.StageUploader} is the seam for the one step
 * Snowflake's REST APIs cannot do, putting a file on a stage. Everything else here is package-private.
 */
package io.ksbridge.ingest.snowpipe;
