package io.ksbridge.ingest.streaming;

import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's channel and the batches written to it that wait for their offset token to commit. Guarded by
 * {@link #lock}: the writer thread and the commit poller both change it. The writer holds it across its SDK calls
 * (a reopen may stall for seconds); the poller only ever tries it, and skips a busy lane for one round, so one
 * stalled channel never holds back the commits of the others.
 *
 * <p>The lane keeps the partition's rows in the channel in offset order, so that the committed offset token never
 * passes a row that is not in the table. Two rules hold that order:
 * <ul>
 *   <li><b>A refusal is sticky.</b> Every batch the lane answered {@link IngestResult.Retry} is remembered in
 *       {@link #refused} until the bridge hands it over again; a later batch is never written while an earlier
 *       refused one is outstanding (it is refused too, and remembered).</li>
 *   <li><b>{@link #written} only covers rows the current channel handle accepted</b> (or its committed token covers),
 *       all of them, in order: a row is skipped as "already written" only at or below it, and a reopen resets it to
 *       the committed token.</li>
 * </ul>
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingBackend.class);

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

    final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    final String table;
    final TopicPartition partition;
    final String channelName;
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /**
     * Batches answered retry and not handed over again since: first offset to last offset. A batch is never written
     * while an earlier one is in here.
     */
    final TreeMap<Long, Long> refused = new TreeMap<>();
    /**
     * Offsets at or below {@link #written} that the channel does not hold although a token covering them may commit
     * (repaired rows whose second write failed): written again on the batch's retry.
     */
    final java.util.TreeSet<Long> holes = new java.util.TreeSet<>();
    SnowflakeStreamingIngestChannel channel;
    /** Counts the channel handles this lane opened (1 for the first): names the handle in logs. */
    int handle = 1;
    /** The channel must be reopened before the next write (it was invalidated or failed). */
    boolean needsReopen;
    /**
     * The highest offset such that every row of the partition at or below it is held by the current channel handle
     * or committed: rows at or below are not written again.
     */
    long written;
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

    /** The channel and handle, for logs: {@code orders_3#2}. */
    String handleName() {
        return channelName + "#" + handle;
    }

    /** The earliest outstanding refused batch that comes before {@code batch}, or null. Caller holds the lock. */
    Map.Entry<Long, Long> refusedBefore(IngestBatch batch) {
        Map.Entry<Long, Long> first = refused.firstEntry();
        return first != null && first.getKey() < batch.firstOffset() ? first : null;
    }

    /**
     * Answers {@code batch} with {@code cause}: retry (and remembered as refused) when the cause is retriable, fatal
     * otherwise. Caller holds the lock.
     */
    void refuse(IngestBatch batch, CompletableFuture<IngestResult> result, IngestException cause) {
        if (!cause.isRetriable()) {
            result.complete(IngestResult.fatal(cause));
            return;
        }
        if (result.complete(IngestResult.retry(cause))) {
            refused.put(batch.firstOffset(), batch.lastOffset());
            LOG.info("{} batch {} (offsets {}..{}) refused on channel {}, to be handed over again: {}", partition,
                    batch.id(), batch.firstOffset(), batch.lastOffset(), handleName(), cause.getMessage());
        }
    }

    /** Refuses every pending batch (they are retried, in order, before anything later). Caller holds the lock. */
    void failPending(IngestException cause) {
        IngestException retriable = cause.isRetriable() ? cause
                : new IngestException(cause.getMessage(), true, cause);
        for (Pending p : pending) {
            // a pending batch waits on the token: whatever failed, it is written again (the fatal cause, if any, is
            // reported by the batch that hit it)
            refuse(p.batch, p.result, retriable);
        }
        pending.clear();
    }

    /** The lane is gone (released or closed): every pending batch is answered retry, nothing is remembered. */
    void abandonPending(IngestException cause) {
        for (Pending p : pending) {
            p.result.complete(IngestResult.retry(cause));
        }
        pending.clear();
    }
}
