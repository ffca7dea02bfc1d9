package io.ksbridge;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * A batch stayed with the backend longer than {@code batchTimeout} without an outcome: the bridge stopped, committing
 * nothing past the partition's last durable batch. The rows may or may not have landed; a restart reads them again
 * from Kafka and the backend's own deduplication (offset tokens, the pipe's load history) decides.
 */
public final class BatchTimeoutException extends IngestException {
    private static final long serialVersionUID = 1L;

    private final transient TopicPartition partition;
    private final String table;
    private final long firstOffset;
    private final long lastOffset;
    private final Duration waited;

    public BatchTimeoutException(String backend, String table, TopicPartition partition, long firstOffset,
                                 long lastOffset, int attempt, Duration waited, Duration timeout) {
        super("batch of " + partition + " offsets " + firstOffset + "-" + lastOffset + " for table " + table
                + " (attempt " + attempt + ") has been with backend " + backend + " for " + waited
                + " without an outcome, more than batchTimeout (" + timeout + "); the bridge stops, committing nothing"
                + " past the partition's last durable batch: a restart reads from there again", false);
        this.partition = Objects.requireNonNull(partition, "partition");
        this.table = table;
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
        this.waited = waited;
    }

    /** The batch's partition. */
    public TopicPartition partition() {
        return partition;
    }

    /** The batch's table. */
    public String table() {
        return table;
    }

    /** The batch's first offset. */
    public long firstOffset() {
        return firstOffset;
    }

    /** The batch's last offset. */
    public long lastOffset() {
        return lastOffset;
    }

    /** How long the batch had been with the backend when the bridge gave up on it. */
    public Duration waited() {
        return waited;
    }
}
