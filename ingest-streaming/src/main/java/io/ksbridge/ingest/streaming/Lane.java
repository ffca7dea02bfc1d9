package io.ksbridge.ingest.streaming;

import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition's channel and the batches written to it that wait for their offset token to commit. Guarded by
 * its own monitor: the writer thread and the commit poller both change it.
 */
final class Lane {
    /** No failure is waiting for its retry. */
    static final long HEALTHY = Long.MAX_VALUE;

    /** A batch written to the channel (or with nothing left to write), waiting for the committed token. */
    static final class Pending {
        final IngestBatch batch;
        final CompletableFuture<IngestResult> result;
        final List<IngestResult.RowRejection> rejected;
        /** The committed token that makes it durable, or -1 when nothing of it needs committing. */
        final long target;

        Pending(IngestBatch batch, CompletableFuture<IngestResult> result, List<IngestResult.RowRejection> rejected,
                long target) {
            this.batch = batch;
            this.result = result;
            this.rejected = rejected;
            this.target = target;
        }
    }

    final String table;
    final TopicPartition partition;
    final String channelName;
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    SnowflakeStreamingIngestChannel channel;
    /** The channel must be reopened before the next write (it was invalidated or failed). */
    boolean needsReopen;
    /** The highest offset the current channel holds or has committed (rows at or below are not written again). */
    long written;
    /** The first offset of the earliest batch failed with retry and not yet written again, or {@link #HEALTHY}. */
    long failedFrom = HEALTHY;
    /** The table's columns as the current channel knows them (upper case), for schematization. */
    java.util.Set<String> columns = java.util.Set.of();
    /** Consecutive failed status requests of the current channel. */
    int statusFailures;
    volatile boolean released;

    Lane(String table, TopicPartition partition, String channelName, SnowflakeStreamingIngestChannel channel, long written) {
        this.table = table;
        this.partition = partition;
        this.channelName = channelName;
        this.channel = channel;
        this.written = written;
    }

    /** Completes every pending batch with retry and marks the lane broken from the first of them. Caller holds the lock. */
    void failPending(Throwable cause, long from) {
        long first = from;
        for (Pending p : pending) {
            first = Math.min(first, p.batch.firstOffset());
            p.result.complete(IngestResult.retry(cause));
        }
        pending.clear();
        failedFrom = Math.min(failedFrom, first);
    }
}
