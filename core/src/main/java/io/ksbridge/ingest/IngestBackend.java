package io.ksbridge.ingest;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * Where batches go: Snowpipe files, Snowpipe Streaming channels, or a test double. A backend never sees a
 * Kafka consumer; the bridge owns buffering, flushing, retries with backoff, offsets and backpressure.
 *
 * <p>Lifecycle: {@link #start} once; then for each assigned partition {@link #open}, any number of {@link #ingest}
 * calls, {@link #release(String, TopicPartition)} when it is revoked; finally {@link #close()}. A partition may be opened again after release
 * (it moved away and back). {@code ingest} and {@code release} are called on the bridge's polling thread (release
 * inside the revoke callback), {@code open} on the bridge's opener thread (see {@link #open}); calls for different
 * partitions may overlap.
 *
 * <p>Ordering: for one partition, the bridge hands batches over in offset order, and hands a retried batch
 * over again before any later batch of that partition, in the order the backend receives them: a retried batch is
 * not handed over while a later batch of its partition, handed over before the failure, is still in flight (its
 * outcome comes first). Batches of one partition may be in flight together
 * (up to {@code maxInFlightBatches} overall). A backend that must keep a partition's rows in order (Streaming)
 * answers {@link IngestResult.Retry} for every in-flight batch after one that failed.
 *
 * <p>Completions: {@link #ingest} returns at once; the stage completes exactly once, on any thread.
 * Exceptions thrown by {@code ingest} itself count as {@link IngestResult.Fatal}.
 *
 * <p>The SPI grows by {@code default} methods only.
 */
public interface IngestBackend extends AutoCloseable {

    /**
     * Prepares the backend (clients, connections). Called once, before anything else.
     *
     * @param context what the bridge tells its backend, never null
     * @throws io.ksbridge.BridgeException when the backend cannot start; the bridge does not start either
     */
    default void start(BackendContext context) {
    }

    /**
     * A partition was assigned to this bridge and will feed {@code table}. Create what is missing (table,
     * stage, pipe, channel), reconcile what a previous owner left behind, and say where reading should resume.
     * Called on the bridge's opener thread while the partition waits, paused (a host loop that gave the bridge no
     * consumer calls it on its own thread); may block: the consumer keeps polling. Retriable failures are retried.
     *
     * @return where to resume, never null
     * @throws io.ksbridge.BridgeException when the partition cannot be opened; retriable ones are retried
     */
    PartitionStart open(String table, TopicPartition partition);

    /**
     * Starts loading a batch. Returns at once; never blocks the polling thread on I/O.
     *
     * @param batch the batch, never null, never empty of offsets (it may have no rows)
     * @return the outcome, completed exactly once, never null
     */
    CompletionStage<IngestResult> ingest(IngestBatch batch);

    /**
     * The partition is no longer this bridge's: stop writing it, and release what belongs to it (a channel).
     * In-flight batches of the partition may still complete; their outcome no longer moves offsets. Called inside the
     * revoke callback, before the partition moves: what the backend still holds for it must be settled (flushed, or
     * cut off) before this returns, so that nothing lands after the next owner read where to resume. Bound it by the
     * backend's own close timeout.
     */
    default void release(TopicPartition partition) {
    }

    /**
     * The partition no longer feeds {@code table} from this bridge: as {@link #release(TopicPartition)}, for the one
     * lane (table, partition). With a {@link io.ksbridge.TableRouter} a partition feeds several tables, each opened by
     * its own {@link #open} call, and the bridge calls this once per table it opened; without one it calls this with
     * the partition's only table. Same thread and timing rules as {@link #release(TopicPartition)}. Default: {@link
     * #release(TopicPartition)}, right for a backend that never has two tables per partition (one that says
     * {@link #supportsTableRouting()} overrides it).
     *
     * @param table the table as it was given to {@link #open}, never null
     * @param partition the partition, never null
     */
    default void release(String table, TopicPartition partition) {
        release(partition);
    }

    /**
     * Lets go of several lanes at once, as one revoke (or the bridge's close) does: the same promise as {@link
     * #release(String, TopicPartition)} for each, but a backend that settles its lanes asynchronously (a channel's
     * close, a file still loading) may start them all and wait for them together, bounded once by its close timeout
     * rather than once per lane. Same thread rules as {@link #release(String, TopicPartition)}. Default: {@link
     * #release(String, TopicPartition)} for each lane in turn.
     *
     * @param lanes (partition, table) pairs, each as given to {@link #open}; never null, may be empty
     */
    default void releaseAll(Collection<? extends Map.Entry<TopicPartition, String>> lanes) {
        for (Map.Entry<TopicPartition, String> lane : lanes) {
            release(lane.getValue(), lane.getKey());
        }
    }

    /**
     * Whether this backend keeps one lane per (table, partition), so that one partition can feed several tables at
     * once ({@link io.ksbridge.TableRouter}): {@link #open} for each table, batches told apart by
     * {@link IngestBatch#table()}, each lane with its own durable point, and {@link #release(String, TopicPartition)}
     * releasing one lane. A bridge with a router refuses, at {@code build()}, a backend that answers false. Default
     * false: a backend written for one table per partition may key its lanes by partition alone.
     *
     * @return true when a partition may feed several tables through this backend
     */
    default boolean supportsTableRouting() {
        return false;
    }

    /**
     * Whether rows should carry {@code SnowflakeConnectorPushTime} in {@code RECORD_METADATA} (Streaming
     * does, like the connector's Streaming mode). When true (and the metadata option is on) each row's metadata holds
     * a placeholder ({@link IngestRow#hasPushTime()}) that the backend fills with {@link IngestRow#stampPushTime} as
     * it hands the row to Snowflake.
     *
     * @return true when this backend stamps push time
     */
    default boolean stampsPushTime() {
        return false;
    }

    /**
     * Whether this backend reports a partition's batches durable only in offset order (Streaming: one offset token
     * per channel that only moves forward). With Java assertions on ({@code -ea}, as in tests), the bridge checks it:
     * a batch reported durable while an earlier batch of its partition is not is a backend bug that could commit
     * Kafka offsets past rows that never landed, and the bridge stops with an {@link AssertionError} naming both
     * batches. Default false (Snowpipe's files load in any order).
     */
    default boolean durableInOffsetOrder() {
        return false;
    }

    /** A short name for logs and metrics, for example {@code snowpipe}. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Stops at once, as if the process had died: flushes nothing, waits for nothing in flight, and completes no
     * batch still outstanding; then frees the threads and connections. A crash test's stop (the test kit's
     * {@code TestBridges.crash}): when the bridge is halted it calls this instead of {@link #release} and
     * {@link #close()}, so what survives is only what a killed process would leave behind. Idempotent; later calls
     * to {@link #close()} do nothing. Default: {@link #close()}, for a backend that holds nothing a crash would lose.
     */
    default void halt() {
        close();
    }

    /** Releases everything. Idempotent. In-flight batches that have not completed may be abandoned. */
    @Override
    void close();

    /**
     * {@link #close()} within {@code timeout}: return by then, abandoning what is not done (nothing the bridge has
     * committed depends on it). The bridge calls this one, with what is left of its own {@code close(Duration)};
     * if a backend overruns, the bridge stops waiting for it after the timeout and a second, logs a warning and
     * leaves it closing in the background. The bridge may call this and the last {@link #release} calls on a
     * closing thread of its own while the polling thread waits for it. Default: {@link #close()}.
     *
     * @param timeout how long closing may take, never null, never negative
     */
    default void close(java.time.Duration timeout) {
        close();
    }
}
