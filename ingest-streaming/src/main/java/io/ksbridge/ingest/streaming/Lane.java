package io.ksbridge.ingest.streaming;

import io.ksbridge.internal.lane.OrderedLane;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

/**
 * One partition's channel and the batches written to it that wait for their offset token to commit, with the order
 * rules both Streaming backends share ({@link OrderedLane}: a refusal is sticky, pending batches complete oldest
 * first). Guarded by {@link #lock}: the writer thread and the commit poller both change it. The writer holds it across
 * its SDK calls (a reopen may stall for seconds); the poller only ever tries it, and skips a busy lane for one round,
 * so one stalled channel never holds back the commits of the others.
 *
 * <p><b>{@link #written} only covers rows the current channel handle accepted</b> (or its committed token covers), all
 * of them, in order: a row is skipped as "already written" only at or below it, and a reopen resets it to the
 * committed token.
 */
final class Lane extends OrderedLane {
    final String table;
    /**
     * Offsets at or below {@link #written} that the channel does not hold although a token covering them may commit
     * (repaired rows whose second write failed): written again on the batch's retry.
     */
    final java.util.TreeSet<Long> holes = new java.util.TreeSet<>();
    SnowflakeStreamingIngestChannel channel;
    /** The channel must be reopened before the next write (it was invalidated or failed). */
    boolean needsReopen;
    /**
     * The highest offset such that every row of the partition at or below it is held by the current channel handle
     * or committed: rows at or below are not written again.
     */
    long written;
    /** The table's columns as the current channel knows them (upper case), for schematization: {@code columnTypes}' keys. */
    java.util.Set<String> columns = java.util.Set.of();
    /** The types of those columns as the channel reports them ({@code NUMBER(10,2)}), by upper-case name. */
    java.util.Map<String, String> columnTypes = java.util.Map.of();
    /** The table's NOT NULL columns as the current channel knows them (upper case), for schematization. */
    java.util.List<String> notNull = java.util.List.of();
    /** Consecutive failed status requests of the current channel. */
    int statusFailures;
    /** The token the batched status call last reported for this lane (commit poller only). */
    String batchedToken;
    /** When {@link #batchedToken} last changed, or the channel's own status was last asked (commit poller only). */
    long batchedTokenSince;

    /**
     * Whether the batched call's {@code token} is news: true when it differs from the last one. When the same token
     * comes back for longer than {@code stallNanos}, false, and the clock restarts: the caller asks the channel's own
     * status once (the batched call drops each channel's status code, which is how a refused channel shows).
     */
    boolean progressed(String token, long now, long stallNanos) {
        if (!java.util.Objects.equals(token, batchedToken) || batchedTokenSince == 0) {
            batchedToken = token;
            batchedTokenSince = now;
            return true;
        }
        if (now - batchedTokenSince < stallNanos) {
            return true;
        }
        batchedTokenSince = now;
        return false;
    }

    Lane(String table, TopicPartition partition, String channelName, SnowflakeStreamingIngestChannel channel, long written) {
        super(partition, channelName, LoggerFactory.getLogger(StreamingBackend.class));
        this.table = table;
        this.channel = channel;
        this.written = written;
    }
}
