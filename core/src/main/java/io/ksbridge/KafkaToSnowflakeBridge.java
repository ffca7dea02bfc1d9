package io.ksbridge;

import io.ksbridge.BridgeConfigException.Problem;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.internal.engine.Engine;
import io.ksbridge.internal.engine.SafeListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Loads Kafka topics into Snowflake tables, inside the host application.
 *
 * <p>Two ways to embed it:
 * <ul>
 *   <li><b>Own loop</b>: set {@link Builder#topics} and {@link Builder#consumerProperties}, then call
 *       {@link #start()} (a thread the bridge owns) or {@link #run()} (the caller's thread). The bridge polls,
 *       buffers, loads and commits to Kafka only offsets whose data is durable in Snowflake.</li>
 *   <li><b>Host loop</b>: the host keeps its consumer, subscribes with {@link #rebalanceListener(Consumer)}, hands
 *       every poll's records (empty ones too) to {@link #accept(ConsumerRecords)} and commits
 *       {@link #durableOffsets()}. Its consumer must have {@code enable.auto.commit=false} and read bytes
 *       ({@code ByteArrayDeserializer}).</li>
 * </ul>
 *
 * <p>Thread-safety: built instances are thread-safe to {@link #close()} and observe from any thread.
 * {@link #accept}, {@link #durableOffsets()}, {@link #seekTargets()} and the rebalance listener must be called on
 * the host's polling thread only.
 */
public final class KafkaToSnowflakeBridge implements AutoCloseable, Runnable {

    private final BridgeSettings settings;
    private final Engine engine;

    private KafkaToSnowflakeBridge(BridgeSettings settings) {
        this.settings = settings;
        this.engine = new Engine(settings);
    }

    /** The consumer's {@code max.poll.interval.ms} as given (Kafka's default when absent), or -1 when not a number. */
    static long maxPollIntervalMs(Object value) {
        if (value == null) {
            return 300_000;
        }
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return -1; // Kafka's own check names it when the consumer starts
        }
    }

    /** A new builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings this bridge was built with, never null. */
    public BridgeSettings settings() {
        return settings;
    }

    /**
     * Starts the own consumer loop on a new thread named {@code ksbridge-<name>} and returns.
     *
     * @throws IllegalStateException if the bridge was built without topics (host-loop bridge), or was already
     *                               started or closed
     */
    public void start() {
        engine.start();
    }

    /**
     * Runs the own consumer loop on the calling thread until {@link #close()} is called from another thread or
     * the bridge fails. The failure, if any, is rethrown.
     *
     * @throws IllegalStateException if the bridge was built without topics, or was already started or closed
     */
    @Override
    public void run() {
        engine.runHere();
    }

    /**
     * Host loop: takes the records of one poll. Call it after every poll, including polls that returned
     * nothing, so that time-based flushes and completions are handled. Blocks while the memory cap
     * ({@link Builder#maxBufferedBytes}) is reached, until loads complete and free room.
     *
     * @param records the poll's records, never null
     * @throws BridgeClosedException if the bridge is closed or stopped on a failure (the cause is attached)
     * @throws RecordFormatException under {@link ErrorPolicy#failFast()} when a record cannot be converted
     */
    public void accept(ConsumerRecords<byte[], byte[]> records) {
        engine.accept(Objects.requireNonNull(records, "records must not be null"));
    }

    /**
     * Host loop: for every owned partition whose progress is known, the next offset to read after everything
     * durable in Snowflake: ready for {@code consumer.commitSync(...)}. Never ahead of durable data. Still
     * answers after {@link #close()}, so the host can commit what the final drain made durable.
     *
     * @return a new map, never null
     */
    public Map<TopicPartition, OffsetAndMetadata> durableOffsets() {
        return engine.durableOffsets();
    }

    /**
     * Host loop: where to resume each newly assigned partition when Snowflake knows better than Kafka (the
     * backend already holds data past Kafka's committed offset). The listener from
     * {@link #rebalanceListener(Consumer)} seeks by itself; with {@link #rebalanceListener()} the host seeks to
     * these. Records before a target are dropped by the bridge in any case.
     *
     * @return a new map, never null; entries are removed once records at or after the target arrive
     */
    public Map<TopicPartition, Long> seekTargets() {
        return engine.seekTargets();
    }

    /**
     * Host loop: a rebalance listener to pass to {@code consumer.subscribe}. On assignment it opens the
     * partitions in the backend and seeks {@code consumer} to where Snowflake's data ends; on revocation it
     * flushes, waits for in-flight loads (up to {@link Builder#closeTimeout}), and commits the durable offsets of
     * the revoked partitions with {@code commitSync}. The bridge also reads the consumer's fetch metadata in
     * {@link #accept} (no broker request) to report each partition's lag to {@link BridgeListener#onLag}.
     *
     * @param consumer the host's consumer, never null
     */
    public ConsumerRebalanceListener rebalanceListener(Consumer<?, ?> consumer) {
        return engine.rebalanceListener(Objects.requireNonNull(consumer, "consumer must not be null"));
    }

    /**
     * Host loop: a rebalance listener that does not touch the consumer; the host seeks to
     * {@link #seekTargets()} and commits {@link #durableOffsets()} in its own revocation handling.
     */
    public ConsumerRebalanceListener rebalanceListener() {
        return engine.rebalanceListener(null);
    }

    /**
     * Flushes what is buffered, waits up to {@link Builder#closeTimeout} for loads in flight, commits what is
     * durable (own loop) and releases everything. Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        close(settings.closeTimeout());
    }

    /**
     * Like {@link #close()}, waiting at most {@code timeout} for the drain. Loads still in flight after it are
     * abandoned; their offsets are not committed, so they are read again (and, with a backend that reports what
     * it holds, not loaded twice).
     */
    public void close(Duration timeout) {
        engine.close(Objects.requireNonNull(timeout, "timeout must not be null"));
    }

    /**
     * Stops the bridge at once, as if its process had died: nothing more is flushed, loaded, released or committed;
     * what the bridge buffers is dropped, and the backend drops what it holds ({@link IngestBackend#halt()}: the
     * Streaming SDK's buffered rows are not sent, a Snowpipe file being staged is cut off). The guarantees are the
     * ones a crash keeps: a bridge started again resumes from what Snowflake holds, losing and doubling nothing.
     * For a host that must stop now (a fatal error elsewhere, a fence lost, a test that kills the bridge); to stop
     * normally use {@link #close(Duration)}. Returns once the loop has stopped (own loop: up to 30 s). Idempotent;
     * safe from any thread.
     */
    public void abort() {
        engine.halt();
    }

    /**
     * Waits until the bridge has stopped (closed, or failed).
     *
     * @return true if it stopped within {@code timeout}
     * @throws BridgeException the failure that stopped the bridge, if it failed
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return engine.awaitTermination(Objects.requireNonNull(timeout, "timeout must not be null"));
    }

    /** True while the bridge is running (started and not yet stopped). */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** The failure that stopped the bridge, or null. */
    public Throwable failure() {
        return engine.failure();
    }

    /** Bytes currently held in buffers and in-flight batches, counted against {@code maxBufferedBytes}. */
    public long bufferedBytes() {
        return engine.bufferedBytes();
    }

    @Override
    public String toString() {
        return "KafkaToSnowflakeBridge{" + settings.name() + "}";
    }

    /**
     * Builds {@link KafkaToSnowflakeBridge}s. Each setter checks its value at once; {@link #build()} checks
     * required settings and the rules between settings, and reports every problem in one
     * {@link BridgeConfigException}. Mutable and not thread-safe; may build several bridges.
     */
    public static final class Builder {
        private static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofMinutes(5);
        private String name = "ksbridge";
        private final Map<String, Object> consumerProperties = new HashMap<>();
        private final List<String> topics = new ArrayList<>();
        private Pattern topicPattern;
        private RecordFormat format = RecordFormat.json();
        private RecordFormat keyFormat = RecordFormat.string();
        private TableNamer tableNamer = TableNamer.connectorDefault();
        private FlushPolicy flushPolicy = FlushPolicy.connectorDefaults();
        private RecordTransform transform;
        private TableRouter router;
        private MetadataOptions metadata = MetadataOptions.all();
        private ErrorPolicy errorPolicy = ErrorPolicy.failFast();
        private NullValueBehavior nullValues = NullValueBehavior.DEFAULT;
        private long maxBufferedBytes = 256L << 20;
        private long maxRecordBytes = -1; // default: 16 MiB, or maxBufferedBytes when that is smaller
        private int maxInFlightBatches = 32;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Duration pollTimeout = Duration.ofMillis(100);
        private Duration commitInterval = Duration.ofSeconds(1);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration batchTimeout = DEFAULT_BATCH_TIMEOUT;
        private IngestBackend backend;
        private int backendsSet;
        /** The backend of the bridge this builder built last, and that bridge's name: a backend has one owner. */
        private IngestBackend builtWith;
        private String builtName;
        private final List<BridgeListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * A name for logs, the loop thread and backend clients. Default {@code ksbridge}.
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Kafka consumer properties for the own loop (at least {@code bootstrap.servers} and {@code group.id}).
         * Deserializers are always byte arrays; {@code enable.auto.commit} is always false (the bridge commits);
         * {@code auto.offset.reset} defaults to {@code earliest} and {@code partition.assignment.strategy} to the
         * cooperative sticky assignor (a rebalance moves only the partitions that change owner). Adds to earlier
         * calls. Default: none.
         */
        public Builder consumerProperties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "consumerProperties must not be null");
            properties.forEach((k, v) -> {
                Objects.requireNonNull(k, "consumerProperties must not contain a null key");
                Objects.requireNonNull(v, "consumerProperties must not contain a null value (key " + k + ")");
            });
            consumerProperties.putAll(properties);
            return this;
        }

        /** Topics for the own loop. Adds to earlier calls. Excludes {@link #topicPattern}. */
        public Builder topics(String... topics) {
            Objects.requireNonNull(topics, "topics must not be null");
            return topics(Arrays.asList(topics));
        }

        /** Topics for the own loop. Adds to earlier calls. Excludes {@link #topicPattern}. */
        public Builder topics(Collection<String> topics) {
            Objects.requireNonNull(topics, "topics must not be null");
            for (String t : topics) {
                Objects.requireNonNull(t, "topics must not contain null");
                if (t.isBlank()) {
                    throw new IllegalArgumentException("topics must not contain a blank topic, was '" + t + "'");
                }
            }
            this.topics.addAll(topics);
            return this;
        }

        /** Subscribe to every topic matching {@code pattern} (own loop). Excludes {@link #topics}. */
        public Builder topicPattern(Pattern pattern) {
            this.topicPattern = Objects.requireNonNull(pattern, "topicPattern must not be null");
            return this;
        }

        /** How values become {@code RECORD_CONTENT}. Default {@link RecordFormat#json()}. */
        public Builder format(RecordFormat format) {
            this.format = Objects.requireNonNull(format, "format must not be null");
            return this;
        }

        /** How keys become {@code RECORD_METADATA.key}. Default {@link RecordFormat#string()}. */
        public Builder keyFormat(RecordFormat keyFormat) {
            this.keyFormat = Objects.requireNonNull(keyFormat, "keyFormat must not be null");
            return this;
        }

        /** Topic to table. Default {@link TableNamer#connectorDefault()}. */
        public Builder tableNamer(TableNamer tableNamer) {
            this.tableNamer = Objects.requireNonNull(tableNamer, "tableNamer must not be null");
            return this;
        }

        /**
         * Chooses each record's table, so that one topic partition feeds several tables (by a field, a header or a
         * function: {@link TableRouter#byField}, {@link TableRouter#byHeader}, {@link TableRouter#derived}). The router
         * sees the record after the format and the transforms, with the table {@link #tableNamer} gives its topic (a
         * record with nothing to route by goes there). Every table a partition feeds is its own lane: its own buffer,
         * flush policy, batches and durable point in the backend ({@link IngestBackend#open} per table); the
         * partition's committed offset is the lowest point below which every record is durable in its own table, and
         * a restart resumes at the committed offset and drops, per table, what that table already holds: exactly once
         * per table. A table is opened on its first record (own loop: the partition waits, paused; host loop: in
         * {@code accept}); the committed offset's metadata lists the tables fed, which a new owner opens before it
         * reads. The backend must keep lanes per (table, partition) ({@link IngestBackend#supportsTableRouting()}: the
         * Snowpipe and both Streaming backends do); {@link #build()} refuses one that does not. A router that throws
         * or returns a blank name makes the record a bad record for the {@link #errorPolicy}. With a router, the
         * router sees the key as JSON (through {@link #keyFormat}). Default: none, and each topic's records all go to
         * its {@link #tableNamer} table, with no routing work per record.
         */
        public Builder router(TableRouter router) {
            this.router = Objects.requireNonNull(router, "router must not be null");
            return this;
        }

        /**
         * When a partition's buffer becomes a batch. Default {@link FlushPolicy#connectorDefaults()} (10,000
         * records, 5,000,000 bytes or 120 s). Its byte threshold must not exceed {@link #maxBufferedBytes}.
         */
        public Builder flushPolicy(FlushPolicy flushPolicy) {
            this.flushPolicy = Objects.requireNonNull(flushPolicy, "flushPolicy must not be null");
            return this;
        }

        /**
         * Adds a transform that shapes records in flight, after the format (see {@link RecordTransform}: it may change
         * a record, filter it out or make several rows of it). Each call adds one after those already added, as
         * {@link RecordTransform#andThen} does. Default: none, and records load as the format wrote them.
         */
        public Builder transform(RecordTransform transform) {
            Objects.requireNonNull(transform, "transform must not be null");
            this.transform = this.transform == null ? transform : this.transform.andThen(transform);
            return this;
        }

        /** Which {@code RECORD_METADATA} fields to write. Default {@link MetadataOptions#all()}. */
        public Builder metadata(MetadataOptions metadata) {
            this.metadata = Objects.requireNonNull(metadata, "metadata must not be null");
            return this;
        }

        /**
         * What to do with records that cannot be loaded. Default {@link ErrorPolicy#failFast()}. A dead-letter
         * policy needs {@code bootstrap.servers}, from the consumer properties or its own producer properties.
         */
        public Builder errorPolicy(ErrorPolicy errorPolicy) {
            this.errorPolicy = Objects.requireNonNull(errorPolicy, "errorPolicy must not be null");
            return this;
        }

        /** What to do with null values (tombstones). Default {@link NullValueBehavior#DEFAULT}: a row with {@code {}}. */
        public Builder nullValues(NullValueBehavior behavior) {
            this.nullValues = Objects.requireNonNull(behavior, "nullValues must not be null");
            return this;
        }

        /**
         * The hard memory cap: bytes held in buffers and in-flight batches. When reached, the own loop pauses its
         * partitions and {@code accept} blocks, until loads complete. Default 256 MiB. Must be &ge; the flush
         * policy's byte threshold and &ge; {@link #maxRecordBytes}.
         */
        public Builder maxBufferedBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBufferedBytes must be > 0, was " + bytes);
            }
            this.maxBufferedBytes = bytes;
            return this;
        }

        /**
         * The largest row (content plus metadata) accepted; a larger record goes by the {@link ErrorPolicy}, never
         * truncated. Default 16 MiB (Snowflake's classic VARIANT limit), or {@link #maxBufferedBytes} when that is
         * smaller.
         */
        public Builder maxRecordBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxRecordBytes must be > 0, was " + bytes);
            }
            this.maxRecordBytes = bytes;
            return this;
        }

        /** The most batches handed to the backend and not yet complete, over all partitions. Default 32. */
        public Builder maxInFlightBatches(int batches) {
            if (batches <= 0) {
                throw new IllegalArgumentException("maxInFlightBatches must be > 0, was " + batches);
            }
            this.maxInFlightBatches = batches;
            return this;
        }

        /** Backoff for batches the backend could not load for a transient reason. Default {@link RetryPolicy#defaults()}. */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy must not be null");
            return this;
        }

        /** The own loop's poll timeout, which bounds how late timers fire. Default 100 ms; 1 ms to 10 s. */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = checkDuration("pollTimeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
            return this;
        }

        /** How often the own loop commits durable offsets to Kafka when they moved. Default 1 s; 0 to 1 h. */
        public Builder commitInterval(Duration interval) {
            this.commitInterval = checkDuration("commitInterval", interval, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * How long {@link KafkaToSnowflakeBridge#close()} and a partition revocation wait for loads in flight. A
         * revocation then waits up to as long again for the backend to release the partitions (a channel's close, a
         * last file); a release that takes longer finishes in the background, and a partition given back to this
         * bridge opens only after it. Both waits run inside the rebalance callback, so an own loop refuses a
         * closeTimeout of half its consumer's {@code max.poll.interval.ms} or more. Default 30 s; 0 to 1 h.
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = checkDuration("closeTimeout", timeout, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * The longest a batch may stay with the backend without an outcome (durable, retry or failure), per attempt.
         * Past it the bridge stops with a {@link BatchTimeoutException} naming the partition and offset range,
         * committing nothing past the last durable batch (a restart resumes there); half way, a warning names the
         * batch. A hung upload, a channel that never commits, a backend thread that died: none of them pins a
         * partition's offsets unseen. Between 1 second and 1 day; default 5 minutes.
         *
         * <p>The bridge stops rather than hand the batch over again: a backend cannot promise that the attempt it has
         * not answered will not still land, so a second attempt could load the rows twice.
         */
        public Builder batchTimeout(Duration timeout) {
            this.batchTimeout = checkDuration("batchTimeout", timeout, Duration.ofSeconds(1), Duration.ofDays(1));
            return this;
        }

        /**
         * Where batches go. Required, exactly one. The bridge starts and closes it, so a backend belongs to one
         * bridge: building a second bridge with the same backend instance is refused.
         */
        public Builder backend(IngestBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend must not be null");
            this.backendsSet++;
            return this;
        }

        /**
         * Adds a listener that observes the bridge. May be called several times (your own listener beside
         * {@code MicrometerMetrics}, say): each hears every event, in the order added, and one listener's exception
         * is logged and does not keep the event from the others. Default: none.
         */
        public Builder listener(BridgeListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
            return this;
        }

        private static Duration checkDuration(String setting, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, setting + " must not be null");
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(setting + " must be between " + min + " and " + max + ", was " + d);
            }
            return d;
        }

        /**
         * Builds an immutable bridge.
         *
         * @throws BridgeConfigException listing every missing or conflicting setting
         */
        public KafkaToSnowflakeBridge build() {
            List<Problem> problems = new ArrayList<>();
            if (backend == null) {
                problems.add(new Problem("backend", "null", "a backend is required (SnowpipeBackend or StreamingBackend)"));
            } else if (backendsSet > 1) {
                problems.add(new Problem("backend", backend.name(),
                        "exactly one backend is allowed, but backend(...) was called " + backendsSet + " times"));
            }
            if (backend != null && backend == builtWith) {
                problems.add(new Problem("backend", backend.name(), "this builder already built bridge '" + builtName
                        + "' with this backend instance; a backend belongs to one bridge (it holds that bridge's"
                        + " channels, pipes and clients, and that bridge closes it): build each bridge from its own"
                        + " builder, or call backend(...) with a new backend before build()"));
            }
            if (router != null && backend != null && !backend.supportsTableRouting()) {
                problems.add(new Problem("router", router.toString(), "backend " + backend.name() + " keeps one lane"
                        + " per partition and cannot load one partition into several tables; use a backend whose"
                        + " supportsTableRouting() is true (SnowpipeBackend, StreamingBackend,"
                        + " HighPerformanceStreamingBackend) or remove the router"));
            }
            if (!topics.isEmpty() && topicPattern != null) {
                problems.add(new Problem("topicPattern", topicPattern.pattern(),
                        "topics and topicPattern are mutually exclusive; topics " + topics + " were also set"));
            }
            boolean ownLoop = !topics.isEmpty() || topicPattern != null;
            if (ownLoop) {
                if (!consumerProperties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                    problems.add(new Problem("consumerProperties.bootstrap.servers", "null",
                            "an own-loop bridge (topics set) needs a consumer: set bootstrap.servers"));
                }
                if (!consumerProperties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
                    problems.add(new Problem("consumerProperties.group.id", "null",
                            "an own-loop bridge (topics set) needs a consumer group: set group.id"));
                }
                long maxPoll = maxPollIntervalMs(consumerProperties.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG));
                if (maxPoll > 0 && 2 * closeTimeout.toMillis() >= maxPoll) {
                    problems.add(new Problem("closeTimeout", closeTimeout.toString(), "must be under half of the"
                            + " consumer's max.poll.interval.ms (" + maxPoll + " ms): a revoke waits up to closeTimeout"
                            + " for in-flight batches and up to closeTimeout again for the backend's release, inside"
                            + " the rebalance callback, and a member slower than max.poll.interval.ms is thrown out"
                            + " of the group"));
                }
            } else if (!consumerProperties.isEmpty()) {
                problems.add(new Problem("topics", "[]",
                        "consumerProperties are set, so the bridge runs its own loop and needs topics or topicPattern"));
            }
            Object autoCommit = consumerProperties.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            if (autoCommit != null && Boolean.parseBoolean(String.valueOf(autoCommit))) {
                problems.add(new Problem("consumerProperties.enable.auto.commit", String.valueOf(autoCommit),
                        "must be false: the bridge commits only offsets whose data is durable in Snowflake"));
            }
            flushPolicy.byteThreshold().ifPresent(threshold -> {
                if (maxBufferedBytes < threshold) {
                    problems.add(new Problem("maxBufferedBytes", String.valueOf(maxBufferedBytes),
                            "must be >= the flush policy's byte threshold (" + threshold + ")"));
                }
            });
            long recordCap = maxRecordBytes > 0 ? maxRecordBytes : Math.min(16L << 20, maxBufferedBytes);
            if (recordCap > maxBufferedBytes) {
                problems.add(new Problem("maxRecordBytes", String.valueOf(maxRecordBytes),
                        "must be <= maxBufferedBytes (" + maxBufferedBytes + ")"));
            }
            if (errorPolicy.action() == ErrorPolicy.Action.DEAD_LETTER
                    && !errorPolicy.producerProperties().containsKey("bootstrap.servers")
                    && !consumerProperties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                problems.add(new Problem("errorPolicy", errorPolicy.toString(),
                        "the dead-letter producer needs bootstrap.servers: set consumerProperties or give "
                                + "ErrorPolicy.deadLetter(topic, producerProperties)"));
            }
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            builtWith = backend;
            builtName = name;
            backendsSet = 0; // the next bridge from this builder needs a backend(...) of its own
            return new KafkaToSnowflakeBridge(new BridgeSettings(name, consumerProperties, topics, topicPattern, format,
                    keyFormat, tableNamer, flushPolicy, metadata, errorPolicy, nullValues, maxBufferedBytes,
                    recordCap, maxInFlightBatches, retryPolicy, pollTimeout, commitInterval, closeTimeout, batchTimeout, backend,
                    listeners.isEmpty() ? BridgeListener.noop() : SafeListener.of(listeners), transform, router));
        }

        @Override
        public String toString() {
            return "KafkaToSnowflakeBridge.Builder{name=" + name + ", topics=" + topics + ", topicPattern=" + topicPattern
                    + ", format=" + format + ", transform=" + (transform == null ? null : transform.name())
                    + ", router=" + router
                    + ", flushPolicy=" + flushPolicy + ", errorPolicy=" + errorPolicy
                    + ", maxBufferedBytes=" + maxBufferedBytes + ", backend=" + (backend == null ? null : backend.name())
                    + "}";
        }
    }
}
