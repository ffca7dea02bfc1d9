package io.ksbridge.internal.engine;

import io.ksbridge.BridgeClosedException;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeException;
import io.ksbridge.BridgeListener;
import io.ksbridge.BridgeSettings;
import io.ksbridge.BufferStats;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FormatContext;
import io.ksbridge.IngestException;
import io.ksbridge.NullValueBehavior;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's engine: per-partition buffers, flushing, in-flight batches, retries, offsets, backpressure, and
 * the own consumer loop. All buffer state belongs to one polling thread (the loop thread, or the host thread that
 * calls {@code accept}); backend completions come back through a queue.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final byte[] EMPTY_OBJECT = {'{', '}'};
    private static final long LAG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Checks of the backends' promises, on when Java assertions are ({@code -ea}, as in every test run of this
     * project): a broken promise stops the bridge with an {@link AssertionError} naming the batches.
     */
    static final boolean CHECKS = checksEnabled();

    @SuppressWarnings("AssertWithSideEffects")
    private static boolean checksEnabled() {
        boolean on = false;
        assert on = true;
        return on;
    }

    private enum State { NEW, RUNNING, STOPPED }

    private record Completion(InFlight batch, IngestResult result) {
    }

    private final BridgeSettings s;
    private final IngestBackend backend;
    private final Ticker ticker;
    private final RetryLog retryLog;
    private final PartitionOpener opener;
    /** The first offset of records handed over for a partition still opening, and so passed over. */
    private final Map<TopicPartition, Long> skippedWhileOpening = new HashMap<>();
    private final BridgeListener listener;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final ReentrantLock hostLock = new ReentrantLock();
    /** Makes start() and close() of an own-loop bridge one step each: close never sees a half-started loop. */
    private final Object lifecycle = new Object();
    /** Own loop: the durable offsets as the loop thread last published them; any thread may read them. */
    private volatile Map<TopicPartition, OffsetAndMetadata> publishedDurable = Map.of();
    private boolean durableChanged;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();

    private volatile Throwable failure;
    private volatile boolean closeRequested;
    private volatile boolean haltRequested;
    private volatile long closeDeadlineNanos;
    private volatile long bufferedBytesView;
    private volatile Thread loopThread;
    private volatile Consumer<byte[], byte[]> ownConsumer;
    private boolean ownLoop;
    /** A virtual-machine error that ended the own loop, thrown again once the loop has let go of its resources. */
    private VirtualMachineError fatalError;
    private boolean backendStarted;

    // polling-thread state
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private final Map<TopicPartition, Long> seekTargets = new HashMap<>();
    private final Set<TopicPartition> backoffPaused = new HashSet<>();
    private final RowOutput valueOut = new RowOutput();
    private final RowOutput keyOut = new RowOutput();
    private final Ctx ctx = new Ctx();
    private MetadataWriter metadata;
    private DeadLetterWriter deadLetters;
    private long bufferedBytes;
    private int inFlight;
    private boolean memoryPaused;
    private long lastCommitNanos;
    private long lastLagNanos;
    /** The host's consumer, when it passed one to {@link #rebalanceListener}; read only on its polling thread. */
    private volatile Consumer<byte[], byte[]> hostConsumer;

    public Engine(BridgeSettings settings) {
        this(settings, Ticker.system());
    }

    /**
     * An engine whose timers (flush age, retry backoff, batch deadlines, commit and lag intervals) read
     * {@code ticker}: tests move time by hand. Close and revoke waits are real waits and read the system clock.
     */
    public Engine(BridgeSettings settings, Ticker ticker) {
        this.s = settings;
        this.ticker = ticker;
        this.retryLog = new RetryLog(ticker);
        this.lastLagNanos = ticker.nanoTime() - LAG_INTERVAL_NANOS;
        this.backend = settings.backend();
        this.listener = SafeListener.of(List.of(settings.listener()));
        this.opener = new PartitionOpener(settings.name(), backend, settings.retryPolicy(), ticker, retryLog, listener);
    }

    // ------------------------------------------------------------------ lifecycle

    public void start() {
        checkOwnLoop();
        synchronized (lifecycle) {
            if (!state.compareAndSet(State.NEW, State.RUNNING)) {
                throw new IllegalStateException("bridge " + s.name() + " was already started or closed");
            }
            Thread t = new Thread(this::loop, "ksbridge-" + s.name());
            t.setDaemon(false);
            loopThread = t;
            t.start();
        }
    }

    public void runHere() {
        checkOwnLoop();
        synchronized (lifecycle) {
            if (!state.compareAndSet(State.NEW, State.RUNNING)) {
                throw new IllegalStateException("bridge " + s.name() + " was already started or closed");
            }
            loopThread = Thread.currentThread();
        }
        loop();
        Throwable f = failure;
        if (f != null) {
            throw f instanceof BridgeException be ? be : new BridgeException("bridge " + s.name() + " failed: " + f, f);
        }
    }

    private void checkOwnLoop() {
        if (!s.ownsConsumer()) {
            throw new IllegalStateException("start() needs topics and consumerProperties; this bridge was built for "
                    + "the host loop: call accept(records) from your consumer loop instead");
        }
    }

    public void close(Duration timeout) {
        closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
        closeRequested = true;
        if (s.ownsConsumer()) {
            // the loop thread drains and lets go; this thread only wakes it and waits (never drains itself)
            Thread t;
            synchronized (lifecycle) {
                if (state.compareAndSet(State.NEW, State.STOPPED)) {
                    terminated.countDown(); // never started: nothing to drain or release
                    return;
                }
                t = loopThread;
            }
            Consumer<byte[], byte[]> c = ownConsumer;
            if (c != null) {
                c.wakeup();
            }
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(Math.max(1, timeout.toMillis() + 10_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return;
        }
        hostLock.lock();
        try {
            if (state.get() == State.STOPPED) {
                return;
            }
            if (state.get() == State.RUNNING && (failure == null || failure instanceof RecordFormatException)) {
                try {
                    drain();
                } catch (Throwable t) {
                    recordFailure(t);
                }
            }
            shutdownResources();
        } finally {
            state.set(State.STOPPED);
            terminated.countDown();
            hostLock.unlock();
        }
    }

    /** Stops at once, as a crash would: no flush, no commit. For tests (the testkit's crash helper). */
    public void halt() {
        haltRequested = true;
        closeRequested = true;
        Consumer<byte[], byte[]> c = ownConsumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = loopThread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (t == null) {
            hostLock.lock();
            try {
                shutdownResources();
                state.set(State.STOPPED);
                terminated.countDown();
            } finally {
                hostLock.unlock();
            }
        }
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        boolean done = terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        Throwable f = failure;
        if (done && f != null) {
            throw f instanceof BridgeException be ? be : new BridgeException("bridge " + s.name() + " failed: " + f, f);
        }
        return done;
    }

    public boolean isRunning() {
        return state.get() == State.RUNNING && failure == null;
    }

    public Throwable failure() {
        return failure;
    }

    public long bufferedBytes() {
        return bufferedBytesView;
    }

    /**
     * What a backend reports from its own threads (Snowpipe loads that failed after {@code insertFiles} accepted
     * them) passes to the user's listener; under {@link ErrorPolicy#failFast()} it also stops the bridge, on the
     * polling thread, at its next turn.
     */
    private final class LoadFailureGate extends SafeListener {
        LoadFailureGate() {
            super(List.of(listener));
        }

        @Override
        public void onLoadFailure(BridgeEvents.LoadFailure event) {
            super.onLoadFailure(event);
            if (s.errorPolicy().action() == ErrorPolicy.Action.FAIL && asyncFailure == null) {
                asyncFailure = new IngestException("Snowflake could not load the rows of " + event.partition()
                        + " offsets " + event.firstOffset() + "-" + event.lastOffset() + " into " + event.table() + ": "
                        + event.error() + " (the file is kept at " + event.location() + "; fix the data or the table and "
                        + "load it from there, or choose ErrorPolicy.skip() or deadLetter(...) to go on past such files)",
                        false);
            }
        }
    }

    private volatile IngestException asyncFailure;

    private void checkAsyncFailure() {
        IngestException f = asyncFailure;
        if (f != null) {
            throw f;
        }
    }

    /** What a host call throws for {@code t}: a bridge exception as it is, an {@link Error} never wrapped. */
    private RuntimeException asThrown(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof BridgeException be ? be : new BridgeException("bridge " + s.name() + " failed: " + t, t);
    }

    private void recordFailure(Throwable t) {
        if (failure == null) {
            failure = t;
            log.error("bridge {} stopped: {}", s.name(), t.toString());
            listener.onFailure(t);
        }
    }

    private void startBackend() {
        if (!backendStarted) {
            backendStarted = true;
            metadata = new MetadataWriter(s.metadata(), backend.stampsPushTime());
            backend.start(new BackendContext(s.name(), new LoadFailureGate(), s.retryPolicy(), s.errorPolicy()));
        }
    }

    /**
     * Releases the partitions and closes the dead-letter producer and the backend, within what is left of the close
     * deadline (at least a second when none was set): on a closing thread that the caller waits for until then, so a
     * backend that hangs delays {@code close(Duration)} by at most a second more than asked.
     */
    private void shutdownResources() {
        List<TopicPartition> open = new ArrayList<>(partitions.keySet());
        partitions.clear();
        opener.shutdown(haltRequested ? tp -> { } : this::releaseQuietly); // a crash releases nothing
        long deadline = closeDeadlineNanos;
        long now = System.nanoTime();
        Duration left = Duration.ofNanos(deadline == 0 ? s.closeTimeout().toNanos() : Math.max(0, deadline - now));
        Thread closer = new Thread(() -> {
            opener.awaitIdle(left); // no open racing the close
            if (!haltRequested) { // a crash releases nothing: the backend's halt() drops it all at once
                for (TopicPartition tp : open) {
                    releaseQuietly(tp);
                }
            }
            if (deadLetters != null) {
                try {
                    deadLetters.close(left);
                } catch (RuntimeException e) {
                    log.warn("closing the dead-letter producer failed: {}", e.toString());
                }
            }
            try {
                if (haltRequested) {
                    backend.halt();
                } else {
                    backend.close(left);
                }
            } catch (RuntimeException e) {
                log.warn("closing backend {} failed: {}", backend.name(), e.toString());
            }
        }, "ksbridge-" + s.name() + "-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(left.toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("bridge {}: backend {} did not close within {} (what was left of the close timeout) and a second; "
                    + "leaving it to finish in the background", s.name(), backend.name(), left);
        }
    }

    // ------------------------------------------------------------------ own loop

    private void loop() {
        ownLoop = true;
        KafkaConsumer<byte[], byte[]> consumer = null;
        try {
            startBackend();
            Map<String, Object> props = new HashMap<>(s.consumerProperties());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ksbridge-" + s.name());
            // Cooperative rebalancing moves only the partitions that change owner: the others keep their buffers and
            // backend state (Snowpipe reconciliation, Streaming channels) instead of being closed and reopened.
            props.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            ownConsumer = consumer;
            lastCommitNanos = ticker.nanoTime() - s.commitInterval().toNanos(); // the first durable offsets commit at once
            ConsumerRebalanceListener rebalance = rebalanceListener(consumer);
            if (s.topicPattern() != null) {
                consumer.subscribe(s.topicPattern(), rebalance);
            } else {
                consumer.subscribe(s.topics(), rebalance);
            }
            while (!closeRequested) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(s.pollTimeout());
                } catch (WakeupException e) {
                    continue;
                }
                process(records, consumer);
                maintain(consumer);
                commit(consumer, false);
                reportLag(consumer);
                publishDurable();
            }
            if (!haltRequested) {
                drain();
                publishDurable();
                try {
                    commit(consumer, true);
                } catch (org.apache.kafka.clients.consumer.CommitFailedException e) {
                    log.warn("bridge {} could not commit on close (the group has already reassigned its partitions; their new "
                            + "owners resume from what Snowflake holds): {}", s.name(), e.getMessage());
                }
            }
        } catch (WakeupException e) {
            if (!closeRequested) {
                recordFailure(e);
            }
        } catch (Throwable t) {
            recordFailure(t);
            if (t instanceof VirtualMachineError) {
                fatalError = (VirtualMachineError) t; // out of memory and the like: no drain, no commit
            } else if (consumer != null && !haltRequested) {
                try {
                    if (t instanceof RecordFormatException) {
                        // The rows before the bad record are good: load them, so a restart starts at the bad one.
                        closeDeadlineNanos = System.nanoTime() + s.closeTimeout().toNanos();
                        drain();
                    } else {
                        drainCompletions();
                    }
                    commit(consumer, true);
                } catch (Throwable t2) {
                    log.warn("could not commit durable offsets after the failure: {}", t2.toString());
                }
            }
        } finally {
            ownConsumer = null;
            if (consumer != null) {
                try {
                    consumer.close(Duration.ofSeconds(haltRequested ? 0 : 5));
                } catch (Throwable t) {
                    log.warn("closing the consumer failed: {}", t.toString());
                }
            }
            shutdownResources();
            state.set(State.STOPPED);
            terminated.countDown();
        }
        if (fatalError != null) {
            throw fatalError; // the loop thread ends with it: its uncaught-exception handler sees it
        }
    }

    /** Own loop: hands the durable offsets to other threads as an immutable snapshot, when they changed. */
    private void publishDurable() {
        if (!durableChanged) {
            return;
        }
        durableChanged = false;
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.durableNext >= 0) {
                out.put(ps.tp, new OffsetAndMetadata(ps.durableNext));
            }
        }
        publishedDurable = Map.copyOf(out);
    }

    private void commit(Consumer<byte[], byte[]> consumer, boolean sync) {
        long now = ticker.nanoTime();
        if (!sync && now - lastCommitNanos < s.commitInterval().toNanos()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Long> plain = new HashMap<>();
        for (PartitionState ps : partitions.values()) {
            if (ps.durableNext >= 0 && ps.durableNext > ps.committedNext) {
                offsets.put(ps.tp, new OffsetAndMetadata(ps.durableNext));
                plain.put(ps.tp, ps.durableNext);
            }
        }
        lastCommitNanos = now;
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            commitSync(consumer, offsets);
            markCommitted(plain);
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    log.warn("committing offsets failed, will retry: {}", error.toString());
                } else {
                    markCommitted(plain);
                }
            });
        }
    }

    /**
     * commitSync that survives the one wake-up {@code close()} sends: when close lands while the loop is not in
     * poll, the wake-up fires in the next blocking call, which may be this final commit.
     */
    private static void commitSync(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            consumer.commitSync(offsets);
        }
    }

    private void markCommitted(Map<TopicPartition, Long> offsets) {
        offsets.forEach((tp, off) -> {
            PartitionState ps = partitions.get(tp);
            if (ps != null && off > ps.committedNext) {
                ps.committedNext = off;
            }
        });
        listener.onCommit(new BridgeEvents.Commit(offsets));
    }

    // ------------------------------------------------------------------ host loop

    public void accept(ConsumerRecords<byte[], byte[]> records) {
        hostLock.lock();
        try {
            ensureHostRunning();
            try {
                process(records, null);
                maintain(null);
                completeOpens(hostConsumer, ticker.nanoTime());
                Consumer<byte[], byte[]> host = hostConsumer;
                if (host != null) {
                    reportLag(host);
                }
            } catch (Throwable t) {
                recordFailure(t);
                throw asThrown(t);
            }
        } finally {
            hostLock.unlock();
        }
    }

    private void ensureHostRunning() {
        if (s.ownsConsumer()) {
            throw new IllegalStateException("this bridge runs its own consumer loop (topics were set); accept() is for "
                    + "host-loop bridges built without topics");
        }
        if (failure != null) {
            throw new BridgeClosedException("bridge " + s.name() + " stopped on a failure: " + failure.getMessage(), failure);
        }
        if (closeRequested || state.get() == State.STOPPED) {
            throw new BridgeClosedException("bridge " + s.name() + " is closed");
        }
        if (state.compareAndSet(State.NEW, State.RUNNING)) {
            startBackend();
        }
    }

    public Map<TopicPartition, OffsetAndMetadata> durableOffsets() {
        if (s.ownsConsumer()) {
            return publishedDurable; // immutable, published by the loop thread
        }
        hostLock.lock();
        try {
            if (state.get() == State.RUNNING && failure == null && !ownLoop) {
                drainCompletions();
            }
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(finalOffsets);
            // a partition revoked since the last call: its last durable offset, handed out once (the next owner
            // commits its own from then on, and a stale copy must never move the group's offset back)
            out.putAll(revokedOffsets);
            revokedOffsets.clear();
            for (PartitionState ps : partitions.values()) {
                if (ps.durableNext >= 0) {
                    out.put(ps.tp, new OffsetAndMetadata(ps.durableNext)); // a live partition's own offset wins
                }
            }
            return out;
        } finally {
            hostLock.unlock();
        }
    }

    /** Durable offsets of partitions released while closing, kept so the host can commit them after close. */
    private final Map<TopicPartition, OffsetAndMetadata> finalOffsets = new HashMap<>();
    /**
     * Host loop without a consumer: durable offsets of partitions revoked since the last {@link #durableOffsets()},
     * handed out by it once; dropped when the partition is assigned again.
     */
    private final Map<TopicPartition, OffsetAndMetadata> revokedOffsets = new HashMap<>();

    public Map<TopicPartition, Long> seekTargets() {
        if (s.ownsConsumer()) {
            return Map.of(); // the own loop seeks its consumer itself
        }
        hostLock.lock();
        try {
            return new HashMap<>(seekTargets);
        } finally {
            hostLock.unlock();
        }
    }

    public ConsumerRebalanceListener rebalanceListener(Consumer<?, ?> consumer) {
        @SuppressWarnings("unchecked")
        Consumer<byte[], byte[]> c = (Consumer<byte[], byte[]>) consumer;
        if (c != null && !s.ownsConsumer()) {
            hostConsumer = c;
        }
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                guarded(() -> revoke(revoked, c, true));
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                guarded(() -> revoke(lost, c, false));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                guarded(() -> assign(assigned, c));
            }
        };
    }

    private void guarded(Runnable r) {
        boolean host = !ownLoop;
        if (host) {
            hostLock.lock();
        }
        try {
            if (haltRequested || failure != null) {
                return; // crashed or failed: nothing more is flushed, waited for or committed
            }
            if (host) {
                if (closeRequested || state.get() == State.STOPPED) {
                    return; // the host's consumer closes after the bridge: its partitions are already released
                }
                ensureHostRunning();
            }
            r.run();
        } catch (Throwable t) {
            if (t instanceof WakeupException wakeup && closeRequested) {
                throw wakeup; // close() woke the consumer inside a rebalance: the loop ends cleanly, not as a failure
            }
            recordFailure(t);
            throw asThrown(t);
        } finally {
            if (host) {
                hostLock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ rebalance

    private void assign(Collection<TopicPartition> assigned, Consumer<byte[], byte[]> consumer) {
        for (TopicPartition tp : assigned) {
            revokedOffsets.remove(tp); // ours again: only the live offset counts
            finalOffsets.remove(tp);
            if (!partitions.containsKey(tp) && !opener.isOpening(tp)) {
                if (consumer != null) {
                    consumer.pause(Set.of(tp)); // until it is open: the callback returns at once
                    opener.begin(tp, tableFor(tp));
                } else {
                    open(tp, null); // nothing to pause: the host seeks to seekTargets() after this returns
                }
            }
        }
        if (consumer != null && memoryPaused) {
            consumer.pause(assigned);
        }
        listener.onAssigned(Set.copyOf(assigned));
    }

    /**
     * Polling thread: partitions whose open succeeded start (seek, and resume unless the memory cap holds them); a
     * retriable failure is tried again after its backoff, still paused; any other stops the bridge.
     */
    private void completeOpens(Consumer<byte[], byte[]> consumer, long now) {
        if (consumer == null || opener.opening().isEmpty()) {
            return;
        }
        opener.collect(now, closeRequested, (tp, table, start) -> {
            started(tp, table, start, consumer);
            if (!memoryPaused) {
                consumer.resume(Set.of(tp));
            }
        });
    }

    private String tableFor(TopicPartition tp) {
        String table;
        try {
            table = s.tableNamer().tableName(tp.topic());
        } catch (RuntimeException e) {
            throw new BridgeConfigException("tableNamer", tp.topic(), "cannot name a table for topic '" + tp.topic()
                    + "': " + e.getMessage());
        }
        if (table == null || table.isBlank()) {
            throw new BridgeConfigException("tableNamer", tp.topic(), "returned no table name for topic '" + tp.topic() + "'");
        }
        return table;
    }

    /** Opens on the polling thread, retrying in place: the host loop that gave the bridge no consumer to pause. */
    private PartitionState open(TopicPartition tp, Consumer<byte[], byte[]> consumer) {
        String table = tableFor(tp);
        return started(tp, table, openWithRetry(table, tp), consumer);
    }

    /** The backend opened the partition: where it resumes (seek, or a seek target for the host), and its state. */
    private PartitionState started(TopicPartition tp, String table, PartitionStart start,
                                   Consumer<byte[], byte[]> consumer) {
        PartitionState ps = new PartitionState(tp, table);
        if (start.nextOffset().isPresent()) {
            long next = start.nextOffset().getAsLong();
            if (consumer != null) {
                OffsetAndMetadata committed = committedOffset(consumer, tp);
                // Kafka's commit is never ahead of durable data (we only commit durable offsets), so the larger of
                // the two is where Snowflake's data ends. Records a backend does not store (dead-lettered at the
                // very end of a range) may put Kafka ahead.
                if (committed != null && committed.offset() > next) {
                    next = committed.offset();
                }
                consumer.seek(tp, next);
            } else {
                seekTargets.put(tp, next);
            }
            ps.nextOffset = next;
            ps.rangeStart = next;
            ps.durableNext = next;
            durableChanged = true;
        } else {
            Long skipped = skippedWhileOpening.get(tp);
            if (skipped != null && consumer != null) {
                consumer.seek(tp, skipped); // the backend holds nothing: from the first record passed over
            }
        }
        skippedWhileOpening.remove(tp);
        partitions.put(tp, ps);
        log.debug("bridge {} opened {} -> table {} at {}", s.name(), tp, table, start.nextOffset());
        return ps;
    }

    /**
     * Kafka's committed offset of {@code tp}. Outside the rebalance callback now (opens complete on the polling
     * thread), so a wake-up meant for the host's poll (a Spring container wakes its consumer to pause it) may land
     * here: it is taken and the call made again, as for the final commit.
     */
    private static OffsetAndMetadata committedOffset(Consumer<byte[], byte[]> consumer, TopicPartition tp) {
        try {
            return consumer.committed(Set.of(tp)).get(tp);
        } catch (WakeupException e) {
            return consumer.committed(Set.of(tp)).get(tp);
        }
    }

    private PartitionStart openWithRetry(String table, TopicPartition tp) {
        int attempt = 0;
        while (true) {
            try {
                PartitionStart start = backend.open(table, tp);
                if (start == null) {
                    throw new IllegalStateException("backend " + backend.name() + " returned null from open(" + tp + ")");
                }
                return start;
            } catch (IngestException e) {
                attempt++;
                if (!e.isRetriable() || !s.retryPolicy().allows(attempt) || closeRequested) {
                    throw e;
                }
                Duration delay = s.retryPolicy().delay(attempt, ThreadLocalRandom.current().nextDouble());
                log.warn("opening {} in {} failed (attempt {}), retrying in {}: {}", tp, backend.name(), attempt, delay,
                        e.getMessage());
                sleep(delay);
            }
        }
    }

    private void revoke(Collection<TopicPartition> revoked, Consumer<byte[], byte[]> consumer, boolean commit) {
        opener.cancel(revoked, this::releaseQuietly);
        skippedWhileOpening.keySet().removeAll(revoked);
        List<PartitionState> states = new ArrayList<>();
        for (TopicPartition tp : revoked) {
            PartitionState ps = partitions.get(tp);
            if (ps != null) {
                states.add(ps);
            }
        }
        if (commit) {
            for (PartitionState ps : states) {
                flush(ps, "revoke", true);
            }
            long deadline = System.nanoTime() + s.closeTimeout().toNanos();
            waitUntil(() -> states.stream().noneMatch(PartitionState::hasPending), deadline, states);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            Map<TopicPartition, Long> plain = new HashMap<>();
            for (PartitionState ps : states) {
                if (ps.durableNext >= 0 && ps.durableNext > ps.committedNext) {
                    offsets.put(ps.tp, new OffsetAndMetadata(ps.durableNext));
                    plain.put(ps.tp, ps.durableNext);
                }
            }
            if (consumer != null && !offsets.isEmpty()) {
                try {
                    commitSync(consumer, offsets);
                    markCommitted(plain);
                } catch (org.apache.kafka.clients.consumer.CommitFailedException
                         | org.apache.kafka.common.errors.RebalanceInProgressException e) {
                    // The group moved on without us (we were too slow or too long gone): the partitions already have a
                    // new owner, who resumes from what Snowflake holds. Nothing is lost by not committing here.
                    log.warn("bridge {} could not commit revoked partitions {} (the group has already reassigned them): {}",
                            s.name(), offsets.keySet(), e.getMessage());
                }
            }
            if (consumer == null) {
                revokedOffsets.putAll(offsets);
            }
        }
        for (PartitionState ps : states) {
            drop(ps);
        }
        listener.onRevoked(Set.copyOf(revoked));
    }

    private void drop(PartitionState ps) {
        for (InFlight f : ps.batches) {
            f.abandoned = true;
            if (f.state == InFlight.State.SUBMITTED) {
                inFlight--;
            }
            release(f);
        }
        ps.batches.clear();
        bufferedBytes -= ps.bytes;
        bufferedBytesView = bufferedBytes;
        partitions.remove(ps.tp);
        durableChanged = true;
        retryLog.forget(ps.tp);
        seekTargets.remove(ps.tp);
        backoffPaused.remove(ps.tp);
        releaseQuietly(ps.tp);
    }

    private void releaseQuietly(TopicPartition tp) {
        try {
            backend.release(tp);
        } catch (RuntimeException e) {
            log.warn("backend {} failed to release {}: {}", backend.name(), tp, e.toString());
        }
    }

    // ------------------------------------------------------------------ records in

    private void process(ConsumerRecords<byte[], byte[]> records, Consumer<byte[], byte[]> consumer) {
        drainCompletions();
        if (records.isEmpty()) {
            return;
        }
        for (TopicPartition tp : records.partitions()) {
            PartitionState ps = partitions.get(tp);
            if (ps == null) {
                if (opener.isOpening(tp)) {
                    // not open yet, and someone resumed it (a host's container): read again once it is open
                    skippedWhileOpening.merge(tp, records.records(tp).get(0).offset(), Math::min);
                    continue;
                }
                if (consumer != null) {
                    continue; // no longer ours
                }
                ps = open(tp, null); // host loop without our rebalance listener
            }
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            for (int i = 0; i < list.size(); i++) {
                ConsumerRecord<byte[], byte[]> rec = list.get(i);
                if (rec.offset() < ps.nextOffset) {
                    continue; // already held by the backend, or already handled
                }
                if (!acceptOne(ps, rec, consumer)) {
                    break; // the partition was sought back; the rest comes again
                }
                seekTargets.remove(tp);
            }
            maybeFlush(ps, ticker.nanoTime());
        }
    }

    /** Returns false when the record was not taken and the partition was sought back to it (own loop). */
    private boolean acceptOne(PartitionState ps, ConsumerRecord<byte[], byte[]> rec, Consumer<byte[], byte[]> consumer) {
        while (true) {
            Converted c = convert(rec);
            if (c.retriable != null) {
                ps.formatAttempts++;
                if (!s.retryPolicy().allows(ps.formatAttempts)) {
                    throw new IngestException("gave up on record " + coordinates(rec) + " after " + ps.formatAttempts
                            + " attempts: " + c.retriable.getMessage(), false, c.retriable);
                }
                Duration delay = s.retryPolicy().delay(ps.formatAttempts, ThreadLocalRandom.current().nextDouble());
                log.warn("record {} cannot be converted yet (attempt {}), retrying in {}: {}", coordinates(rec),
                        ps.formatAttempts, delay, c.retriable.getMessage());
                if (consumer != null) {
                    consumer.seek(ps.tp, rec.offset());
                    consumer.pause(Set.of(ps.tp));
                    backoffPaused.add(ps.tp);
                    ps.backoffUntilNanos = ticker.nanoTime() + delay.toNanos();
                    return false;
                }
                sleepServing(delay);
                continue;
            }
            ps.formatAttempts = 0;
            long now = ticker.nanoTime();
            if (c.row == null) {
                if (c.bad != null) {
                    route(ps, rec, c.bad);
                }
                ps.addNoRow(rec.offset(), now);
                return true;
            }
            long size = c.row.sizeInBytes() + sourceBytes(rec, c.row);
            while (bufferedBytes + size > s.maxBufferedBytes()) {
                flushAll("memory", false);
                if (consumer != null) {
                    consumer.seek(ps.tp, rec.offset());
                    pauseForMemory(consumer);
                    return false;
                }
                if (!waitForRoom(size)) {
                    throw new BridgeClosedException("bridge " + s.name() + " closed while accept waited for memory");
                }
            }
            ps.addRow(c.row, rec, c.pushTimeAt, size, now);
            bufferedBytes += size;
            bufferedBytesView = bufferedBytes;
            return true;
        }
    }

    /** Bytes a row keeps alive beyond its content and metadata: the source key and value, unless shared. */
    private static long sourceBytes(ConsumerRecord<byte[], byte[]> rec, IngestRow row) {
        long n = 0;
        if (rec.value() != null && rec.value() != row.content()) {
            n += rec.value().length;
        }
        if (rec.key() != null) {
            n += rec.key().length;
        }
        return n;
    }

    private static final class Converted {
        IngestRow row;
        int pushTimeAt = -1;
        RecordFormatException bad;
        IngestException retriable;
    }

    private Converted convert(ConsumerRecord<byte[], byte[]> rec) {
        Converted out = new Converted();
        RecordFormatException.Side side = RecordFormatException.Side.VALUE;
        try {
            byte[] content;
            Integer schemaId = null;
            if (rec.value() == null) {
                if (s.nullValues() == NullValueBehavior.IGNORE) {
                    return out;
                }
                content = EMPTY_OBJECT;
            } else {
                ctx.set(rec, false);
                content = valueOut.convert(s.format(), rec.value(), ctx);
                schemaId = valueOut.schemaId();
            }
            byte[] meta = null;
            if (metadata.enabled()) {
                byte[] keyJson = null;
                Integer keySchemaId = null;
                if (rec.key() != null) {
                    side = RecordFormatException.Side.KEY;
                    ctx.set(rec, true);
                    keyJson = keyOut.convert(s.keyFormat(), rec.key(), ctx);
                    keySchemaId = keyOut.schemaId();
                }
                meta = metadata.render(rec, schemaId, keyJson, keySchemaId);
                out.pushTimeAt = metadata.pushTimeAt();
            }
            IngestRow row = new IngestRow(rec.offset(), content, meta);
            if (row.sizeInBytes() > s.maxRecordBytes()) {
                out.bad = new RecordFormatException(coordinates(rec), RecordFormatException.Side.RECORD,
                        "the row is " + row.sizeInBytes() + " bytes, over maxRecordBytes (" + s.maxRecordBytes() + ")", null);
                return out;
            }
            out.row = row;
        } catch (IngestException e) {
            if (!e.isRetriable()) {
                // not the record's fault (a registry refusing our credentials): stop rather than route every record
                throw new IngestException("cannot convert record " + coordinates(rec) + ": " + e.getMessage(), false, e);
            }
            out.retriable = e;
        } catch (Exception e) {
            out.bad = new RecordFormatException(coordinates(rec), side, reason(e), e);
        }
        return out;
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static RecordCoordinates coordinates(ConsumerRecord<?, ?> rec) {
        return new RecordCoordinates(rec.topic(), rec.partition(), rec.offset());
    }

    /** A record that cannot be loaded goes where the error policy says. */
    private void route(PartitionState ps, ConsumerRecord<byte[], byte[]> rec, RecordFormatException bad) {
        ErrorPolicy policy = s.errorPolicy();
        switch (policy.action()) {
            case FAIL -> throw bad;
            case SKIP -> listener.onSkip(new BridgeEvents.Skip(bad.coordinates(), bad.reason()));
            case DEAD_LETTER -> {
                DeadLetterWriter dlq = deadLetterWriter();
                ps.deadLetters.add(dlq.send(rec, bad.side().name(), bad.reason(), bad));
                listener.onDeadLetter(new BridgeEvents.DeadLetter(bad.coordinates(), dlq.topic(), bad.reason()));
            }
        }
    }

    private DeadLetterWriter deadLetterWriter() {
        if (deadLetters == null) {
            deadLetters = new DeadLetterWriter(s.errorPolicy().deadLetterTopic().orElseThrow(), s.consumerProperties(),
                    s.errorPolicy().producerProperties());
        }
        return deadLetters;
    }

    // ------------------------------------------------------------------ flushing

    private void maybeFlush(PartitionState ps, long now) {
        if (ps.bufferEmpty()) {
            return;
        }
        BufferStats stats = new BufferStats(ps.table, ps.tp.topic(), ps.tp.partition(), ps.records, ps.bytes,
                Duration.ofNanos(now - ps.firstAppendNanos));
        if (s.flushPolicy().shouldFlush(stats)) {
            flush(ps, "policy", false);
        }
    }

    private void flushAll(String reason, boolean force) {
        for (PartitionState ps : new ArrayList<>(partitions.values())) {
            flush(ps, reason, force);
        }
    }

    /** Turns the partition's buffer into a batch; returns false when it has to wait (in-flight cap, a retry). */
    private boolean flush(PartitionState ps, String reason, boolean force) {
        if (ps.bufferEmpty()) {
            return true;
        }
        if (ps.hasRetryWaiting()) {
            return false; // a retried batch goes before any later batch of its partition
        }
        if (!ps.rows.isEmpty() && inFlight >= s.maxInFlightBatches() && !force) {
            return false;
        }
        if (!ps.deadLetters.isEmpty()) {
            deadLetterWriter().await(ps.deadLetters, s.closeTimeout().plusSeconds(30));
        }
        long nowNanos = ticker.nanoTime();
        if (!ps.rows.isEmpty()) {
            long pushTime = System.currentTimeMillis();
            for (int i = 0; i < ps.rows.size(); i++) {
                int at = ps.pushTimeAt[i];
                if (at >= 0) {
                    MetadataWriter.stampPushTime(ps.rows.get(i).metadata(), at, pushTime);
                }
            }
        }
        IngestBatch batch = new IngestBatch(ps.table, ps.tp, ps.rangeStart, ps.rangeEnd, ps.rows, 1);
        InFlight f = new InFlight(ps, batch, ps.sources, ps.bytes, nowNanos);
        ps.batches.addLast(f);
        ps.resetBuffer();
        listener.onFlush(new BridgeEvents.Flush(ps.table, ps.tp, batch.firstOffset(), batch.lastOffset(),
                batch.rows().size(), f.bytes, reason));
        if (batch.rows().isEmpty()) {
            f.state = InFlight.State.DURABLE;
            advance(ps);
        } else {
            submit(f);
        }
        return true;
    }

    private void submit(InFlight f) {
        f.state = InFlight.State.SUBMITTED;
        f.submittedNanos = ticker.nanoTime();
        f.warned = false;
        inFlight++;
        CompletionStage<IngestResult> stage;
        try {
            stage = backend.ingest(f.batch);
            if (stage == null) {
                throw new IllegalStateException("backend " + backend.name() + " returned null from ingest");
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            completions.add(new Completion(f, IngestResult.fatal(t)));
            return;
        }
        stage.whenComplete((result, error) -> completions.add(new Completion(f,
                result != null ? result : IngestResult.fatal(error != null ? error
                        : new IllegalStateException("backend completed with neither result nor error")))));
    }

    // ------------------------------------------------------------------ completions

    private void drainCompletions() {
        Completion c;
        while ((c = completions.poll()) != null) {
            handle(c);
        }
    }

    private void handle(Completion c) {
        InFlight f = c.batch();
        if (f.abandoned || f.state != InFlight.State.SUBMITTED) {
            return;
        }
        inFlight--;
        PartitionState ps = f.partition;
        IngestResult r = c.result();
        if (r instanceof IngestResult.Durable d) {
            if (CHECKS && backend.durableInOffsetOrder() && ps.batches.peekFirst() != f) {
                InFlight head = ps.batches.peekFirst();
                f.state = InFlight.State.FAILED;
                throw new AssertionError("backend " + backend.name() + " reported batch " + f.batch.id() + " durable while"
                        + " the earlier batch " + (head == null ? "(none)" : head.batch.id() + " is " + head.state)
                        + "; it promises durable outcomes in offset order");
            }
            if (!d.rejected().isEmpty()) {
                try {
                    routeRejected(f, d.rejected());
                } catch (RuntimeException e) {
                    f.state = InFlight.State.FAILED;
                    throw e;
                }
            }
            f.state = InFlight.State.DURABLE;
            IngestBatch b = f.batch;
            listener.onDurable(new BridgeEvents.Durable(b.table(), b.partition(), b.firstOffset(), b.lastOffset(),
                    b.rows().size(), f.bytes, Duration.ofNanos(ticker.nanoTime() - f.flushedNanos)));
            release(f);
            advance(ps);
        } else if (r instanceof IngestResult.Retry retry) {
            f.attempts++;
            if (!s.retryPolicy().allows(f.attempts)) {
                f.state = InFlight.State.FAILED;
                throw new IngestException("backend " + backend.name() + " gave up on batch " + f.batch.id() + " after "
                        + f.attempts + " attempts (retryPolicy maxAttempts " + s.retryPolicy().maxAttempts() + "): "
                        + retry.cause().getMessage(), false, retry.cause());
            }
            Duration delay = s.retryPolicy().delay(f.attempts, ThreadLocalRandom.current().nextDouble());
            f.state = InFlight.State.RETRY_WAIT;
            f.dueNanos = ticker.nanoTime() + delay.toNanos();
            IngestBatch b = f.batch;
            listener.onRetry(new BridgeEvents.Retry(b.table(), b.partition(), b.firstOffset(), b.lastOffset(),
                    f.attempts, delay, retry.cause()));
            long quiet = retryLog.admit(ps.tp);
            if (quiet >= 0) {
                log.warn("bridge {}: batch {} failed (attempt {} of {}), retrying in {}{}: {}", s.name(), b.id(),
                        f.attempts, RetryLog.limit(s.retryPolicy()), delay, quiet == 0 ? "" : " (" + quiet + " more retries of "
                                + ps.tp + " since the last warning)", retry.cause().toString());
            } else {
                log.debug("bridge {}: batch {} failed (attempt {}), retrying in {}: {}", s.name(), b.id(), f.attempts,
                        delay, retry.cause().toString());
            }
        } else if (r instanceof IngestResult.Fatal fatal) {
            f.state = InFlight.State.FAILED;
            Throwable cause = fatal.cause();
            throw cause instanceof BridgeException be ? be
                    : new IngestException("backend " + backend.name() + " failed on batch " + f.batch.id() + ": "
                            + cause.getMessage(), false, cause);
        }
    }

    private void routeRejected(InFlight f, List<IngestResult.RowRejection> rejected) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (IngestResult.RowRejection rej : rejected) {
            ConsumerRecord<byte[], byte[]> source = null;
            for (ConsumerRecord<byte[], byte[]> rec : f.sources) {
                if (rec.offset() == rej.offset()) {
                    source = rec;
                    break;
                }
            }
            RecordCoordinates at = new RecordCoordinates(f.batch.partition().topic(), f.batch.partition().partition(),
                    rej.offset());
            RecordFormatException bad = new RecordFormatException(at, RecordFormatException.Side.RECORD,
                    "Snowflake rejected the row: " + rej.reason(), null);
            switch (s.errorPolicy().action()) {
                case FAIL -> throw bad;
                case SKIP -> listener.onSkip(new BridgeEvents.Skip(at, bad.reason()));
                case DEAD_LETTER -> {
                    if (source == null) {
                        throw new IllegalStateException("backend rejected offset " + rej.offset()
                                + " which is not a row of batch " + f.batch.id());
                    }
                    DeadLetterWriter dlq = deadLetterWriter();
                    sent.add(dlq.send(source, bad.side().name(), bad.reason(), bad));
                    listener.onDeadLetter(new BridgeEvents.DeadLetter(at, dlq.topic(), bad.reason()));
                }
            }
        }
        if (!sent.isEmpty()) {
            deadLetterWriter().await(sent, s.closeTimeout().plusSeconds(30));
        }
    }

    private void release(InFlight f) {
        if (!f.released) {
            f.released = true;
            bufferedBytes -= f.bytes;
            bufferedBytesView = bufferedBytes;
            f.sources = null;
        }
    }

    /** Moves the partition's durable offset past every durable batch at the head. */
    private void advance(PartitionState ps) {
        while (!ps.batches.isEmpty() && ps.batches.peekFirst().state == InFlight.State.DURABLE) {
            InFlight head = ps.batches.pollFirst();
            ps.durableNext = head.batch.lastOffset() + 1;
            durableChanged = true;
        }
    }

    // ------------------------------------------------------------------ lag

    /**
     * Tells the listener each assigned partition's end offset (from the consumer's last fetch: no request) and
     * durable offset, at most once per {@link #LAG_INTERVAL_NANOS}. Polling thread only.
     */
    private void reportLag(Consumer<byte[], byte[]> consumer) {
        long now = ticker.nanoTime();
        if (now - lastLagNanos < LAG_INTERVAL_NANOS || partitions.isEmpty()) {
            return;
        }
        lastLagNanos = now;
        for (PartitionState ps : partitions.values()) {
            OptionalLong behind;
            long position;
            try {
                behind = consumer.currentLag(ps.tp);
                if (behind.isEmpty()) {
                    continue; // no position or no fetch yet
                }
                position = consumer.position(ps.tp, Duration.ZERO);
            } catch (RuntimeException e) {
                // not assigned to this consumer any more, or a host calling accept off its polling thread
                log.debug("bridge {}: no lag for {}: {}", s.name(), ps.tp, e.toString());
                continue;
            }
            long durable = ps.durableNext >= 0 ? ps.durableNext : ps.firstRead >= 0 ? ps.firstRead : position;
            listener.onLag(new BridgeEvents.PartitionLag(ps.table, ps.tp, position + behind.getAsLong(), durable));
        }
    }

    // ------------------------------------------------------------------ timers, backpressure, drain

    private void maintain(Consumer<byte[], byte[]> consumer) {
        drainCompletions();
        checkAsyncFailure();
        long now = ticker.nanoTime();
        checkDeadlines(now);
        completeOpens(consumer, now);
        for (PartitionState ps : new ArrayList<>(partitions.values())) {
            resubmitDue(ps, now);
            maybeFlush(ps, now);
        }
        if (consumer != null) {
            if (memoryPaused && bufferedBytes <= s.maxBufferedBytes() / 2) {
                memoryPaused = false;
                Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
                resume.removeAll(backoffPaused);
                resume.removeAll(opener.opening());
                consumer.resume(resume);
                listener.onBackpressure(new BridgeEvents.Backpressure(resume, false, bufferedBytes));
            }
            if (!backoffPaused.isEmpty()) {
                for (TopicPartition tp : new ArrayList<>(backoffPaused)) {
                    PartitionState ps = partitions.get(tp);
                    if (ps == null || now >= ps.backoffUntilNanos) {
                        backoffPaused.remove(tp);
                        if (!memoryPaused && ps != null) {
                            consumer.resume(Set.of(tp));
                        }
                    }
                }
            }
        }
    }

    /**
     * A batch with the backend past {@code batchTimeout} stops the bridge, naming it; half way there, a warning. The
     * bridge does not hand the batch over again: the unanswered attempt may still land.
     */
    private void checkDeadlines(long now) {
        long timeout = s.batchTimeout().toNanos();
        for (PartitionState ps : partitions.values()) {
            for (InFlight f : ps.batches) {
                if (f.state != InFlight.State.SUBMITTED) {
                    continue;
                }
                long waited = now - f.submittedNanos;
                IngestBatch b = f.batch;
                if (waited > timeout) {
                    f.state = InFlight.State.FAILED;
                    throw new io.ksbridge.BatchTimeoutException(backend.name(), b.table(), b.partition(),
                            b.firstOffset(), b.lastOffset(), b.attempt(), Duration.ofNanos(waited), s.batchTimeout());
                }
                if (!f.warned && waited > timeout / 2) {
                    f.warned = true;
                    log.warn("bridge {}: batch {} ({} rows, attempt {}) has been with backend {} for {} without an "
                            + "outcome; at batchTimeout ({}) the bridge stops", s.name(), b.id(), b.rows().size(),
                            b.attempt(), backend.name(), Duration.ofNanos(waited), s.batchTimeout());
                }
            }
        }
    }

    /**
     * Hands the partition's due retries over again, in offset order. A retried batch waits while a later batch of its
     * partition is still with the backend (handed over before the failure was known): the backend then sees every
     * retried batch again before any batch after it, in arrival order, as the SPI promises.
     */
    private void resubmitDue(PartitionState ps, long now) {
        boolean retrying = false;
        for (InFlight f : ps.batches) {
            if (f.state == InFlight.State.RETRY_WAIT) {
                retrying = true;
            } else if (retrying && f.state == InFlight.State.SUBMITTED) {
                return; // its outcome comes first
            }
        }
        if (!retrying) {
            return;
        }
        for (InFlight f : ps.batches) {
            if (f.state == InFlight.State.RETRY_WAIT) {
                if (now < f.dueNanos) {
                    return; // keep order: nothing after a waiting batch goes first
                }
                f.batch = f.batch.withAttempt(f.attempts + 1);
                submit(f);
            }
        }
    }

    private void pauseForMemory(Consumer<byte[], byte[]> consumer) {
        if (!memoryPaused) {
            memoryPaused = true;
            Set<TopicPartition> all = consumer.assignment();
            consumer.pause(all);
            listener.onBackpressure(new BridgeEvents.Backpressure(all, true, bufferedBytes));
        }
    }

    /** Host loop: waits for loads to complete until {@code size} more bytes fit. False when closed meanwhile. */
    private boolean waitForRoom(long size) {
        while (bufferedBytes + size > s.maxBufferedBytes()) {
            if (closeRequested) {
                return false;
            }
            awaitCompletion(Duration.ofMillis(50));
            maintain(null);
            flushAll("memory", false);
        }
        return true;
    }

    private void awaitCompletion(Duration max) {
        try {
            Completion c = completions.poll(max.toNanos(), TimeUnit.NANOSECONDS);
            if (c != null) {
                handle(c);
                drainCompletions();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BridgeClosedException("interrupted while waiting for the backend");
        }
    }

    private void waitUntil(java.util.function.BooleanSupplier done, long deadlineNanos, List<PartitionState> states) {
        while (!done.getAsBoolean() && System.nanoTime() < deadlineNanos && !haltRequested) {
            awaitCompletion(Duration.ofMillis(20));
            long now = ticker.nanoTime();
            for (PartitionState ps : states) {
                resubmitDue(ps, now);
                if (!ps.bufferEmpty()) {
                    flush(ps, "revoke", true);
                }
            }
        }
    }

    /** Flushes everything and waits for it to become durable, until the close deadline. */
    private void drain() {
        long deadline = closeDeadlineNanos;
        List<PartitionState> all = new ArrayList<>(partitions.values());
        flushAll("close", true);
        waitUntil(() -> all.stream().allMatch(ps -> ps.bufferEmpty() && !ps.hasPending()), deadline, all);
        if (!ownLoop) {
            for (PartitionState ps : all) {
                if (ps.durableNext >= 0) {
                    finalOffsets.put(ps.tp, new OffsetAndMetadata(ps.durableNext));
                }
            }
        }
        if (all.stream().anyMatch(PartitionState::hasPending)) {
            log.warn("bridge {} closed with loads still in flight; their offsets are not committed and will be read "
                    + "again", s.name());
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BridgeClosedException("interrupted");
        }
    }

    /** Host loop: sleeps while still handling completions. */
    private void sleepServing(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < until) {
            if (closeRequested) {
                throw new BridgeClosedException("bridge " + s.name() + " closed while a record waited for a retry");
            }
            awaitCompletion(Duration.ofNanos(Math.min(until - System.nanoTime(), 50_000_000L)));
            maintain(null);
        }
    }

    /** The format context: one mutable instance, reused record after record on the polling thread. */
    private static final class Ctx implements FormatContext {
        private ConsumerRecord<byte[], byte[]> rec;
        private boolean key;

        void set(ConsumerRecord<byte[], byte[]> rec, boolean key) {
            this.rec = rec;
            this.key = key;
        }

        @Override
        public String topic() {
            return rec.topic();
        }

        @Override
        public int partition() {
            return rec.partition();
        }

        @Override
        public long offset() {
            return rec.offset();
        }

        @Override
        public boolean isKey() {
            return key;
        }

        @Override
        public Headers headers() {
            return rec.headers();
        }
    }
}
