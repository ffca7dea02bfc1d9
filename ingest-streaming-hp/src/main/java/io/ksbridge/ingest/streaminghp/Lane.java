package io.ksbridge.ingest.streaminghp;

import com.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import io.ksbridge.internal.lane.OrderedLane;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/**
 * One partition's channel and the batches appended to it that wait for the committed offset token, with the order
 * rules both Streaming backends share ({@link OrderedLane}). Guarded by {@link #lock}: the partition's writer holds it
 * across its SDK calls; the commit poller only tries it and skips a busy lane for one round.
 *
 * <p>{@link #written} covers only rows the current handle accepted, or its committed token covers: a reopen resets it
 * to the committed token.
 */
final class Lane extends OrderedLane {
    final PipeClient client;
    SnowflakeStreamingIngestChannel channel;
    boolean needsReopen;
    long written;
    /** Server-side row errors the channel had when this handle opened (or last reported). */
    long errorsSeen;
    /** Start ({@link System#nanoTime}) and bytes of the current one-second append budget window. */
    long windowStart;
    long windowBytes;

    Lane(PipeClient client, TopicPartition partition, String channelName, SnowflakeStreamingIngestChannel channel,
         long written, long errorsSeen) {
        super(partition, channelName, LoggerFactory.getLogger(HighPerformanceStreamingBackend.class));
        this.client = client;
        this.channel = channel;
        this.written = written;
        this.errorsSeen = errorsSeen;
    }
}
