package io.ksbridge.source;

import io.ksbridge.BridgeClosedException;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeConfigException.Problem;
import io.ksbridge.Experimental;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SqlApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Publishes the changes of Snowflake tables to Kafka topics, exactly once for {@code read_committed} consumers.
 *
 * <pre>{@code
 * try (SnowflakeToKafkaBridge bridge = SnowflakeToKafkaBridge.builder()
 *         .name("orders-cdc")
 *         .account(account)                                    // with a warehouse
 *         .producerProperties(Map.of("bootstrap.servers", "kafka:9092"))
 *         .table(TableSpec.of("RAW.PUBLIC.ORDERS").topic("raw.public.orders").keyColumns("ID"))
 *         .build()) {
 *     bridge.start();
 *     bridge.awaitTermination(Duration.ofHours(1));
 * }
 * }</pre>
 *
 * <p><b>How.</b> For each table the bridge manages a stream. When {@code SYSTEM$STREAM_HAS_DATA} (which needs no
 * warehouse) says it has changes, one autocommit {@code CREATE TRANSIENT TABLE IF NOT EXISTS <batch> AS SELECT * FROM
 * <stream>} consumes the stream and keeps the changes in a batch table named by its sequence number: atomic, and a
 * repeated statement does nothing. The batch is read in pages and published in Kafka transactions, each carrying the
 * position {@code (batch, row)} to the bridge's compacted offsets topic; the batch table is dropped after its last
 * transaction commits. Within a batch, delete images come first, then inserts and updates, so a key deleted and
 * re-inserted ends as a live row on a compacted topic. With {@link ChangeSource#changes()} the bridge instead reads
 * time windows of the CHANGES clause from its committed position, read-only, within the limits that method states.
 *
 * <p><b>Guarantee.</b> Every change Snowflake records between two committed positions appears exactly once to
 * {@code read_committed} consumers, as net changes per batch: a row inserted and deleted inside one batch appears not
 * at all, a row updated twice as one update. Change rows carry no commit time and no order across rows; {@code ts_ms}
 * is the batch's creation time. {@code read_uncommitted} consumers can see records of aborted transactions. With
 * {@link Builder#transactional(boolean) transactional(false)} the guarantee drops to at-least-once: after a failure,
 * part of a batch can be published twice.
 *
 * <p><b>Instances.</b> Several instances with one {@link Builder#name} elect one active instance through the consumer
 * group {@code ksbridge-<name>}; the others stand by and take over when it dies or stalls past
 * {@link Builder#electionTimeout}. A stalled old instance is fenced by Kafka (transactional id {@code ksbridge-<name>})
 * and cannot commit; a batch it made after being fenced is published by the new one.
 *
 * <p>Thread-safe. {@link #start()}, {@link #close()} and {@link #awaitTermination} may be called from any thread.
 */
@Experimental
public final class SnowflakeToKafkaBridge implements AutoCloseable {
    private enum State { NEW, RUNNING, CLOSED }

    private final SourceSettings settings;
    private final SourceLoop loop;
    private final SqlApiClient sql;
    private final Thread thread;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    private SnowflakeToKafkaBridge(SourceSettings settings, Hook hook) {
        this.settings = settings;
        this.sql = SqlApiClient.builder(settings.account()).requestTimeout(settings.requestTimeout()).build();
        this.loop = new SourceLoop(settings, sql, hook);
        this.thread = new Thread(loop, "ksbridge-source-" + settings.name());
        this.thread.setDaemon(true);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the bridge's thread: it joins the election and, when active, publishes. Returns at once.
     *
     * @throws BridgeClosedException when the bridge was closed
     * @throws IllegalStateException when it was started already
     */
    public void start() {
        if (state.get() == State.CLOSED) {
            throw new BridgeClosedException("bridge " + settings.name() + " is closed");
        }
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("bridge " + settings.name() + " was started already");
        }
        thread.start();
    }

    /** Whether this instance is the active one now (it publishes); false while standing by or stopped. */
    public boolean isActive() {
        return loop.isActive();
    }

    /** The failure that stopped the bridge, or empty while it runs or after a clean close. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(loop.failure());
    }

    /**
     * Waits for the bridge's thread to end (after {@link #close()} or a failure).
     *
     * @param timeout how long to wait at most, never null
     * @return true when it ended
     * @throws InterruptedException when interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (state.get() == State.NEW) {
            return false;
        }
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Stops the bridge, waiting up to 30 s. Idempotent. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops the bridge: the current step ends (an open Kafka transaction is aborted by Kafka or by the next active
     * instance), the election group is left so a standby takes over at once. Idempotent, from any thread.
     *
     * @param timeout how long to wait for the thread, never null
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        State before = state.getAndSet(State.CLOSED);
        if (before == State.RUNNING) {
            loop.stop();
            try {
                thread.join(Math.max(1, timeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sql.close();
    }

    @Override
    public String toString() {
        return "SnowflakeToKafkaBridge{name=" + settings.name() + ", account=" + settings.account() + ", tables=" + settings.tables()
                + ", offsetsTopic=" + settings.offsetsTopic() + ", transactional=" + settings.transactional() + "}";
    }

    /**
     * Builds a {@link SnowflakeToKafkaBridge}. Every setter checks its value at once ({@link NullPointerException},
     * {@link IllegalArgumentException} naming the setting); {@link #build()} checks what is required and how settings
     * fit together, and throws one {@link BridgeConfigException} listing every problem. Mutable, not thread-safe.
     */
    public static final class Builder {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

        private String name;
        private SnowflakeAccount account;
        private final Map<String, Object> producerProperties = new HashMap<>();
        private final List<TableSpec> tables = new ArrayList<>();
        private ChangeSource source = ChangeSource.stream();
        private Snapshot snapshot = Snapshot.INITIAL;
        private ChangeFormat format = ChangeFormat.envelopeJson();
        private Deletes deletes = Deletes.EVENT_AND_TOMBSTONE;
        private Duration pollInterval = Duration.ofSeconds(10);
        private int maxTransactionRows = 50_000;
        private long maxTransactionBytes = 64L << 20;
        private Duration transactionTimeout = Duration.ofMinutes(5);
        private Stale onStale = Stale.FAIL_FAST;
        private boolean transactional = true;
        private SourceListener listener = new SourceListener() { };
        private String offsetsTopic;
        private Duration electionTimeout = Duration.ofMinutes(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Hook hook = Hook.NONE;

        private Builder() {
        }

        /**
         * The bridge's name, required: letters, digits, {@code .}, {@code _}, {@code -}, at most 100. It makes the
         * transactional id and the election group {@code ksbridge-<name>}, the default offsets topic
         * {@code ksbridge-<name>-offsets}, and the Snowflake object names {@code KSB_<NAME>_...}.
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1-100 letters, digits, '.', '_' or '-', was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /** The Snowflake account, required, with a warehouse (the CTAS and page reads need one). */
        public Builder account(SnowflakeAccount account) {
            this.account = Objects.requireNonNull(account, "account must not be null");
            return this;
        }

        /**
         * Kafka client settings: {@code bootstrap.servers} (required) and security. Also used for the election consumer
         * and the admin client (keys they know). The bridge owns {@code transactional.id}, {@code enable.idempotence},
         * {@code acks}, {@code transaction.timeout.ms} and the serializers; setting one is refused at {@link #build()}.
         */
        public Builder producerProperties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "producerProperties must not be null");
            properties.forEach((k, v) -> {
                Objects.requireNonNull(k, "producerProperties must not contain a null key");
                Objects.requireNonNull(v, "producerProperties must not contain a null value (key " + k + ")");
            });
            producerProperties.putAll(properties);
            return this;
        }

        /** A source table, repeatable: at least one. */
        public Builder table(TableSpec table) {
            tables.add(Objects.requireNonNull(table, "table must not be null"));
            return this;
        }

        /**
         * Where changes come from. Default {@link ChangeSource#stream()}, a stream the bridge manages; the opt-in
         * {@link ChangeSource#changes()} reads the CHANGES clause and writes nothing to Snowflake (its limits are in
         * its Javadoc).
         */
        public Builder source(ChangeSource source) {
            this.source = Objects.requireNonNull(source, "source must not be null");
            return this;
        }

        /** What the first start publishes. Default {@link Snapshot#INITIAL}. */
        public Builder snapshot(Snapshot snapshot) {
            this.snapshot = Objects.requireNonNull(snapshot, "snapshot must not be null");
            return this;
        }

        /** The record format. Default {@link ChangeFormat#envelopeJson()}. */
        public Builder format(ChangeFormat format) {
            this.format = Objects.requireNonNull(format, "format must not be null");
            return this;
        }

        /** What a delete becomes. Default {@link Deletes#EVENT_AND_TOMBSTONE}. */
        public Builder deletes(Deletes deletes) {
            this.deletes = Objects.requireNonNull(deletes, "deletes must not be null");
            return this;
        }

        /** How long an idle bridge waits between probes of its streams. Default 10 s; must be &gt; 0. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive("pollInterval", interval);
            return this;
        }

        /**
         * The most batch rows one Kafka transaction publishes (one page read): it bounds memory and transaction time.
         * Default 50,000; must be &ge; 2 (an update's two rows are never split).
         */
        public Builder maxTransactionRows(int rows) {
            if (rows < 2) {
                throw new IllegalArgumentException("maxTransactionRows must be >= 2, was " + rows);
            }
            this.maxTransactionRows = rows;
            return this;
        }

        /** The most record bytes (keys and values) one transaction holds; at least one change always goes. Default 64 MiB. */
        public Builder maxTransactionBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxTransactionBytes must be > 0, was " + bytes);
            }
            this.maxTransactionBytes = bytes;
            return this;
        }

        /**
         * The producer's {@code transaction.timeout.ms}: an open transaction of a dead instance is aborted after it.
         * Default 5 min; 1 s to 15 min (the broker's default {@code transaction.max.timeout.ms}).
         */
        public Builder transactionTimeout(Duration timeout) {
            positive("transactionTimeout", timeout);
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
                throw new IllegalArgumentException("transactionTimeout must be between 1s and 15m, was " + timeout);
            }
            this.transactionTimeout = timeout;
            return this;
        }

        /** What to do when a stream is stale. Default {@link Stale#FAIL_FAST}. */
        public Builder onStale(Stale onStale) {
            this.onStale = Objects.requireNonNull(onStale, "onStale must not be null");
            return this;
        }

        /**
         * Whether records and positions go in Kafka transactions (default true: exactly once). False is for brokers
         * without transactions: at-least-once, a batch partly republished after a failure, and no fencing of a stalled
         * old instance (run one instance only).
         */
        public Builder transactional(boolean transactional) {
            this.transactional = transactional;
            return this;
        }

        /** Callbacks. Default: none. */
        public Builder listener(SourceListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /**
         * The offsets topic: one partition, compacted, this bridge's alone (created when missing). Default
         * {@code ksbridge-<name>-offsets}.
         */
        public Builder offsetsTopic(String topic) {
            Objects.requireNonNull(topic, "offsetsTopic must not be null");
            if (topic.isBlank()) {
                throw new IllegalArgumentException("offsetsTopic must not be blank");
            }
            this.offsetsTopic = topic;
            return this;
        }

        /**
         * How long the active instance may go without a turn of its loop before a standby takes over (the election
         * consumer's {@code max.poll.interval.ms}). Make it longer than the longest step: one statement, or reading,
         * converting and committing one page of {@link #maxTransactionRows} rows; a step that takes longer hands the
         * active role over (safe, but the instance then re-initializes). Default 5 min; &ge; 1 s.
         */
        public Builder electionTimeout(Duration timeout) {
            positive("electionTimeout", timeout);
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("electionTimeout must be >= 1s, was " + timeout);
            }
            this.electionTimeout = timeout;
            return this;
        }

        /**
         * The timeout of one SQL API request; a request that times out is resubmitted with the same request id (and
         * every statement the bridge sends is idempotent). Default 30 s; must be &gt; 0.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** Tests only: a hook at each step of the loop. */
        Builder hook(Hook hook) {
            this.hook = Objects.requireNonNull(hook, "hook must not be null");
            return this;
        }

        private static Duration positive(String setting, Duration d) {
            Objects.requireNonNull(d, setting + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(setting + " must be > 0, was " + d);
            }
            return d;
        }

        /**
         * Builds the bridge (not started).
         *
         * @return a new bridge, never null
         * @throws BridgeConfigException listing every problem found
         */
        public SnowflakeToKafkaBridge build() {
            String topic = offsetsTopic != null ? offsetsTopic : "ksbridge-" + name + "-offsets";
            SourceSettings settings = new SourceSettings(name, account, producerProperties, tables, source, snapshot, format, deletes,
                    pollInterval, maxTransactionRows, maxTransactionBytes, transactionTimeout, onStale, transactional, listener, topic,
                    electionTimeout, requestTimeout);
            List<Problem> problems = SettingsCheck.problems(settings);
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new SnowflakeToKafkaBridge(settings, hook);
        }
    }
}
