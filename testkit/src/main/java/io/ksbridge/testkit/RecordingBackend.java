package io.ksbridge.testkit;

import io.ksbridge.IngestException;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * An in-memory {@link IngestBackend} that records every row, for testing a bridge without Snowflake. It behaves
 * like a backend with exactly-once support: it keeps, per partition, the last offset its durable batches cover
 * and reports it from {@link #open} (as Streaming reports its offset token), and it fences a partition's previous
 * owner when another bridge opens it (as a reopened Streaming channel invalidates the old one).
 *
 * <p>Several bridges of one consumer group share one store: give each its own backend with
 * {@link #sharing(RecordingBackend)}. Faults can be switched on at any time: failed batches (retriable or
 * fatal), a stall (batches wait until {@link #resume()}), a delay, rows rejected by offset.
 *
 * <p>Thread-safe.
 */
public final class RecordingBackend implements IngestBackend {

    /** One recorded row. {@code content} and {@code metadata} are the JSON text (metadata may be null). */
    public record Row(String table, TopicPartition partition, long offset, String content, String metadata) {
    }

    private static final class Store {
        final Map<String, List<Row>> tables = new TreeMap<>();
        final Map<TopicPartition, Long> covered = new HashMap<>();
        final Map<TopicPartition, Long> epochs = new HashMap<>();
        final Set<String> durableBatchIds = new HashSet<>();
        long repeatedBatches;
        long fencedBatches;
    }

    private final Store store;
    private final Map<TopicPartition, Long> myEpochs = new HashMap<>();
    private final ScheduledExecutorService executor;
    private final AtomicInteger failRetriable = new AtomicInteger();
    private final AtomicInteger failFatal = new AtomicInteger();
    private final AtomicLong batches = new AtomicLong();
    private final Set<Long> rejectOffsets = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Runnable> stalled = new ArrayList<>();
    private volatile boolean stall;
    private volatile Duration delay = Duration.ZERO;
    private volatile int openCount;

    /** A backend with a store of its own. */
    public RecordingBackend() {
        this(new Store());
    }

    private RecordingBackend(Store store) {
        this.store = store;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "recording-backend");
            t.setDaemon(true);
            return t;
        });
    }

    /** A new backend (for another bridge) writing into the same store as {@code other}. */
    public static RecordingBackend sharing(RecordingBackend other) {
        return new RecordingBackend(other.store);
    }

    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        synchronized (store) {
            openCount++;
            long epoch = store.epochs.merge(partition, 1L, Long::sum);
            synchronized (myEpochs) {
                myEpochs.put(partition, epoch);
            }
            Long last = store.covered.get(partition);
            return last == null ? PartitionStart.unknown() : PartitionStart.at(last + 1);
        }
    }

    @Override
    public CompletionStage<IngestResult> ingest(IngestBatch batch) {
        batches.incrementAndGet();
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        Runnable work = () -> result.complete(apply(batch));
        synchronized (stalled) {
            if (stall) {
                stalled.add(work);
                return result;
            }
        }
        Duration d = delay;
        if (d.isZero()) {
            executor.execute(work);
        } else {
            executor.schedule(work, d.toMillis(), TimeUnit.MILLISECONDS);
        }
        return result;
    }

    private IngestResult apply(IngestBatch batch) {
        if (failFatal.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return IngestResult.fatal(new IngestException("injected fatal failure for batch " + batch.id(), false));
        }
        if (failRetriable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return IngestResult.retry(new IngestException("injected transient failure for batch " + batch.id(), true));
        }
        TopicPartition tp = batch.partition();
        synchronized (store) {
            Long mine;
            synchronized (myEpochs) {
                mine = myEpochs.get(tp);
            }
            if (mine == null || !mine.equals(store.epochs.get(tp))) {
                store.fencedBatches++;
                return IngestResult.retry(new IngestException("partition " + tp + " was opened by another bridge; "
                        + "this one is fenced", true));
            }
            if (!store.durableBatchIds.add(batch.id())) {
                store.repeatedBatches++;
                return IngestResult.durable();
            }
            List<IngestResult.RowRejection> rejected = new ArrayList<>();
            List<Row> rows = store.tables.computeIfAbsent(batch.table(), t -> new ArrayList<>());
            for (IngestRow r : batch.rows()) {
                if (rejectOffsets.contains(r.offset())) {
                    rejected.add(new IngestResult.RowRejection(r.offset(), "injected rejection of offset " + r.offset()));
                    continue;
                }
                rows.add(new Row(batch.table(), tp, r.offset(), r.contentString(), r.metadataString()));
            }
            store.covered.merge(tp, batch.lastOffset(), Math::max);
            return IngestResult.durable(rejected);
        }
    }

    // ---------------------------------------------------------------- reading back

    /** The rows of {@code table}, in the order they became durable; a copy. */
    public List<Row> rows(String table) {
        synchronized (store) {
            return List.copyOf(store.tables.getOrDefault(table, List.of()));
        }
    }

    /** Every table that has rows. */
    public Set<String> tables() {
        synchronized (store) {
            return Set.copyOf(store.tables.keySet());
        }
    }

    /** The number of rows over all tables. */
    public long rowCount() {
        synchronized (store) {
            return store.tables.values().stream().mapToLong(List::size).sum();
        }
    }

    /** The last offset durable batches cover, per partition. */
    public Map<TopicPartition, Long> coveredOffsets() {
        synchronized (store) {
            return Map.copyOf(store.covered);
        }
    }

    /** Batches handed to this backend (all attempts). */
    public long batchCount() {
        return batches.get();
    }

    /** Batches refused because another bridge had opened their partition since. */
    public long fencedBatchCount() {
        synchronized (store) {
            return store.fencedBatches;
        }
    }

    /** Batches with the same id as one already durable (a retry after a lost response); not stored again. */
    public long repeatedBatchCount() {
        synchronized (store) {
            return store.repeatedBatches;
        }
    }

    /** How many times partitions were opened through this backend. */
    public int openCount() {
        return openCount;
    }

    // ---------------------------------------------------------------- faults

    /** The next {@code n} batches fail with a retriable error. */
    public RecordingBackend failNextRetriably(int n) {
        failRetriable.set(n);
        return this;
    }

    /** The next {@code n} batches fail with a fatal error. */
    public RecordingBackend failNextFatally(int n) {
        failFatal.set(n);
        return this;
    }

    /** Batches wait, incomplete, until {@link #resume()}. */
    public RecordingBackend stall() {
        synchronized (stalled) {
            stall = true;
        }
        return this;
    }

    /** Lets stalled batches through and stops stalling. */
    public RecordingBackend resume() {
        List<Runnable> release;
        synchronized (stalled) {
            stall = false;
            release = new ArrayList<>(stalled);
            stalled.clear();
        }
        release.forEach(executor::execute);
        return this;
    }

    /** Every batch completes only after {@code delay}. */
    public RecordingBackend delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Rows at these offsets (of any partition) are rejected as Snowflake rejects invalid rows. */
    public RecordingBackend rejectOffsets(Set<Long> offsets) {
        rejectOffsets.addAll(offsets);
        return this;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
