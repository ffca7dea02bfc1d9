/**
 * What the two Snowpipe Streaming backends share (partition lanes' ordering rules, SDK exception chains). Internal:
 * exported to {@code io.ksbridge.ingest.streaming} and {@code io.ksbridge.ingest.streaminghp} only.
 */
package io.ksbridge.internal.lane;
