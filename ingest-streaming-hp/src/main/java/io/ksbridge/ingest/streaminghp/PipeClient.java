package io.ksbridge.ingest.streaminghp;

import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;

/**
 * The SDK client of one table's pipe (a client is bound to one pipe), with the names it serves.
 *
 * @param table  the resolved table name
 * @param pipe   the pipe name as the SDK is given it
 * @param client the SDK client
 */
record PipeClient(String table, String pipe, SnowflakeStreamingIngestClient client) {
}
