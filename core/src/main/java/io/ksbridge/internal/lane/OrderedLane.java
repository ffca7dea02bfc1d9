package io.ksbridge.internal.lane;

import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;

/**
 * The part of a Streaming backend's partition lane both Streaming backends share (Classic and high-performance):
 * the batches written to the partition's channel that wait for their offset token to commit, and the rules that keep
 * the partition's rows in the channel in offset order, so the committed token never passes a row not in the table:
 * <ul>
 *   <li><b>A refusal is sticky.</b> A batch answered {@link IngestResult.Retry} stays in {@link #refused} until the
 *       bridge hands it over again; no later batch is written meanwhile (it is refused too, and remembered).</li>
 *   <li>Pending batches complete oldest first, when the committed token reaches their target.</li>
 * </ul>
 * Guarded by {@link #lock}: the partition's writer holds it across its SDK calls; a commit poller only tries it.
 * Internal: exported to the two Streaming backend modules only.
 */
public abstract class OrderedLane {
    /** A batch written (or with nothing left to write) waiting for its token: durable once the token reaches target. */
    public record Pending(IngestBatch batch, CompletableFuture<IngestResult> result,
                          List<IngestResult.RowRejection> rejected, long target) {
    }

    /** Whether a batch may be written: the caller's reopen of the channel, when it is needed. */
    @FunctionalInterface
    public interface Reopen {
        /** Opens the channel again; refuses (through {@link #failPending}) what the old handle lost. */
        void reopen();
    }

    public final ReentrantLock lock = new ReentrantLock();
    public final TopicPartition partition;
    public final String channelName;
    public final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Batches answered retry and not handed over again since: first offset to last offset. */
    public final TreeMap<Long, Long> refused = new TreeMap<>();
    /** Counts the channel handles this lane opened (1 for the first): names the handle in logs. */
    public int handle = 1;
    /** The lane is gone (released, or the backend closed): nothing is written any more. */
    public volatile boolean released;
    private final Logger log;

    protected OrderedLane(TopicPartition partition, String channelName, Logger log) {
        this.partition = partition;
        this.channelName = channelName;
        this.log = log;
    }

    /** The channel and handle, for logs: {@code orders_3#2}. */
    public String handleName() {
        return channelName + "#" + handle;
    }

    /**
     * Decides whether {@code batch} may be written now, answering it otherwise: retry when the lane is released or
     * the backend closed, the reopen's failure when the channel had to be reopened and could not be, retry when an
     * earlier refused batch is outstanding. When it may be written, its own refusal is forgotten. Caller holds the
     * lock.
     *
     * @param closed      whether the backend is closed
     * @param mustReopen  whether the channel must be reopened before the batch is written
     * @param reopen      reopens it; an {@link IngestException} it throws refuses the pending batches and this one
     * @return true when the caller writes the batch
     */
    public boolean admit(IngestBatch batch, CompletableFuture<IngestResult> result, boolean closed, boolean mustReopen,
                         Reopen reopen) {
        if (released || closed) {
            result.complete(IngestResult.retry(new IngestException(batch.partition() + " was released", true)));
            return false;
        }
        if (mustReopen) {
            try {
                reopen.reopen();
            } catch (IngestException e) {
                failPending(e);
                refuse(batch, result, e);
                return false;
            }
        }
        Map.Entry<Long, Long> before = refusedBefore(batch);
        if (before != null) {
            refuse(batch, result, new IngestException("batch " + batch.id() + " follows the refused batch of "
                    + batch.partition() + " at offsets " + before.getKey() + ".." + before.getValue()
                    + ", which is written first", true));
            return false;
        }
        refused.remove(batch.firstOffset());
        return true;
    }

    /** The earliest outstanding refused batch that comes before {@code batch}, or null. Caller holds the lock. */
    public Map.Entry<Long, Long> refusedBefore(IngestBatch batch) {
        Map.Entry<Long, Long> first = refused.firstEntry();
        return first != null && first.getKey() < batch.firstOffset() ? first : null;
    }

    /**
     * Answers {@code batch} with {@code cause}: retry (and remembered as refused) when the cause is retriable, fatal
     * otherwise. Caller holds the lock.
     */
    public void refuse(IngestBatch batch, CompletableFuture<IngestResult> result, IngestException cause) {
        if (!cause.isRetriable()) {
            result.complete(IngestResult.fatal(cause));
            return;
        }
        if (result.complete(IngestResult.retry(cause))) {
            refused.put(batch.firstOffset(), batch.lastOffset());
            log.info("{} batch {} (offsets {}..{}) refused on channel {}, to be handed over again: {}", partition,
                    batch.id(), batch.firstOffset(), batch.lastOffset(), handleName(), cause.getMessage());
        }
    }

    /**
     * Refuses every pending batch: whatever failed, a batch waiting on the token is written again, in order, before
     * anything later (a fatal cause is reported by the batch that hit it). Caller holds the lock.
     */
    public void failPending(IngestException cause) {
        IngestException retriable = cause.isRetriable() ? cause : new IngestException(cause.getMessage(), true, cause);
        for (Pending p : pending) {
            refuse(p.batch(), p.result(), retriable);
        }
        pending.clear();
    }

    /** The lane is gone: every pending batch is answered retry, nothing is remembered. Caller holds the lock. */
    public void abandonPending(IngestException cause) {
        for (Pending p : pending) {
            p.result().complete(IngestResult.retry(cause));
        }
        pending.clear();
    }

    /** Completes the batches the committed offset {@code committed} covers, oldest first. Caller holds the lock. */
    public void completeUpTo(long committed) {
        while (!pending.isEmpty() && pending.peek().target() <= committed) {
            Pending p = pending.poll();
            p.result().complete(IngestResult.durable(p.rejected()));
        }
    }
}
