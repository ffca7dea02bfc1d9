/**
 * The emulator's side of Snowpipe Streaming's high-performance architecture (the {@code com.snowflake:snowpipe-streaming}
 * SDK): the {@code /v2/streaming} REST protocol, pipes, channels with continuation and offset tokens.
 * See {@link io.ksbridge.testkit.streaminghp.HpStreamingService}.
 */
package io.ksbridge.testkit.streaminghp;
