/**
 * The engine behind {@link io.ksbridge.KafkaToSnowflakeBridge}: per-partition buffers, flushing, in-flight batches,
 * retries, offsets, backpressure and the own consumer loop. Internal: not part of the API, may change in any release.
 */
package io.ksbridge.internal.engine;
