package io.ksbridge.ingest.streaminghp;

import com.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
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
import org.slf4j.LoggerFactory;

/**
 * One partition's channel and the batches appended to it that wait for the committed offset token. Guarded by
 * {@link #lock}: the partition's writer holds it across its SDK calls; the commit poller only tries it and skips a
 * busy lane for one round.
 *
 * <p>Order rules, so the committed token never passes a row that is not in the table:
 * <ul>
 *   <li>A refusal is sticky: a batch answered retry stays in {@link #refused} until it is handed over again, and no
 *       later batch is appended meanwhile (it is refused too).</li>
 *   <li>{@link #written} covers only rows the current handle accepted, or its committed token covers: a reopen resets
 *       it to the committed token.</li>
 * </ul>
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger(HighPerformanceStreamingBackend.class);

    /** A batch appended (or with nothing left to append) waiting for its token to commit. */
    record Pending(IngestBatch batch, CompletableFuture<IngestResult> result, List<IngestResult.RowRejection> rejected,
                   long target) {
    }

    final ReentrantLock lock = new ReentrantLock();
    final PipeClient client;
    final TopicPartition partition;
    final String channelName;
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    final TreeMap<Long, Long> refused = new TreeMap<>();
    SnowflakeStreamingIngestChannel channel;
    int handle = 1;
    boolean needsReopen;
    long written;
    /** Server-side row errors the channel had when this handle opened (or last reported). */
    long errorsSeen;
    volatile boolean released;
    /** Start ({@link System#nanoTime}) and bytes of the current one-second append budget window. */
    long windowStart;
    long windowBytes;

    Lane(PipeClient client, TopicPartition partition, String channelName, SnowflakeStreamingIngestChannel channel,
         long written, long errorsSeen) {
        this.client = client;
        this.partition = partition;
        this.channelName = channelName;
        this.channel = channel;
        this.written = written;
        this.errorsSeen = errorsSeen;
    }

    String handleName() {
        return channelName + "#" + handle;
    }

    Map.Entry<Long, Long> refusedBefore(IngestBatch batch) {
        Map.Entry<Long, Long> first = refused.firstEntry();
        return first != null && first.getKey() < batch.firstOffset() ? first : null;
    }

    void refuse(IngestBatch batch, CompletableFuture<IngestResult> result, IngestException cause) {
        if (!cause.isRetriable()) {
            result.complete(IngestResult.fatal(cause));
            return;
        }
        if (result.complete(IngestResult.retry(cause))) {
            refused.put(batch.firstOffset(), batch.lastOffset());
            LOG.info("{} batch {} refused on channel {}, to be handed over again: {}", partition, batch.id(), handleName(),
                    cause.getMessage());
        }
    }

    void failPending(IngestException cause) {
        IngestException retriable = cause.isRetriable() ? cause : new IngestException(cause.getMessage(), true, cause);
        for (Pending p : pending) {
            refuse(p.batch(), p.result(), retriable);
        }
        pending.clear();
    }

    void abandonPending(IngestException cause) {
        for (Pending p : pending) {
            p.result().complete(IngestResult.retry(cause));
        }
        pending.clear();
    }

    /** Completes the batches the committed offset {@code committed} covers, oldest first. Caller holds the lock. */
    void completeUpTo(long committed) {
        while (!pending.isEmpty() && pending.peek().target() <= committed) {
            Pending p = pending.poll();
            p.result().complete(IngestResult.durable(p.rejected()));
        }
    }
}
