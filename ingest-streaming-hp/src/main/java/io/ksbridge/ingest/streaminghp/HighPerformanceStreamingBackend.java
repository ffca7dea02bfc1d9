package io.ksbridge.ingest.streaminghp;

import com.snowflake.ingest.streaming.ChannelStatus;
import com.snowflake.ingest.streaming.ChannelStatusBatch;
import com.snowflake.ingest.streaming.OpenChannelResult;
import com.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
import io.ksbridge.config.BackendSettings;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.internal.lane.OrderedLane;
import io.ksbridge.snowflake.KafkaTables;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeIdentifiers;
import io.ksbridge.snowflake.SqlApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads batches through Snowpipe Streaming's high-performance architecture ({@code com.snowflake:snowpipe-streaming}):
 * one SDK client per table's PIPE (the table's default pipe {@code <TABLE>-STREAMING}), one named channel per Kafka
 * partition, the Kafka offset of each batch's last record as its offset token.
 * <pre>{@code
 * IngestBackend backend = HighPerformanceStreamingBackend.builder()
 *     .account(account).database("RAW").schema("KAFKA")
 *     .build();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Exactly once per partition. A batch is durable only once the channel's committed offset token (read for all
 *       channels of a pipe in one status request) has reached its last offset. {@link #open} reads the committed token
 *       and tells the bridge to resume at the next offset, whatever Kafka's committed offset says.</li>
 *   <li>When another owner reopens the channel (a rebalance), Snowflake refuses every later request of the old handle
 *       (its continuation token is superseded): the old owner never writes again. A lane whose handle was invalidated,
 *       or whose append failed, reopens the channel before its next batch and resumes from the committed token; the
 *       batches the old handle lost are retried, in order.</li>
 *   <li>Rows are checked before they are appended (one JSON value each, at most {@code maxRowBytes}), so a row
 *       Snowflake would refuse never reaches the channel: under {@code ErrorPolicy.deadLetter} or {@code skip} it goes
 *       to the policy with its reason and the batch's other rows are written; under {@code failFast} nothing of the
 *       batch is written and the bridge stops naming the record. A refusal the server reports anyway (the channel's
 *       error count grows, for example a table column whose type the row does not fit) stops the bridge naming the
 *       channel, the offset range and Snowflake's message, unless the policy is {@code skip()}; Snowflake's committed
 *       token has passed those rows then, so a restart does not load them again.</li>
 *   <li>Every SDK call that can block (building a client, opening a channel, reading statuses) is bounded by
 *       {@link Builder#callTimeout}: the SDK itself retries a failing endpoint for up to two hours.</li>
 * </ul>
 *
 * <p>{@code RECORD_CONTENT} and {@code RECORD_METADATA} land as the JSON values the other backends load (an object is
 * an object, not a string VARIANT): the rendered JSON is checked by a streaming scan and handed to the SDK's writer as
 * raw JSON, without building a tree.
 *
 * <p>With {@link Builder#schematization} each record's top-level fields are columns instead, typed from its schema
 * (or inferred), added before the rows that need them.
 *
 * <p>The table ({@code RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT}) is created when missing over the SQL REST
 * API; its default pipe exists with it. A table given a PIPE of your own ({@link Builder#pipe}) is loaded through it
 * (its transforms, its columns) and is not created. Channels are named {@code <topic>_<partition>} as Classic Streaming and the
 * Kafka connector v3 name theirs, or {@code <connector>_<topic>_<partition>} as connector v4 does
 * ({@link Builder#connectorName}).
 *
 * <p>Memory: the SDK's native core holds every row appended and not yet sent (up to about a second of rows) outside
 * the Java heap, besides the batch the bridge counts against its {@code maxBufferedBytes} until its token commits.
 *
 * <p>Thread-safe. {@link #ingest} returns at once: rows are appended on the backend's writer threads, and one commit
 * poller thread follows the committed offset tokens.
 */
public final class HighPerformanceStreamingBackend implements IngestBackend {
    private static final Logger LOG = LoggerFactory.getLogger(HighPerformanceStreamingBackend.class);
    /** The suffix of a table's default pipe. */
    static final String DEFAULT_PIPE_SUFFIX = "-STREAMING";

    private record Settings(SnowflakeAccount account, String database, String schema, String connectorName,
                            Duration callTimeout, Duration commitPollInterval, Duration closeTimeout, int writerThreads,
                            RowEncoder.Mode encoding, long maxRowBytes, long maxChannelBytesPerSecond,
                            ClassicTakeOver classic, Map<String, String> pipes, boolean schematization) {
    }

    /**
     * How {@link Builder#takeOverClassicChannels} treats a partition whose Snowpipe Streaming Classic channel does not
     * exist (Classic channels are consulted only for a channel without a committed token of its own).
     */
    public enum ClassicChannels {
        /** The partition resumes at Kafka's committed offset, as a new partition would (a topic added since). */
        BEST_EFFORT,
        /** The bridge stops naming the channel: no partition is loaded without its Classic position. */
        STRICT
    }

    private final Settings settings;
    private final SqlApiClient sql;
    private final RowEncoder encoder;
    /** One lane (channel) per (table as given to open, partition); channel names are scoped per pipe. */
    private final Map<LaneKey, Lane> lanes = new ConcurrentHashMap<>();

    private record LaneKey(String table, TopicPartition partition) {
    }
    private final Map<String, PipeClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Boolean> preparedTables = new ConcurrentHashMap<>();
    /** Schematization: what each table's columns are, by resolved table name. */
    private final Map<String, HpColumns> tableColumns = new ConcurrentHashMap<>();
    private final AtomicLong rowsAppended = new AtomicLong();
    private volatile ExecutorService[] writers;
    private volatile ScheduledExecutorService poller;
    private volatile ExecutorService calls;
    private volatile String bridgeName = "ksbridge";
    private volatile ErrorPolicy.Action errorAction = ErrorPolicy.Action.FAIL;
    private volatile boolean closed;

    private HighPerformanceStreamingBackend(Settings settings) {
        this.settings = settings;
        this.sql = SqlApiClient.create(settings.account());
        this.encoder = new RowEncoder(settings.encoding(), settings.maxRowBytes());
    }

    /** A new builder. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The channel of a partition: {@code <topic>_<partition>}, or {@code <connector>_<topic>_<partition>}. */
    String channelName(TopicPartition tp) {
        String base = tp.topic() + "_" + tp.partition();
        return settings.connectorName() == null ? base : settings.connectorName() + "_" + base;
    }

    /**
     * The default pipe of a table, quoted as connector v4 quotes it: {@code "ORDERS-STREAMING"},
     * {@code "my-topic-STREAMING"} for the quoted table {@code "my-topic"}.
     */
    static String defaultPipe(String table) {
        return "\"" + unquoted(table).replace("\"", "\"\"") + DEFAULT_PIPE_SUFFIX + "\"";
    }

    /** A table name as SQL takes it: an unquoted identifier upper-cased, or a quoted one (connector v4's) as it is. */
    static String tableIdentifier(String table) {
        if (table.length() > 2 && table.startsWith("\"") && table.endsWith("\"")
                && !table.substring(1, table.length() - 1).replace("\"\"", "").contains("\"")) {
            return table;
        }
        if (!SnowflakeIdentifiers.isUnquoted(table)) {
            throw new IngestException("table '" + table + "' is not a Snowflake identifier (unquoted [A-Za-z_][A-Za-z0-9_$]*,"
                    + " or quoted as TableNamer.connectorV4() names tables); map the topic to a valid table name with"
                    + " TableNamer", false);
        }
        return table.toUpperCase(Locale.ROOT);
    }

    /** The resolved name of a table identifier: without quotes (and their doubling) when quoted. */
    private static String unquoted(String identifier) {
        return identifier.startsWith("\"") ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"")
                : identifier;
    }

    @Override
    public String name() {
        return "streaming-hp";
    }

    /**
     * True: a channel per (table, partition), in the table's pipe, each with its own offset token, so one partition
     * may feed several tables.
     */
    @Override
    public boolean supportsTableRouting() {
        return true;
    }

    @Override
    public boolean stampsPushTime() {
        return true;
    }

    /** True: a channel's committed offset token only moves forward. */
    @Override
    public boolean durableInOffsetOrder() {
        return true;
    }

    @Override
    public synchronized void start(BackendContext context) {
        Objects.requireNonNull(context, "context must not be null");
        if (writers != null) {
            return;
        }
        this.bridgeName = context.bridgeName();
        this.errorAction = context.errorPolicy().action();
        String prefix = "ksbridge-streaming-hp-" + bridgeName;
        ExecutorService[] pool = new ExecutorService[settings.writerThreads()];
        for (int i = 0; i < pool.length; i++) {
            String name = prefix + "-writer-" + i;
            pool[i] = Executors.newSingleThreadExecutor(r -> daemon(r, name));
        }
        this.calls = Executors.newCachedThreadPool(r -> daemon(r, prefix + "-sdk-call"));
        ScheduledExecutorService p = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, prefix + "-commits"));
        long every = settings.commitPollInterval().toMillis();
        p.scheduleWithFixedDelay(this::pollCommits, every, every, TimeUnit.MILLISECONDS);
        this.poller = p;
        this.writers = pool;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void ensureStarted() {
        if (writers == null) {
            start(new BackendContext("ksbridge", io.ksbridge.BridgeListener.noop(), io.ksbridge.RetryPolicy.defaults()));
        }
    }

    /**
     * Runs an SDK call that may block, waiting at most the call timeout.
     *
     * @throws IngestException retriable when the deadline passed (the call goes on in the background), else as
     *                         {@link SdkErrors#classify} sorts the failure
     */
    private <T> T bounded(String what, Callable<T> call) {
        Future<T> f;
        try {
            f = calls.submit(call);
        } catch (RejectedExecutionException e) {
            throw new IngestException(what + ": the backend is closed", true, e);
        }
        try {
            return f.get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IngestException(what + ": the Snowpipe Streaming SDK did not answer within " + settings.callTimeout()
                    + " (callTimeout; the SDK retries a failing endpoint for up to 2 h); retried later", true, e);
        } catch (ExecutionException e) {
            throw SdkErrors.classify(what, e.getCause(), settings.account());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException(what + ": interrupted", true, e);
        }
    }

    private PipeClient client(String table) {
        PipeClient existing = clients.get(table);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            existing = clients.get(table);
            if (existing != null) {
                return existing;
            }
            String pipe = settings.pipes().getOrDefault(table, defaultPipe(table));
            String name = "KSBRIDGE_" + bridgeName.replaceAll("[^A-Za-z0-9_]", "_") + "_"
                    + unquoted(table).replaceAll("[^A-Za-z0-9_]", "_") + "_"
                    + UUID.randomUUID().toString().substring(0, 8);
            SnowflakeStreamingIngestClient c = bounded("could not start the Snowpipe Streaming client for pipe "
                    + qualify(pipe) + " at " + settings.account().url(), () -> SnowflakeStreamingIngestClientFactory
                    .builder(name, settings.database(), settings.schema(), pipe)
                    .setProperties(clientProperties(settings.account()))
                    .build());
            PipeClient pc = new PipeClient(table, pipe, c);
            clients.put(table, pc);
            return pc;
        }
    }

    static Properties clientProperties(SnowflakeAccount account) {
        Properties p = new Properties();
        // the SDK needs the scheme (without one it assumes https) and refuses "localhost"; 127.0.0.1 or a Snowflake
        // host name works
        p.put("url", account.scheme() + "://" + account.host() + ":" + account.port());
        p.put("account", account.accountName());
        p.put("user", account.user());
        p.put("private_key", Base64.getEncoder().encodeToString(account.privateKey().getEncoded()));
        account.role().ifPresent(r -> p.put("role", r));
        return p;
    }

    private String qualify(String name) {
        return settings.database() + "." + settings.schema() + "." + name;
    }

    /**
     * Creates the table when missing, opens the partition's channel (taking it over from any other writer) and
     * resumes after its committed offset token.
     *
     * @throws IngestException retriable for transient failures (and an SDK call over the call timeout); fatal ones
     *                         (authentication, privileges, a token that is not a Kafka offset) say what to fix
     */
    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        ensureStarted();
        if (closed) {
            throw new IngestException("the Streaming backend is closed", false);
        }
        String tableName = tableIdentifier(table);
        if (!settings.pipes().containsKey(tableName) && preparedTables.putIfAbsent(tableName, Boolean.TRUE) == null) {
            try {
                KafkaTables.ensure(sql, qualify(tableName), "written by Snowpipe Streaming", settings.schematization());
            } catch (RuntimeException e) {
                preparedTables.remove(tableName);
                throw e;
            }
        }
        Lane old = lanes.remove(new LaneKey(table, partition));
        if (old != null) {
            retire(old, new IngestException(partition + " was opened again", true));
        }
        PipeClient pc = client(tableName);
        String channelName = channelName(partition);
        OpenChannelResult opened = openChannel(pc, channelName);
        long committed = parseToken(channelName, opened.getChannelStatus().getLatestCommittedOffsetToken());
        if (committed < 0 && settings.classic() != null) {
            committed = settings.classic().takeOver(sql, settings.database(), settings.schema(), tableName, pc.pipe(),
                    partition, channelName);
        }
        Lane lane = new Lane(pc, partition, channelName, opened.getChannel(), committed,
                opened.getChannelStatus().getRowsErrorCount());
        lanes.put(new LaneKey(table, partition), lane);
        LOG.debug("opened channel {} of pipe {} for {}: committed offset token {}", channelName, qualify(pc.pipe()),
                partition, committed);
        return committed >= 0 ? PartitionStart.at(committed + 1) : PartitionStart.unknown();
    }

    private OpenChannelResult openChannel(PipeClient pc, String channelName) {
        return bounded("could not open channel " + channelName + " of pipe " + qualify(pc.pipe()),
                () -> pc.client().openChannel(channelName));
    }

    private long parseToken(String channelName, String token) {
        if (token == null) {
            return -1;
        }
        try {
            return Long.parseLong(token.trim());
        } catch (NumberFormatException e) {
            throw new IngestException("channel " + channelName + " has the offset token '" + token + "', which is not a"
                    + " Kafka offset; another writer uses this channel name. Drop the channel or load the topic into"
                    + " another table.", false);
        }
    }

    @Override
    public CompletionStage<IngestResult> ingest(IngestBatch batch) {
        Lane lane = lanes.get(new LaneKey(batch.table(), batch.partition()));
        if (lane == null) {
            return CompletableFuture.completedFuture(IngestResult.fatal(new IllegalStateException(
                    "partition " + batch.partition() + " was not opened in this backend (or was released)")));
        }
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        ExecutorService[] pool = writers;
        try {
            pool[Math.floorMod(batch.partition().hashCode(), pool.length)].execute(() -> write(lane, batch, result));
        } catch (RejectedExecutionException e) {
            result.complete(IngestResult.retry(new IngestException("the Streaming backend is closed", true, e)));
        }
        return result;
    }

    private void write(Lane lane, IngestBatch batch, CompletableFuture<IngestResult> result) {
        try {
            lane.lock.lock();
            try {
                writeLocked(lane, batch, result);
            } finally {
                lane.lock.unlock();
            }
        } catch (RuntimeException e) {
            result.complete(IngestResult.fatal(e));
        } catch (Error e) {
            result.complete(IngestResult.fatal(e));
            throw e;
        }
    }

    private void writeLocked(Lane lane, IngestBatch batch, CompletableFuture<IngestResult> result) {
        if (!lane.admit(batch, result, closed, lane.needsReopen || lane.channel.isClosed(), () -> reopen(lane))) {
            return;
        }
        List<Map<String, Object>> toWrite = new ArrayList<>(batch.rows().size());
        List<IngestRow> sources = new ArrayList<>(batch.rows().size());
        List<IngestResult.RowRejection> rejected = new ArrayList<>();
        HpColumns.Plan typed = null;
        if (settings.schematization()) {
            try {
                typed = columnsOf(lane).plan(); // reads the table's columns once per table (a retriable failure retries)
            } catch (RuntimeException e) {
                lane.refuse(batch, result, SdkErrors.classify("reading the columns of " + qualify(lane.client.table())
                        + " failed", e, settings.account()));
                return;
            }
        }
        long pushTime = System.currentTimeMillis();
        for (IngestRow row : batch.rows()) {
            if (row.offset() <= lane.written) {
                continue; // in the channel already, or committed (a retried batch)
            }
            row.stampPushTime(pushTime); // SnowflakeConnectorPushTime: when the row is handed to the SDK
            try {
                toWrite.add(typed == null ? encoder.encode(row) : typed.encode(batch.partition(), row));
                sources.add(row);
            } catch (RowEncoder.Refused e) {
                rejected.add(new IngestResult.RowRejection(row.offset(), "Snowflake would refuse the row: " + e.getMessage()));
            }
        }
        if (!rejected.isEmpty() && errorAction == ErrorPolicy.Action.FAIL) {
            IngestResult.RowRejection first = rejected.get(0);
            result.complete(IngestResult.fatal(new RecordFormatException(new RecordCoordinates(batch.partition().topic(),
                    batch.partition().partition(), first.offset()), RecordFormatException.Side.RECORD,
                    first.reason() + " (nothing of batch " + batch.id()
                            + " was written)", null)));
            return;
        }
        if (typed != null && !toWrite.isEmpty()) {
            try {
                typed.addMissing(); // schema evolution: the columns exist before the rows that need them
            } catch (RuntimeException e) {
                IngestException cause = e instanceof IngestException ie ? ie : SdkErrors.classify("adding column(s) "
                        + typed.missing() + (typed.toNullable().isEmpty() ? "" : ", making " + typed.toNullable()
                        + " nullable,") + " to " + qualify(lane.client.table()) + " failed", e, settings.account());
                lane.refuse(batch, result, cause);
                return;
            }
        }
        if (toWrite.isEmpty() || batch.lastOffset() <= lane.written) {
            // nothing left to append: durable once the rows before it are
            lane.pending.add(new OrderedLane.Pending(batch, result, rejected, Math.min(batch.lastOffset(), lane.written)));
            return;
        }
        try {
            append(lane, batch, toWrite, sources);
        } catch (RuntimeException e) {
            IngestException cause = SdkErrors.classify("appending batch " + batch.id() + " to channel " + lane.handleName()
                    + " failed", e, settings.account());
            lane.needsReopen = true;
            lane.failPending(cause);
            lane.refuse(batch, result, cause);
            return;
        }
        lane.pending.add(new OrderedLane.Pending(batch, result, rejected, batch.lastOffset()));
    }

    private HpColumns columnsOf(Lane lane) {
        String table = lane.client.table();
        return tableColumns.computeIfAbsent(table, t -> new HpColumns(sql, qualify(t), "\"" + settings.database()
                + "\".\"" + settings.schema() + "\"." + (t.startsWith("\"") ? t : "\"" + t + "\""), encoder));
    }

    /**
     * Appends the rows, the last one's token being the batch's last offset. Under {@code maxChannelBytesPerSecond} the
     * rows go in slices that fit the channel's one-second budget, each with the offset of its last row as token, the
     * writer waiting for the next second between them. Caller holds the lock.
     */
    private void append(Lane lane, IngestBatch batch, List<Map<String, Object>> rows, List<IngestRow> sources) {
        long limit = settings.maxChannelBytesPerSecond();
        int from = 0;
        while (from < rows.size()) {
            int to = rows.size();
            long bytes = 0;
            if (limit > 0) {
                to = from;
                while (to < rows.size() && (to == from || bytes + sources.get(to).sizeInBytes() <= limit)) {
                    bytes += sources.get(to).sizeInBytes();
                    to++;
                }
                pace(lane, bytes);
            }
            String end = to == rows.size() ? Long.toString(batch.lastOffset()) : Long.toString(sources.get(to - 1).offset());
            lane.channel.appendRows(rows.subList(from, to), Long.toString(sources.get(from).offset()), end);
            rowsAppended.addAndGet(to - from);
            lane.written = to == rows.size() ? batch.lastOffset() : sources.get(to - 1).offset();
            from = to;
        }
    }

    /**
     * Holds the writer until the channel's one-second budget ({@code maxChannelBytesPerSecond}) has room for
     * {@code bytes}, so that no flush of the SDK (one a second) carries more than twice the budget.
     */
    private void pace(Lane lane, long bytes) {
        long limit = settings.maxChannelBytesPerSecond();
        long now = System.nanoTime();
        if (now - lane.windowStart >= 1_000_000_000L) {
            lane.windowStart = now;
            lane.windowBytes = 0;
        }
        if (lane.windowBytes > 0 && lane.windowBytes + bytes > limit) {
            long wait = lane.windowStart + 1_000_000_000L - now;
            try {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lane.windowStart = System.nanoTime();
            lane.windowBytes = 0;
        }
        lane.windowBytes += bytes;
    }

    /** Opens the lane's channel again and resumes after its committed token. Caller holds the lock. */
    private void reopen(Lane lane) {
        SnowflakeStreamingIngestChannel old = lane.channel;
        if (old != null && !old.isClosed()) {
            // the SDK opens a channel name once per client: the invalid handle is closed first, sending nothing
            bounded("closing the old handle of channel " + lane.handleName(), () -> {
                old.close(false, Duration.ZERO);
                return null;
            });
        }
        OpenChannelResult opened = openChannel(lane.client, lane.channelName);
        long committed = parseToken(lane.channelName, opened.getChannelStatus().getLatestCommittedOffsetToken());
        lane.channel = opened.getChannel();
        lane.needsReopen = false;
        lane.written = committed;
        lane.errorsSeen = opened.getChannelStatus().getRowsErrorCount();
        lane.handle++;
        // what the reopened channel reports committed is every batch of the old handle that reached Snowflake, in
        // order; the rest is written again before any later batch
        lane.completeUpTo(committed);
        if (!lane.pending.isEmpty()) {
            lane.failPending(new IngestException("channel " + lane.channelName + " of " + lane.partition + " was reopened;"
                    + " rows appended to the old handle after offset " + committed + " were not committed and are written"
                    + " again", true));
        }
        LOG.info("reopened channel {} for {}: committed offset token {}", lane.handleName(), lane.partition, committed);
    }

    /** Closes a channel handle without sending what it buffers; never throws, never blocks. */
    private void dropQuietly(SnowflakeStreamingIngestChannel channel) {
        ExecutorService c = calls;
        Runnable close = () -> {
            try {
                channel.close(false, Duration.ZERO);
            } catch (Exception e) {
                LOG.debug("closing channel {}: {}", channel.getChannelName(), e.toString());
            }
        };
        try {
            c.execute(close);
        } catch (RuntimeException e) {
            LOG.debug("closing channel {}: {}", channel.getChannelName(), e.toString());
        }
    }

    /**
     * Completes waiting batches whose token committed, reopens invalidated channels, and stops on rows Snowflake
     * refused. One status request per pipe per round covers all its channels.
     */
    private void pollCommits() {
        try {
            Map<PipeClient, List<Lane>> waiting = new HashMap<>();
            for (Lane lane : lanes.values()) {
                if (!lane.lock.tryLock()) {
                    continue;
                }
                try {
                    if (!lane.pending.isEmpty() && !lane.needsReopen && !lane.released) {
                        waiting.computeIfAbsent(lane.client, k -> new ArrayList<>()).add(lane);
                    }
                } finally {
                    lane.lock.unlock();
                }
            }
            for (Map.Entry<PipeClient, List<Lane>> e : waiting.entrySet()) {
                pollPipe(e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) {
            LOG.warn("the Streaming commit poller failed; it goes on: {}", e.toString());
        }
    }

    private void pollPipe(PipeClient pc, List<Lane> lanesOfPipe) {
        List<String> names = new ArrayList<>(lanesOfPipe.size());
        for (Lane lane : lanesOfPipe) {
            names.add(lane.channelName);
        }
        Map<String, ChannelStatus> statuses;
        try {
            ChannelStatusBatch batch = bounded("reading the channel statuses of pipe " + qualify(pc.pipe()),
                    () -> pc.client().getChannelStatus(names));
            statuses = batch.getChannelStatusBatch();
        } catch (IngestException e) {
            LOG.info("{}; read again next round", e.getMessage());
            return;
        }
        for (Lane lane : lanesOfPipe) {
            ChannelStatus status = statuses == null ? null : statuses.get(lane.channelName);
            SnowflakeStreamingIngestChannel channel = lane.channel;
            String invalid = null;
            if (status == null) {
                continue; // not in the SDK's status cache yet: next round
            }
            if (!"SUCCESS".equals(status.getStatusCode())) {
                invalid = "channel " + lane.channelName + " has status " + status.getStatusCode();
            } else {
                invalid = localFailure(channel);
            }
            if (!lane.lock.tryLock()) {
                continue;
            }
            try {
                if (lane.channel != channel || lane.released) {
                    continue;
                }
                if (status.getRowsErrorCount() > lane.errorsSeen) {
                    serverRejected(lane, status);
                }
                long committed = parseToken(lane.channelName, status.getLatestCommittedOffsetToken());
                lane.completeUpTo(committed);
                if (invalid != null && !lane.pending.isEmpty()) {
                    LOG.info("{}; its {} waiting batch(es) are written again on a reopened channel", invalid,
                            lane.pending.size());
                    lane.needsReopen = true;
                    lane.failPending(new IngestException(invalid + "; reopening it before the retry", true));
                }
            } catch (IngestException e) {
                lane.failPending(e);
            } finally {
                lane.lock.unlock();
            }
        }
    }

    /** Why this handle can write no more (another owner took the channel, Snowflake refused its data), or null. */
    private static String localFailure(SnowflakeStreamingIngestChannel channel) {
        if (channel.isClosed()) {
            return "channel " + channel.getChannelName() + " was closed";
        }
        try {
            channel.getChannelStatus(); // answered from the SDK's status cache; throws once the handle is invalid
            return null;
        } catch (RuntimeException e) {
            return SdkErrors.invalidChannel(e) ? "channel " + channel.getChannelName() + " was invalidated (another writer"
                    + " reopened it, or Snowflake refused its data): " + SdkErrors.describe(e) : null;
        }
    }

    /** The server counted refused rows on the channel. Caller holds the lock. */
    private void serverRejected(Lane lane, ChannelStatus status) {
        long refusedRows = status.getRowsErrorCount() - lane.errorsSeen;
        lane.errorsSeen = status.getRowsErrorCount();
        String what = "Snowflake refused " + refusedRows + " row(s) of channel " + lane.channelName + " (" + lane.partition
                + ", offsets up to " + status.getLastErrorOffsetTokenUpperBound() + "): " + status.getLastErrorMessage();
        if (errorAction == ErrorPolicy.Action.SKIP) {
            LOG.warn("{}; skipped, as the bridge's ErrorPolicy is skip()", what);
            return;
        }
        IngestException fatal = new IngestException(what + ". Snowflake's committed offset token has passed them. Fix the"
                + " table or the records, or use ErrorPolicy.skip() to go on past rows Snowflake refuses.", false);
        for (OrderedLane.Pending p : lane.pending) {
            p.result().complete(IngestResult.fatal(fatal));
        }
        lane.pending.clear();
    }

    /** The partition is no longer this bridge's: its channel is closed unsent and its waiting batches abandoned. */
    @Override
    public void release(TopicPartition partition) {
        for (LaneKey key : new ArrayList<>(lanes.keySet())) {
            if (key.partition().equals(partition)) {
                release(key.table(), partition);
            }
        }
    }

    /** As {@link #release(TopicPartition)}, for the partition's channel of {@code table} only. */
    @Override
    public void release(String table, TopicPartition partition) {
        Lane lane = lanes.remove(new LaneKey(table, partition));
        if (lane != null) {
            retire(lane, new IngestException(partition + " (table " + table + ") was released", true));
        }
    }

    private void retire(Lane lane, IngestException why) {
        SnowflakeStreamingIngestChannel channel;
        lane.lock.lock();
        try {
            lane.released = true;
            lane.abandonPending(why);
            channel = lane.channel;
        } finally {
            lane.lock.unlock();
        }
        if (channel != null) {
            dropQuietly(channel);
        }
    }

    /** Rows handed to the SDK, since the backend started (for tests and metrics). */
    long rowsAppended() {
        return rowsAppended.get();
    }

    /**
     * Stops as a killed process would: writers and the poller stop, and every client is closed without sending what
     * it buffers ({@code close(false, 0)}). Waiting batches never complete. A request already on the wire may still
     * land, as it could when a process dies.
     */
    @Override
    public void halt() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (poller != null) {
            poller.shutdownNow();
        }
        ExecutorService[] w = writers;
        if (w != null) {
            for (ExecutorService writer : w) {
                writer.shutdownNow();
            }
            long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
            for (ExecutorService writer : w) {
                try {
                    writer.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (Lane lane : lanes.values()) {
            lane.released = true;
        }
        lanes.clear();
        for (PipeClient pc : clients.values()) {
            try {
                pc.client().close(false, Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("halting the client of pipe {}: {}", pc.pipe(), e.toString());
            }
        }
        if (calls != null) {
            calls.shutdownNow();
        }
        sql.close();
    }

    /** Closes every client (sending what it buffers), waiting at most the close timeout. Idempotent. */
    @Override
    public void close() {
        close(settings.closeTimeout());
    }

    /** Closes within the shorter of {@code timeout} and the builder's {@code closeTimeout}. */
    @Override
    public void close(Duration timeout) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Duration wait = timeout.compareTo(settings.closeTimeout()) < 0 ? timeout : settings.closeTimeout();
        for (LaneKey key : new ArrayList<>(lanes.keySet())) {
            Lane lane = lanes.remove(key);
            if (lane == null) {
                continue;
            }
            lane.lock.lock();
            try {
                lane.released = true;
                lane.abandonPending(new IngestException("the Streaming backend closed", true));
            } finally {
                lane.lock.unlock();
            }
        }
        if (poller != null) {
            poller.shutdownNow();
        }
        if (writers != null) {
            for (ExecutorService w : writers) {
                w.shutdownNow();
            }
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (PipeClient pc : clients.values()) {
            try {
                closing.add(pc.client().close(true, wait));
            } catch (RuntimeException e) {
                LOG.debug("closing the client of pipe {}: {}", pc.pipe(), e.toString());
            }
        }
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture[0])).get(Math.max(1, wait.toMillis()) + 1000,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("the Snowpipe Streaming clients did not close cleanly within {}: {}", wait, e.toString());
        }
        if (calls != null) {
            calls.shutdownNow();
        }
        sql.close();
    }

    @Override
    public String toString() {
        return "HighPerformanceStreamingBackend{account=" + settings.account().url() + ", database=" + settings.database()
                + ", schema=" + settings.schema() + (settings.connectorName() != null ? ", connectorName="
                + settings.connectorName() : "") + ", callTimeout=" + settings.callTimeout()
                + (settings.schematization() ? ", schematization=true" : "") + "}";
    }

    /**
     * Builds a {@link HighPerformanceStreamingBackend}. Setters check their value at once; {@link #build()} checks the
     * required settings and throws one {@link BridgeConfigException} listing every problem. Mutable, not thread-safe;
     * may build several backends.
     */
    public static final class Builder {
        private SnowflakeAccount account;
        private String database;
        private String schema;
        private String connectorName;
        private Duration callTimeout = Duration.ofMinutes(2);
        private Duration commitPollInterval = Duration.ofMillis(200);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private int writerThreads = 2;
        private RowEncoder.Mode encoding = RowEncoder.Mode.RAW;
        private long maxRowBytes = 16L << 20;
        private long maxChannelBytesPerSecond;
        private ClassicChannels classicChannels;
        private String classicConnectorName;
        private final Map<String, String> pipes = new HashMap<>();
        private boolean schematization = (Boolean) BackendSettings.STREAMING_SCHEMATIZATION.defaultValue();

        private Builder() {
        }

        /** The account to load into (URL, user, role, key pair). Required; key-pair authentication only. */
        public Builder account(SnowflakeAccount account) {
            this.account = Objects.requireNonNull(account, "account must not be null");
            return this;
        }

        /** The database of the tables. Required; an unquoted identifier (resolved upper case). */
        public Builder database(String database) {
            this.database = SnowflakeIdentifiers.requireUnquoted("database", database);
            return this;
        }

        /** The schema of the tables. Required; an unquoted identifier (resolved upper case). */
        public Builder schema(String schema) {
            this.schema = SnowflakeIdentifiers.requireUnquoted("schema", schema);
            return this;
        }

        /**
         * The name of the Kafka connector (v4) whose channels this bridge takes over: channels are then named
         * {@code <connectorName>_<topic>_<partition>}, as connector v4 names them, so its committed offset tokens are
         * where the bridge resumes. Default: none, channels are {@code <topic>_<partition>} (ksbridge's Classic
         * backend and connector v3). Not blank.
         */
        public Builder connectorName(String connectorName) {
            Objects.requireNonNull(connectorName, "connectorName must not be null");
            if (connectorName.isBlank()) {
                throw new IllegalArgumentException("connectorName must not be blank");
            }
            this.connectorName = connectorName.trim();
            return this;
        }

        /**
         * Loads {@code table} through a PIPE you created instead of its default pipe {@code <TABLE>-STREAMING}, for
         * its transforms ({@code COPY INTO t (ID, PAYLOAD) FROM (SELECT $1:RECORD_CONTENT:id, $1:RECORD_CONTENT:payload
         * FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))}), pre-clustering or columns of your own. Rows reach the pipe
         * as {@code {"RECORD_METADATA": {...}, "RECORD_CONTENT": ...}}, which its {@code SELECT} reads as {@code $1}.
         * The table and the pipe must exist (the bridge creates neither); channels are named as usual.
         *
         * @param table the table, as the bridge's {@code TableNamer} names it (unquoted, or quoted as written)
         * @param pipe  the pipe in the backend's database and schema: an unquoted identifier, or a quoted one
         */
        public Builder pipe(String table, String pipe) {
            Objects.requireNonNull(table, "table must not be null");
            Objects.requireNonNull(pipe, "pipe must not be null");
            String t;
            try {
                t = tableIdentifier(table.trim());
            } catch (IngestException e) {
                throw new IllegalArgumentException("pipe(table, pipe): " + e.getMessage(), e);
            }
            String p = pipe.trim();
            if (p.length() > 2 && p.startsWith("\"") && p.endsWith("\"")
                    && !p.substring(1, p.length() - 1).replace("\"\"", "").contains("\"")) {
                pipes.put(t, p);
            } else if (SnowflakeIdentifiers.isUnquoted(p)) {
                pipes.put(t, p.toUpperCase(Locale.ROOT));
            } else {
                throw new IllegalArgumentException("pipe must be an unquoted Snowflake identifier ([A-Za-z_][A-Za-z0-9_$]*)"
                        + " or a quoted one, was '" + pipe + "'");
            }
            return this;
        }

        /**
         * Takes over from Snowpipe Streaming Classic (ksbridge's {@code StreamingBackend}, the Kafka connector v3):
         * when a partition's channel has no committed offset token yet, the committed token of its Classic channel on
         * the same table ({@code <topic>_<partition>}, or {@code <classicConnectorName>_<topic>_<partition>}) becomes
         * the channel's, through {@code SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET} (what Snowflake's Kafka connector v4 calls),
         * and the bridge resumes right after it: nothing replayed, nothing skipped. Stop the Classic loader first. A
         * channel that has a token of its own is never changed. Default: off (Classic channels are not consulted).
         *
         * @param whenMissing what to do for a partition without a Classic channel, never null
         */
        public Builder takeOverClassicChannels(ClassicChannels whenMissing) {
            this.classicChannels = Objects.requireNonNull(whenMissing, "takeOverClassicChannels must not be null");
            return this;
        }

        /**
         * The name of the Kafka connector v3 whose Classic channels {@link #takeOverClassicChannels} takes over, when
         * it named them {@code <connector>_<topic>_<partition>} ({@code snowflake.streaming.channel.name.include
         * .connector.name=true}). Default: none, Classic channels are {@code <topic>_<partition>}. Not blank.
         */
        public Builder classicConnectorName(String connectorName) {
            Objects.requireNonNull(connectorName, "classicConnectorName must not be null");
            if (connectorName.isBlank()) {
                throw new IllegalArgumentException("classicConnectorName must not be blank");
            }
            this.classicConnectorName = connectorName.trim();
            return this;
        }

        /**
         * How long one SDK call that can block (building a client, opening a channel, reading channel statuses) may
         * take before it counts as failed and is retried later. The SDK retries a failing endpoint itself for up to
         * two hours; this bounds it. Default 2 min; 1 s to 1 h.
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = between("callTimeout", timeout, Duration.ofSeconds(1), Duration.ofHours(1));
            return this;
        }

        /**
         * How often the committed offset tokens of channels with batches waiting are read: one status request per pipe
         * per round. Default 200 ms; 10 ms to 10 s. (The SDK refreshes its status cache about once a second.)
         */
        public Builder commitPollInterval(Duration interval) {
            this.commitPollInterval = between("commitPollInterval", interval, Duration.ofMillis(10), Duration.ofSeconds(10));
            return this;
        }

        /** How long {@code close()} waits for the clients to send what they hold. Default 10 s; 0 to 10 min. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = between("closeTimeout", timeout, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /** Threads appending rows (a partition always uses the same one). Default 2; 1 to 32. */
        public Builder writerThreads(int threads) {
            if (threads < 1 || threads > 32) {
                throw new IllegalArgumentException("writerThreads must be between 1 and 32, was " + threads);
            }
            this.writerThreads = threads;
            return this;
        }

        /**
         * Keeps each channel in the SDK's REST mode: at most this many bytes of rows are appended to a channel per second
         * (a batch waits on its writer thread for the next second; give one writer thread per partition for full speed).
         * A channel that gets more than about 1 MiB in one flush (the SDK flushes once a second) switches to the SDK's
         * file mode, which uploads encrypted files straight to the pipe's cloud storage (S3, Azure, GCS): set this where
         * only Snowflake's own host is reachable (a firewall, a private link without storage access) or against a test
         * server that does not serve uploads. 512 KiB or less keeps every flush under 1 MiB. Default 0: no limit (file
         * mode, the fast path, whenever the SDK chooses it).
         */
        public Builder maxChannelBytesPerSecond(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxChannelBytesPerSecond must be >= 0, was " + bytes);
            }
            this.maxChannelBytesPerSecond = bytes;
            return this;
        }

        /**
         * The connector's {@code snowflake.enable.schematization}: the top-level fields of each record's JSON object
         * become columns of the table, loaded by its default pipe, which matches each row's keys to the columns by
         * name. A field the record's schema declares (Avro, Protobuf) gets its declared type ({@code NUMBER(10,2)},
         * {@code DATE}, {@code TIMESTAMP_LTZ(3)}, ...), others a type inferred from the JSON value (NUMBER, BOOLEAN,
         * VARCHAR, else VARIANT); {@code RECORD_METADATA} stays a VARIANT column. A column a batch needs is added,
         * nullable ({@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS}), before the batch is appended. A declared type
         * that does not fit the existing column stops the partition, naming the record, the field, the column's type
         * and the schema's (a column is never narrowed or retyped); a record that is not a JSON object, or a value its
         * column cannot hold, is a bad record for the bridge's {@code ErrorPolicy}. Default false: the whole record
         * in {@code RECORD_CONTENT}. Not with {@link #pipe} (a pipe of your own decides the columns).
         */
        public Builder schematization(boolean enabled) {
            this.schematization = enabled;
            return this;
        }

        /** How rows reach the SDK (for measurements): raw JSON (default) or parsed maps. */
        Builder rowEncoding(RowEncoder.Mode mode) {
            this.encoding = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The largest row, in bytes of JSON, appended (for tests; default 16 MiB, a VARIANT's limit). */
        Builder maxRowBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxRowBytes must be > 0, was " + bytes);
            }
            this.maxRowBytes = bytes;
            return this;
        }

        private static Duration between(String setting, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, setting + " must not be null");
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(setting + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }

        /**
         * Builds the backend. Nothing is contacted until the bridge opens a partition.
         *
         * @throws BridgeConfigException listing every missing setting, an account that signs in with OAuth, and an
         *                               account with a proxy (neither is wired to this SDK yet)
         */
        public HighPerformanceStreamingBackend build() {
            List<BridgeConfigException.Problem> problems = new ArrayList<>();
            if (account == null) {
                problems.add(new BridgeConfigException.Problem("account", null, "the Snowflake account is required"));
            } else {
                if (account.authentication() == SnowflakeAccount.Authentication.OAUTH) {
                    problems.add(new BridgeConfigException.Problem("account", "oauth", "the high-performance Streaming"
                            + " backend signs in with a key pair only; configure the account's private key"));
                }
                if (account.proxy().isPresent()) {
                    problems.add(new BridgeConfigException.Problem("proxy", account.proxy().get().toString(),
                            "the high-performance Streaming backend does not pass a proxy to the SDK's native core yet;"
                                    + " remove the account's proxy"));
                }
            }
            if (database == null) {
                problems.add(new BridgeConfigException.Problem("database", null, "the database of the target tables is required"));
            }
            if (schema == null) {
                problems.add(new BridgeConfigException.Problem("schema", null, "the schema of the target tables is required"));
            }
            if (classicConnectorName != null && classicChannels == null) {
                problems.add(new BridgeConfigException.Problem("classicConnectorName", classicConnectorName,
                        "names Classic channels to take over, but takeOverClassicChannels is not set"));
            }
            if (schematization && !pipes.isEmpty()) {
                problems.add(new BridgeConfigException.Problem("schematization", "true", "columns from the records'"
                        + " fields go through each table's default pipe, but pipe(table, pipe) sets a pipe of your own for "
                        + new java.util.TreeSet<>(pipes.keySet()) + "; use one or the other"));
            }
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new HighPerformanceStreamingBackend(new Settings(account, database, schema, connectorName, callTimeout,
                    commitPollInterval, closeTimeout, writerThreads, encoding, maxRowBytes, maxChannelBytesPerSecond,
                    classicChannels == null ? null : new ClassicTakeOver(classicChannels, classicConnectorName),
                    Map.copyOf(pipes), schematization));
        }

        @Override
        public String toString() {
            return "HighPerformanceStreamingBackend.Builder{account=" + account + ", database=" + database + ", schema="
                    + schema + ", connectorName=" + connectorName + ", callTimeout=" + callTimeout
                    + (classicChannels != null ? ", takeOverClassicChannels=" + classicChannels : "")
                    + (pipes.isEmpty() ? "" : ", pipes=" + pipes) + (schematization ? ", schematization=true" : "") + "}";
        }
    }
}
