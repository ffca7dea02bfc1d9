package io.ksbridge.ingest.streaming;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.IngestException;
import io.ksbridge.config.BackendSettings;
import io.ksbridge.internal.schema.Schematizer;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.internal.lane.OrderedLane;
import io.ksbridge.snowflake.AccessTokenProvider;
import io.ksbridge.snowflake.OAuthTokenClient;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeIdentifiers;
import io.ksbridge.snowflake.SqlApiClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import net.snowflake.ingest.utils.ParameterProvider;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads batches through Snowpipe Streaming with {@code snowflake-ingest-sdk}'s streaming client: one channel per
 * Kafka partition, named {@code <topic>_<partition>} as the Snowflake Kafka connector names its channels, so a
 * user moving from the connector resumes from its offset tokens.
 * <pre>{@code
 * IngestBackend backend = StreamingBackend.builder()
 *     .account(account).database("RAW").schema("KAFKA")
 *     .build();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Exactly once per partition. Each batch is written with the Kafka offset its range ends at as the channel's
 *       offset token, and is durable only once Snowflake's committed token has reached it. {@link #open} reads the
 *       committed token and tells the bridge to resume at the next offset, whatever Kafka's committed offset says.</li>
 *   <li>When a write fails or the channel is invalidated (another instance reopened it after a rebalance, or
 *       Snowflake says so), the batch and every later one of the partition still waiting are retried; the channel is
 *       reopened before the retried batch is written, and rows the committed token already covers are not written
 *       again. An invalidated channel handle is never written again.</li>
 *   <li>Rows the SDK rejects (for example a row over its size limit): by default the backend follows the bridge's
 *       {@link io.ksbridge.ErrorPolicy}. Under {@code deadLetter} or {@code skip} it writes with
 *       {@link OnError#CONTINUE}: the batch's other rows are written, the rejected ones are routed by the policy, and
 *       the offset token passes them. Under {@code failFast} it writes with {@link OnError#ABORT}: nothing of the
 *       batch is written, the token stays before it, and the bridge stops naming the row, so a restart stops at the
 *       same row again instead of skipping it.</li>
 * </ul>
 *
 * <p>The table ({@code RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT}) is created when missing over the SQL REST
 * API. Rows carry {@code SnowflakeConnectorPushTime} in {@code RECORD_METADATA}, as the connector's Streaming mode.
 *
 * <p>Memory: the SDK keeps its own converted copy of every row it has not flushed yet (up to the max client lag),
 * besides the batch the bridge counts against its {@code maxBufferedBytes} until the token commits. Leave heap for
 * both.
 *
 * <p>Thread-safe. {@link #ingest} returns at once: rows are handed to the SDK on the backend's writer threads, and
 * one commit poller thread per backend follows the committed offset tokens.
 */
public final class StreamingBackend implements IngestBackend {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingBackend.class);

    /** What happens to a row the SDK rejects. */
    public enum OnError {
        /**
         * The batch's other rows are written; the rejected rows go to the bridge's {@link io.ksbridge.ErrorPolicy}
         * (dead-letter topic, skip, or stop). The default under {@code deadLetter} and {@code skip}.
         */
        CONTINUE,
        /**
         * The bridge stops on the first rejected row, naming it; nothing of its batch is written. The default under
         * {@code failFast}.
         */
        ABORT
    }

    private record Settings(SnowflakeAccount account, String database, String schema, String clientName,
                            Duration maxClientLag, OnError onError, Duration statusPollInterval, Duration closeTimeout,
                            int writerThreads, boolean schematization) {
    }

    private final Settings settings;
    /** The onError in force: the builder's, or the one the bridge's error policy calls for. */
    private volatile OnError onError;
    private final SqlApiClient sql;
    private final TableSetup tables;
    /** One lane (channel) per (table, partition): channels are per table in Snowflake, so each keeps its own token. */
    private final Map<LaneKey, Lane> lanes = new ConcurrentHashMap<>();

    private record LaneKey(String table, TopicPartition partition) {
    }
    private final Map<String, Boolean> preparedTables = new ConcurrentHashMap<>();
    private final AtomicLong rowsWritten = new AtomicLong();
    private volatile SnowflakeStreamingIngestClient client;
    private volatile ExecutorService[] writers;
    private volatile ScheduledExecutorService poller;
    private volatile String bridgeName = "ksbridge";
    private volatile boolean closed;

    private StreamingBackend(Settings settings) {
        this.settings = settings;
        this.sql = SqlApiClient.create(settings.account());
        this.tables = new TableSetup(sql, settings.database(), settings.schema());
    }

    /** The settings this backend was built with (its builder's test compares their defaults with BackendSettings). */
    Record settings() {
        return settings;
    }

    /** A new builder. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The channel name the connector uses for a partition: {@code <topic>_<partition>}. */
    static String channelName(TopicPartition tp) {
        return tp.topic() + "_" + tp.partition();
    }

    @Override
    public String name() {
        return "streaming";
    }

    @Override
    public boolean stampsPushTime() {
        return true;
    }

    /** True: a channel's committed offset token only moves forward, so batches become durable in offset order. */
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
        this.onError = settings.onError() != null ? settings.onError()
                : context.errorPolicy().action() == io.ksbridge.ErrorPolicy.Action.FAIL ? OnError.ABORT : OnError.CONTINUE;
        ExecutorService[] pool = new ExecutorService[settings.writerThreads()];
        for (int i = 0; i < pool.length; i++) {
            String threadName = "ksbridge-streaming-" + bridgeName + "-writer-" + i;
            pool[i] = Executors.newSingleThreadExecutor(r -> daemon(r, threadName));
        }
        String pollerName = "ksbridge-streaming-" + bridgeName + "-commits";
        ScheduledExecutorService p = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, pollerName));
        long every = settings.statusPollInterval().toMillis();
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

    private SnowflakeStreamingIngestClient client() {
        SnowflakeStreamingIngestClient c = client;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (client == null) {
                String name = settings.clientName() != null ? settings.clientName()
                        : "KSBRIDGE_" + bridgeName.replaceAll("[^A-Za-z0-9_]", "_") + "_" + UUID.randomUUID().toString()
                        .substring(0, 8);
                try {
                    client = SnowflakeStreamingIngestClientFactory.builder(name)
                            .setProperties(clientProperties(settings.account()))
                            .setParameterOverrides(parameters())
                            .build();
                } catch (RuntimeException e) {
                    throw SdkErrors.classify("could not start the Snowpipe Streaming client for " + settings.account().url(),
                            e, settings.account());
                }
            }
            return client;
        }
    }

    private Map<String, Object> parameters() {
        Map<String, Object> p = new HashMap<>();
        p.put(ParameterProvider.MAX_CLIENT_LAG, settings.maxClientLag().toMillis());
        return p;
    }

    static Properties clientProperties(SnowflakeAccount account) {
        Properties p = new Properties();
        // the SDK rejects "localhost"; an IP (the emulator's 127.0.0.1) or a Snowflake host name works
        p.put("url", account.scheme() + "://" + account.host() + ":" + account.port());
        p.put("user", account.user());
        if (account.oauth().orElse(null) instanceof OAuthTokenClient oauth) { // refresh-token grant: checked by build()
            p.put("authorization_type", "OAuth");
            p.put("oauth_client_id", oauth.clientId());
            p.put("oauth_client_secret", oauth.clientSecret().reveal());
            p.put("oauth_refresh_token", oauth.refreshToken().orElseThrow().reveal());
            p.put("oauth_token_endpoint", oauth.tokenEndpoint().toString());
        } else {
            p.put("private_key", Base64.getEncoder().encodeToString(account.privateKey().getEncoded()));
        }
        account.role().ifPresent(r -> p.put("role", r));
        String host = account.host();
        int dot = host.indexOf('.');
        String fromHost = (dot > 0 ? host.substring(0, dot) : host).toUpperCase(Locale.ROOT);
        if (!fromHost.equals(account.accountName()) && !host.matches("[0-9.]+")) {
            p.put("account", account.accountName());
        }
        return p;
    }

    /**
     * Creates the table when missing, opens the partition's channel (taking it over from any other writer) and
     * resumes after its committed offset token.
     *
     * @throws IngestException retriable for transient failures; fatal ones (authentication, privileges, a token
     *                         that is not a Kafka offset) say what to fix
     */
    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        ensureStarted();
        if (closed) {
            throw new IngestException("the Streaming backend is closed", false);
        }
        if (table.isBlank()) {
            throw new IngestException("the table name for " + partition + " is blank; map the topic to a table with TableNamer",
                    false);
        }
        String tableName = table; // as Snowflake resolves it (TableNamer's contract): quoted in every statement
        if (preparedTables.putIfAbsent(tableName, Boolean.TRUE) == null) {
            try {
                tables.ensureTable(tableName, settings.schematization());
            } catch (RuntimeException e) {
                preparedTables.remove(tableName);
                throw e;
            }
        }
        Lane old = lanes.remove(new LaneKey(tableName, partition));
        if (old != null) {
            retire(old, new IngestException(partition + " was opened again", true));
        }
        String channelName = channelName(partition);
        SnowflakeStreamingIngestChannel channel = openChannel(tableName, channelName);
        long committed = committedOffset(channel);
        Lane lane = new Lane(tableName, partition, channelName, channel, committed);
        readSchema(lane, channel);
        lanes.put(new LaneKey(tableName, partition), lane);
        LOG.debug("opened channel {} of {} for {}: committed offset token {}", channelName, tableName, partition, committed);
        return committed >= 0 ? PartitionStart.at(committed + 1) : PartitionStart.unknown();
    }

    private SnowflakeStreamingIngestChannel openChannel(String table, String channelName) {
        OpenChannelRequest request = OpenChannelRequest.builder(channelName)
                .setDBName(sdkName(settings.database()))
                .setSchemaName(sdkName(settings.schema()))
                .setTableName(sdkName(table))
                .setOnErrorOption(onError == OnError.ABORT ? OpenChannelRequest.OnErrorOption.SKIP_BATCH
                        : OpenChannelRequest.OnErrorOption.CONTINUE)
                .build();
        try {
            return client().openChannel(request);
        } catch (IngestException e) {
            throw e;
        } catch (RuntimeException e) {
            throw SdkErrors.classify("could not open channel " + channelName + " of table " + tables.qualify(table), e,
                    settings.account());
        }
    }

    /**
     * A resolved name as the SDK takes it: as it is when it reads the same unquoted (upper case letters, digits,
     * {@code _} and {@code $}: what the SDK and the connector have always sent), double-quoted otherwise, so
     * {@code MixedCase} stays itself.
     */
    static String sdkName(String resolved) {
        return resolved.matches("[A-Z_][A-Z0-9_$]*") ? resolved : SnowflakeIdentifiers.quote(resolved);
    }

    /**
     * The table's columns, their types and the NOT NULL ones as the channel reports them, by resolved (upper-case)
     * name, into the lane, for schematization.
     */
    private static void readSchema(Lane lane, SnowflakeStreamingIngestChannel channel) {
        Map<String, String> types = new java.util.HashMap<>();
        List<String> notNull = new ArrayList<>();
        try {
            channel.getTableSchema().forEach((name, column) -> {
                types.put(bare(name), column.getType());
                if (!column.isNullable()) {
                    notNull.add(bare(name));
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("no table schema for channel {}: {}", channel.getName(), e.toString());
        }
        lane.columnTypes = types;
        lane.columns = types.keySet();
        lane.notNull = notNull;
    }

    /** A column name without quotes, upper case when it was not quoted: how Snowflake resolves it. */
    private static String bare(String column) {
        if (column.length() > 1 && column.startsWith("\"") && column.endsWith("\"")) {
            return column.substring(1, column.length() - 1).replace("\"\"", "\"");
        }
        return column.toUpperCase(Locale.ROOT);
    }

    /** The committed offset token as a Kafka offset, or -1 when the channel has none. */
    private long committedOffset(SnowflakeStreamingIngestChannel channel) {
        String token;
        try {
            token = channel.getLatestCommittedOffsetToken();
        } catch (RuntimeException e) {
            throw SdkErrors.classify("could not read the committed offset token of channel " + channel.getName(), e,
                    settings.account());
        }
        return parseToken(channel, token);
    }

    private long parseToken(SnowflakeStreamingIngestChannel channel, String token) {
        if (token == null) {
            return -1;
        }
        try {
            return Long.parseLong(token.trim());
        } catch (NumberFormatException e) {
            throw new IngestException("channel " + channel.getFullyQualifiedName() + " has the offset token '" + token
                    + "', which is not a Kafka offset; another writer uses this channel name. Drop the channel or load the"
                    + " topic into another table.", false);
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.complete(IngestResult.retry(new IngestException("the Streaming backend is closed", true, e)));
        }
        return result;
    }

    /** Hands a batch's rows to the channel; runs on the partition's writer thread. */
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
            // never leave the batch without an outcome (it would pin the partition's offsets); the Error goes on
            result.complete(IngestResult.fatal(e));
            throw e;
        }
    }

    private void writeLocked(Lane lane, IngestBatch batch, CompletableFuture<IngestResult> result) {
        // a reopen refuses the waiting batches the old channel lost, before this batch can pass them
        if (!lane.admit(batch, result, closed, lane.needsReopen || !lane.channel.isValid() || lane.channel.isClosed(),
                () -> reopen(lane))) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} batch {} (offsets {}..{}, {} rows, attempt {}) to channel {}, written up to {}", batch.partition(),
                    batch.id(), batch.firstOffset(), batch.lastOffset(), batch.rows().size(), batch.attempt(),
                    lane.handleName(), lane.written);
        }
        List<IngestRow> rows = batch.rows();
        List<Map<String, Object>> toWrite = new ArrayList<>(rows.size());
        long[] offsets = new long[rows.size()];
        List<IngestResult.RowRejection> refused = new ArrayList<>();
        Map<String, String> newColumns = new LinkedHashMap<>();
        java.util.Set<String> toNullable = new java.util.LinkedHashSet<>();
        long pushTime = System.currentTimeMillis(); // SnowflakeConnectorPushTime: when the rows go to the channel
        for (IngestRow row : rows) {
            if (row.offset() <= lane.written && !lane.holes.contains(row.offset())) {
                continue; // already in the channel or committed (a retried batch)
            }
            row.stampPushTime(pushTime);
            Map<String, Object> map;
            if (settings.schematization()) {
                Schematizer.Columns columns;
                try {
                    columns = Schematizer.columns(row.content(), row.columns());
                } catch (IllegalArgumentException e) {
                    refused.add(new IngestResult.RowRejection(row.offset(), e.getMessage()));
                    continue;
                }
                for (Map.Entry<String, String> c : columns.types().entrySet()) {
                    String existing = lane.columnTypes.get(bare(c.getKey()));
                    if (!lane.columns.contains(bare(c.getKey()))) {
                        newColumns.putIfAbsent(c.getKey(), c.getValue());
                    } else if (existing != null && columns.declared().contains(c.getKey())
                            && !Schematizer.fits(existing, c.getValue())) {
                        // never narrow or change a column: the partition stops, saying what the schema asks
                        lane.refuse(batch, result, new IngestException("record " + batch.partition() + "@" + row.offset()
                                + ": its schema declares " + c.getKey() + " " + c.getValue() + ", but column "
                                + tables.qualify(lane.table) + "." + c.getKey() + " is " + existing
                                + "; ksbridge does not change a column's type (alter the column, or map the field"
                                + " to another name)", false));
                        return;
                    }
                }
                map = columns.values();
                toNullable.addAll(Schematizer.unfilled(columns, lane.notNull, row.metadata() != null));
                if (row.metadata() != null) {
                    map.put("RECORD_METADATA", new String(row.metadata(), StandardCharsets.UTF_8));
                }
            } else {
                map = toMap(row);
            }
            offsets[toWrite.size()] = row.offset();
            toWrite.add(map);
        }
        if (!newColumns.isEmpty() || !toNullable.isEmpty()) {
            // schema evolution: add the columns (and make nullable the NOT NULL ones rows leave empty, which Snowflake
            // would refuse them for), then write the batch again on a reopened channel that knows them
            IngestException cause;
            try {
                tables.addColumns(lane.table, newColumns);
                for (String c : toNullable) {
                    tables.dropNotNull(lane.table, c);
                }
                if (!toNullable.isEmpty()) {
                    LOG.warn("table {}: made column(s) {} nullable, as rows without a value for them arrived"
                            + " (schematization)", tables.qualify(lane.table), toNullable);
                }
                cause = new IngestException("table " + tables.qualify(lane.table) + (newColumns.isEmpty() ? ""
                        : " gained column(s) " + newColumns.keySet()) + (toNullable.isEmpty() ? "" : " made "
                        + toNullable + " nullable") + "; the channel reopens to write them", true);
            } catch (RuntimeException e) {
                cause = SdkErrors.classify("adding column(s) " + newColumns + (toNullable.isEmpty() ? "" : ", making "
                        + toNullable + " nullable,") + " to " + tables.qualify(lane.table) + " failed",
                        e, settings.account());
            }
            LOG.info("{}", cause.getMessage());
            lane.needsReopen = true;
            lane.failPending(cause);
            lane.refuse(batch, result, cause);
            return;
        }
        if (toWrite.isEmpty() || batch.lastOffset() <= lane.written) {
            // everything is written already (or refused): durable once the token covers it
            lane.pending.add(new OrderedLane.Pending(batch, result, refused, Math.min(batch.lastOffset(), lane.written)));
            return;
        }
        InsertValidationResponse response;
        try {
            // rows refused for a repeated key are repaired (last value wins) and handed over again
            response = RowRepair.insertRows(lane.channel, toWrite, Long.toString(batch.lastOffset()),
                    onError == OnError.ABORT);
        } catch (RuntimeException e) {
            RuntimeException failure = e;
            if (e instanceof RowRepair.PartialInsert partial) {
                // the batch's token may commit with these rows missing: they are written again whatever it says
                for (int index : partial.notBuffered) {
                    lane.holes.add(offsets[index]);
                }
                failure = (RuntimeException) e.getCause();
            }
            IngestException cause = SdkErrors.classify("writing batch " + batch.id() + " to channel " + lane.channelName
                    + " failed", failure, settings.account());
            lane.needsReopen = true;
            lane.failPending(cause);
            lane.refuse(batch, result, cause);
            return;
        }
        if (!lane.holes.isEmpty()) {
            for (int i = 0; i < toWrite.size(); i++) {
                lane.holes.remove(offsets[i]); // in the channel now (or refused and routed below)
            }
        }
        List<IngestResult.RowRejection> rejected = refused;
        if (response.hasErrors()) {
            rejected = new ArrayList<>(refused);
            for (InsertValidationResponse.InsertError error : response.getInsertErrors()) {
                long offset = offsets[(int) error.getRowIndex()];
                String reason = error.getException() != null ? error.getException().getMessage() : error.getMessage();
                rejected.add(new IngestResult.RowRejection(offset, String.valueOf(reason)));
            }
            if (onError == OnError.ABORT) {
                // SKIP_BATCH: nothing of the batch was buffered
                IngestResult.RowRejection first = rejected.get(0);
                if (settings.onError() == null) {
                    // chosen for failFast: stop as the bridge stops on any bad record, naming it
                    result.complete(IngestResult.fatal(new io.ksbridge.RecordFormatException(new io.ksbridge.RecordCoordinates(
                            batch.partition().topic(), batch.partition().partition(), first.offset()),
                            io.ksbridge.RecordFormatException.Side.RECORD, "Snowflake rejected the row: " + first.reason()
                            + " (nothing of batch " + batch.id() + " was written)", null)));
                    return;
                }
                result.complete(IngestResult.fatal(new IngestException("Snowflake rejected the row at offset " + first.offset()
                        + " of " + batch.partition() + " (" + first.reason() + "); the backend's onError is ABORT, so nothing"
                        + " of batch " + batch.id() + " was written. Fix or remove the record, or use OnError.CONTINUE to route"
                        + " rejected rows by the bridge's ErrorPolicy.", false)));
                return;
            }
        }
        int sdkRejected = rejected.size() - refused.size();
        rowsWritten.addAndGet(toWrite.size() - sdkRejected);
        if (!refused.isEmpty() && sdkRejected > 0) {
            rejected.sort(java.util.Comparator.comparingLong(IngestResult.RowRejection::offset));
        }
        // a batch whose rows were all rejected buffers nothing: no blob will carry its token
        long target = sdkRejected == toWrite.size() ? -1 : batch.lastOffset();
        if (target >= 0) {
            lane.written = batch.lastOffset();
        }
        lane.pending.add(new OrderedLane.Pending(batch, result, rejected, target));
    }

    private static Map<String, Object> toMap(IngestRow row) {
        Map<String, Object> m = new LinkedHashMap<>(4);
        m.put("RECORD_CONTENT", new String(row.content(), StandardCharsets.UTF_8));
        byte[] meta = row.metadata();
        if (meta != null) {
            m.put("RECORD_METADATA", new String(meta, StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Opens the lane's channel again (taking it over) and resumes after its committed token. Caller holds the lock. */
    private void reopen(Lane lane) {
        SnowflakeStreamingIngestChannel fresh = openChannel(lane.table, lane.channelName);
        long committed = committedOffset(fresh);
        SnowflakeStreamingIngestChannel old = lane.channel;
        lane.channel = fresh;
        readSchema(lane, fresh);
        lane.needsReopen = false;
        lane.statusFailures = 0;
        lane.written = committed;
        lane.handle++;
        // Batches written to the old handle wait for its token. What the reopened channel reports committed is all
        // of them that reached Snowflake, in order: that prefix is durable; the rest went with the old handle and is
        // refused, to be written again before any later batch, so the token never passes rows that never landed.
        lane.completeUpTo(committed);
        if (!lane.pending.isEmpty()) {
            lane.failPending(new IngestException("channel " + lane.channelName + " of " + lane.partition + " was reopened;"
                    + " rows written to the old handle after offset " + committed + " were not committed and are written"
                    + " again", true));
        }
        LOG.info("reopened channel {} for {}: committed offset token {}", lane.handleName(), lane.partition, committed);
        if (old != null && old != fresh) {
            closeQuietly(old); // invalid already; releases its buffers
        }
    }

    /** Completes pending batches whose token committed; fails lanes whose channel was invalidated. */
    private void pollCommits() {
        try {
            List<Lane> waiting = new ArrayList<>();
            List<SnowflakeStreamingIngestChannel> channels = new ArrayList<>();
            for (Lane lane : lanes.values()) {
                if (!lane.lock.tryLock()) {
                    continue; // its writer holds it (a write, a reopen that may stall): next round
                }
                try {
                    if (!lane.pending.isEmpty() && !lane.needsReopen) {
                        waiting.add(lane);
                        channels.add(lane.channel);
                    }
                } finally {
                    lane.lock.unlock();
                }
            }
            Map<String, String> batched = batchedTokens(channels);
            long now = System.nanoTime();
            for (int i = 0; i < waiting.size(); i++) {
                Lane lane = waiting.get(i);
                SnowflakeStreamingIngestChannel channel = channels.get(i);
                String token = null;
                RuntimeException failure = null;
                if (!channel.isValid()) {
                    failure = new IngestException("channel " + lane.channelName + " was invalidated (another writer reopened"
                            + " it, or Snowflake refused its data); reopening it before the retry", true);
                } else if (batched != null && lane.statusFailures == 0 && batched.containsKey(channel.getFullyQualifiedName())
                        && lane.progressed(batched.get(channel.getFullyQualifiedName()), now, statusStallNanos())) {
                    token = batched.get(channel.getFullyQualifiedName());
                } else {
                    try {
                        token = channel.getLatestCommittedOffsetToken();
                    } catch (RuntimeException e) {
                        failure = SdkErrors.classify("reading the committed offset token of channel " + lane.channelName
                                + " failed", e, settings.account());
                    }
                }
                if (!lane.lock.tryLock()) {
                    continue; // busy writing or reopening: this token is read again next round
                }
                try {
                    if (lane.channel != channel) {
                        continue; // reopened meanwhile
                    }
                    if (failure != null) {
                        // an invalid channel, or a status Snowflake keeps refusing (the channel was taken over or must
                        // be reopened): its waiting batches are retried on a reopened channel
                        if (!channel.isValid() || ++lane.statusFailures >= 3) {
                            LOG.info("channel {} of {} failed; its {} waiting batch(es) will be retried: {}", lane.handleName(),
                                    lane.partition, lane.pending.size(), failure.getMessage());
                            lane.needsReopen = true;
                            lane.statusFailures = 0;
                            lane.failPending(failure instanceof IngestException ie ? ie
                                    : new IngestException(failure.getMessage(), true, failure));
                        }
                        continue;
                    }
                    lane.statusFailures = 0;
                    long committed = token == null ? -1 : parseToken(channel, token);
                    lane.completeUpTo(committed);
                } finally {
                    lane.lock.unlock();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("the Streaming commit poller failed; it goes on: {}", e.toString());
        }
    }

    /**
     * The committed tokens of {@code channels} in one request, by fully qualified channel name; null when there are
     * fewer than two (the channel's own call costs the same) or the request failed (each channel is then asked on its
     * own, which classifies the failure). The batched answer carries no status code: a channel whose token stops
     * moving for {@link #statusStallNanos()} is asked on its own once, to see whether Snowflake refuses it.
     */
    private Map<String, String> batchedTokens(List<SnowflakeStreamingIngestChannel> channels) {
        List<SnowflakeStreamingIngestChannel> valid = new ArrayList<>();
        for (SnowflakeStreamingIngestChannel channel : channels) {
            if (channel.isValid()) {
                valid.add(channel);
            }
        }
        SnowflakeStreamingIngestClient c = client;
        if (valid.size() < 2 || c == null) {
            return null;
        }
        try {
            return c.getLatestCommittedOffsetTokens(valid);
        } catch (RuntimeException e) {
            LOG.debug("the batched committed-token request for {} channels failed; asking each: {}", valid.size(),
                    e.toString());
            return null;
        }
    }

    /** How long a lane's batched token may stand still before its channel's own status is asked: twice the lag, 2 s at least. */
    private long statusStallNanos() {
        return Math.max(Duration.ofSeconds(2).toNanos(), 2 * settings.maxClientLag().toNanos());
    }

    /**
     * The partition is no longer this bridge's: its channels are closed (what they buffer flushed and committed, or
     * refused) before this returns, bounded by the close timeout; its waiting batches are abandoned.
     */
    @Override
    public void release(TopicPartition partition) {
        List<Map.Entry<TopicPartition, String>> of = new ArrayList<>();
        for (LaneKey key : lanes.keySet()) {
            if (key.partition().equals(partition)) {
                of.add(Map.entry(partition, key.table()));
            }
        }
        releaseAll(of);
    }

    /** As {@link #release(TopicPartition)}, for the partition's channel of {@code table} only. */
    @Override
    public void release(String table, TopicPartition partition) {
        releaseAll(List.of(Map.entry(partition, table)));
    }

    /**
     * Closes the lanes' channels together and waits for all of them at most the close timeout: a channel's close
     * flushes what the SDK buffers and waits for Snowflake to commit it, so when this returns the next owner's open
     * reads a token that covers every row this bridge will ever land (a close that overruns is logged, and Snowflake
     * refuses the old channel's late data once the next owner opened it).
     */
    @Override
    public void releaseAll(Collection<? extends Map.Entry<TopicPartition, String>> released) {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<TopicPartition, String> e : released) {
            Lane lane = lanes.remove(new LaneKey(e.getValue(), e.getKey()));
            if (lane != null) {
                CompletableFuture<Void> closed = retire(lane, new IngestException(e.getKey() + " (table " + e.getValue()
                        + ") was released", true));
                if (!closed.isDone()) {
                    closing.add(closed);
                    names.add(lane.handleName());
                }
            }
        }
        if (closing.isEmpty()) {
            return;
        }
        Duration wait = settings.closeTimeout();
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture[0])).get(Math.max(1, wait.toMillis()),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debug("releasing channels {}: {}", names, e.toString()); // closeQuietly's futures do not fail
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("released channels {} did not close within the close timeout {}; the next owner's open fences"
                    + " them (Snowflake refuses their late data)", names, wait);
        }
    }

    /**
     * True: a channel per (table, partition), each named {@code <topic>_<partition>} as the connector names it
     * (Snowflake scopes channel names per table) and each with its own offset token.
     */
    @Override
    public boolean supportsTableRouting() {
        return true;
    }

    /** Marks the lane released, abandons its waiting batches and starts closing its channel (the close's future). */
    private CompletableFuture<Void> retire(Lane lane, IngestException why) {
        SnowflakeStreamingIngestChannel channel;
        lane.lock.lock();
        try {
            lane.released = true;
            lane.abandonPending(why);
            channel = lane.channel;
        } finally {
            lane.lock.unlock();
        }
        return channel == null ? CompletableFuture.completedFuture(null) : closeQuietly(channel);
    }

    /** Closes a channel (flushing what it holds, unless it is invalid); never throws. */
    private static CompletableFuture<Void> closeQuietly(SnowflakeStreamingIngestChannel channel) {
        if (channel.isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return channel.close().exceptionally(e -> {
                LOG.debug("closing channel {}: {}", channel.getName(), e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            // an invalidated channel refuses to close: it holds nothing that may still be written
            LOG.debug("closing channel {}: {}", channel.getName(), e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Rows handed to the SDK and not rejected, since the backend started (for tests and metrics). */
    long rowsWritten() {
        return rowsWritten.get();
    }

    /**
     * Stops as a killed process would: the SDK flushes nothing more. Writers and the commit poller stop, every channel
     * drops the rows it buffers (the SDK's own invalidation, as when Snowflake refuses a channel), and only then is the
     * client closed, with nothing left to send. Waiting batches never complete. A blob the SDK was already uploading
     * or registering may still land, as it could when a process dies mid-request.
     */
    @Override
    public void halt() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ScheduledExecutorService p = poller;
        if (p != null) {
            p.shutdownNow();
        }
        ExecutorService[] w = writers;
        if (w != null) {
            for (ExecutorService writer : w) {
                writer.shutdownNow();
            }
            // a writer's current task may still open a channel or insert rows: let it end before the channels are emptied
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
            boolean locked = false;
            try {
                // free once the writers ended; a writer stuck in the SDK does not hold the halt up for long
                locked = lane.lock.tryLock(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                lane.released = true;
                if (lane.channel != null) {
                    discardBuffered(lane.channel);
                }
            } finally {
                if (locked) {
                    lane.lock.unlock();
                }
            }
        }
        lanes.clear();
        SnowflakeStreamingIngestClient c = client;
        if (c != null) {
            closeClient(c, System.nanoTime() + settings.closeTimeout().toNanos(), settings.closeTimeout());
        }
        sql.close();
    }

    /**
     * Drops the rows an SDK channel buffers without sending them. The SDK keeps this step, which it takes when
     * Snowflake refuses a channel, package-private; it is reached by reflection (the SDK is an automatic module,
     * open to it). Only {@link #halt()} uses it.
     */
    private static void discardBuffered(SnowflakeStreamingIngestChannel channel) {
        if (!channel.isValid() || channel.isClosed()) {
            return;
        }
        try {
            java.lang.reflect.Method invalidate = channel.getClass().getDeclaredMethod("invalidate", String.class,
                    String.class);
            invalidate.setAccessible(true);
            invalidate.invoke(channel, "the bridge was halted", "halted");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("halt: could not drop what channel {} buffers (this SDK version hides the step differently);"
                    + " closing the client may still send it: {}", channel.getName(), e.toString());
        }
    }

    /**
     * Closes every channel (flushing what they hold) and the client, waiting at most the close timeout. Idempotent.
     */
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
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (LaneKey key : new ArrayList<>(lanes.keySet())) {
            Lane lane = lanes.remove(key);
            if (lane == null) {
                continue;
            }
            lane.lock.lock();
            try {
                lane.released = true;
                lane.abandonPending(new IngestException("the Streaming backend closed", true));
                if (lane.channel != null) {
                    closing.add(closeQuietly(lane.channel));
                }
            } finally {
                lane.lock.unlock();
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture[0]))
                    .get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.info("channels did not close within {}: {}", wait, e.toString());
        }
        if (poller != null) {
            poller.shutdownNow();
        }
        if (writers != null) {
            for (ExecutorService w : writers) {
                w.shutdownNow();
            }
        }
        SnowflakeStreamingIngestClient c = client;
        if (c != null) {
            closeClient(c, deadline, wait);
        }
        sql.close();
    }

    /**
     * Closes the SDK client on a thread of its own, waiting until {@code deadline} (System.nanoTime) at most;
     * {@code budget} names that wait in the warning when the client takes longer.
     */
    private void closeClient(SnowflakeStreamingIngestClient c, long deadline, Duration budget) {
        Thread closer = new Thread(() -> {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the Streaming client: {}", e.toString());
            }
        }, "ksbridge-streaming-" + bridgeName + "-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.warn("the Snowpipe Streaming client did not close within {}; leaving it to finish in the background",
                    budget);
        }
    }

    @Override
    public String toString() {
        return "StreamingBackend{account=" + settings.account().url() + ", database=" + settings.database() + ", schema="
                + settings.schema() + ", clientName=" + settings.clientName() + ", maxClientLag=" + settings.maxClientLag()
                + ", onError=" + (onError != null ? onError : settings.onError() != null ? settings.onError() : "from ErrorPolicy")
                + (settings.schematization() ? ", schematization=true" : "") + "}";
    }

    /**
     * Builds a {@link StreamingBackend}. Setters check their value at once; {@link #build()} checks the required
     * settings and throws one {@link BridgeConfigException} listing every problem. Mutable, not thread-safe; may
     * build several backends.
     */
    public static final class Builder {
        private SnowflakeAccount account;
        private String database;
        private String schema;
        private String clientName;
        private Duration maxClientLag = BackendSettings.STREAMING_MAX_CLIENT_LAG.durationDefault();
        private OnError onError; // null: follow the bridge's ErrorPolicy
        private Duration statusPollInterval = BackendSettings.STREAMING_STATUS_POLL_INTERVAL.durationDefault();
        private Duration closeTimeout = BackendSettings.STREAMING_CLOSE_TIMEOUT.durationDefault();
        private int writerThreads = BackendSettings.STREAMING_WRITER_THREADS.intDefault();
        private boolean schematization = (Boolean) BackendSettings.STREAMING_SCHEMATIZATION.defaultValue();

        private Builder() {
        }

        /**
         * The account to load into (URL, user, role, key pair or OAuth). Required. OAuth: only an
         * {@link OAuthTokenClient} with the refresh-token grant ({@link OAuthTokenClient#refreshToken}), whose settings
         * go to the SDK, which fetches and renews its own tokens (and sends no scope: a refresh grant keeps the scope
         * the refresh token was issued with); {@link #build()} refuses other providers, with why. The SDK and the
         * backend's own SQL API client each exchange the refresh token, so it must not be single-use (Snowflake OAuth's
         * {@code OAUTH_SINGLE_USE_REFRESH_TOKENS_REQUIRED}, or a rotating identity provider): the SDK keeps no rotated
         * refresh token.
         */
        public Builder account(SnowflakeAccount account) {
            this.account = Objects.requireNonNull(account, "account must not be null");
            return this;
        }

        /**
         * The database of the tables. Required; an identifier: unquoted (resolved upper case, {@code raw} is
         * {@code RAW}) or double-quoted ({@code "Raw"}, kept as written).
         */
        public Builder database(String database) {
            this.database = identifier("database", database);
            return this;
        }

        /**
         * The schema of the tables. Required; an identifier: unquoted (resolved upper case) or double-quoted (kept as
         * written).
         */
        public Builder schema(String schema) {
            this.schema = identifier("schema", schema);
            return this;
        }

        /**
         * The Streaming client's name, shown in Snowflake's views. Default: {@code KSBRIDGE_<bridge name>_<random>}.
         * Not blank. Channel names do not depend on it.
         */
        public Builder clientName(String clientName) {
            Objects.requireNonNull(clientName, "clientName must not be null");
            if (clientName.isBlank()) {
                throw new IllegalArgumentException("clientName must not be blank");
            }
            this.clientName = clientName.trim();
            return this;
        }

        /**
         * How long the SDK may hold rows before it flushes them to Snowflake (its {@code max_client_lag}; the
         * connector's {@code snowflake.streaming.max.client.lag}). Default 1 s, the SDK's own and {@link BridgeConfig}'s
         * (not connector v3's 30 s: the bridge already batches by its flush policy, and the SDK keeps a copy of every
         * row it holds); 1 s to 10 min. Batches become durable about this long after they are handed over.
         */
        public Builder maxClientLag(Duration lag) {
            this.maxClientLag = BackendSettings.STREAMING_MAX_CLIENT_LAG.check(lag);
            return this;
        }

        /**
         * What happens to rows the SDK rejects. Default: from the bridge's {@link io.ksbridge.ErrorPolicy},
         * {@link OnError#ABORT} under {@code failFast()} and {@link OnError#CONTINUE} otherwise.
         */
        public Builder onError(OnError onError) {
            this.onError = Objects.requireNonNull(onError, "onError must not be null");
            return this;
        }

        /**
         * How often the committed offset tokens of channels with batches waiting are read: a batch is durable when its
         * token has committed. Default 150 ms; 10 ms to 10 min. One status request covers a channel per round. The
         * Snowpipe backend's setting of the same name is how often it asks about files still loading.
         */
        public Builder statusPollInterval(Duration interval) {
            this.statusPollInterval = BackendSettings.STREAMING_STATUS_POLL_INTERVAL.check(interval);
            return this;
        }

        /**
         * The old name of {@link #statusPollInterval(Duration)}, which it calls.
         *
         * @param interval as for {@link #statusPollInterval(Duration)}
         * @return this builder
         * @deprecated use {@link #statusPollInterval(Duration)}: the two backend builders name their settings alike
         */
        @Deprecated(since = "0.1")
        public Builder commitPollInterval(Duration interval) {
            return statusPollInterval(interval);
        }

        /**
         * How long {@link StreamingBackend#close()} waits for channels and the client to close. Default 10 s; 0 to
         * 10 min. {@code close(Duration)} waits the shorter of its argument and this.
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = BackendSettings.STREAMING_CLOSE_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * Threads handing rows to the SDK (a partition always uses the same one). Default 2; 1 to 64. The Snowpipe
         * backend's setting of the same name counts its threads compressing and staging files.
         */
        public Builder writerThreads(int threads) {
            this.writerThreads = BackendSettings.STREAMING_WRITER_THREADS.check(threads);
            return this;
        }

        /**
         * The connector's {@code snowflake.enable.schematization}: the top-level fields of each record's JSON object
         * become columns (integers NUMBER, booleans BOOLEAN, strings VARCHAR, anything else VARIANT; names upper case, or
         * quoted when not plain identifiers) beside {@code RECORD_METADATA}, and a new field adds its column
         * ({@code ALTER TABLE ... ADD COLUMN}, nullable) before its rows are written. A record that is not a JSON object
         * is rejected (routed by the bridge's ErrorPolicy). Default false: {@code RECORD_CONTENT} holds the whole record.
         *
         * <p>Beyond the connector: when the record's format declares its schema's columns (Avro, Protobuf:
         * {@link io.ksbridge.format.TypedColumns}), those fields take the declared types ({@code NUMBER(10,2)} for a
         * decimal, {@code DATE}, {@code TIMESTAMP_LTZ(3)}, ...) and exact values; a value that does not fit is a
         * rejected row naming the field. A declared type is never narrowed or changed: when the table's column has
         * another type (and is not a VARIANT), the partition stops with an error naming the record, the field, the
         * column's type and the schema's.
         */
        public Builder schematization(boolean enabled) {
            this.schematization = enabled;
            return this;
        }

        /**
         * Builds the backend. Nothing is contacted until the bridge opens a partition.
         *
         * @throws BridgeConfigException listing every missing setting, and an account with a proxy (the ingest SDK
         *                               reads proxies only from JVM-wide system properties)
         */
        public StreamingBackend build() {
            List<BridgeConfigException.Problem> problems = BackendSettings.targetProblems(
                    BridgeConfig.IngestionMethod.SNOWPIPE_STREAMING, account, database, schema, Builder::oauthProblem);
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new StreamingBackend(new Settings(account, database, schema, clientName, maxClientLag, onError,
                    statusPollInterval, closeTimeout, writerThreads, schematization));
        }

        /**
         * Why the SDK cannot sign in with this account's OAuth provider, if it cannot: the ingest SDK's Streaming
         * client runs OAuth itself, with the refresh-token grant only, from its {@code oauth_*} properties; it takes no
         * access token from outside.
         */
        private static java.util.Optional<BridgeConfigException.Problem> oauthProblem(SnowflakeAccount account) {
            if (account.authentication() != SnowflakeAccount.Authentication.OAUTH) {
                return java.util.Optional.empty();
            }
            AccessTokenProvider tokens = account.oauth().orElseThrow();
            String sdk = "the ingest SDK's Streaming client (snowflake-ingest-sdk) fetches its own OAuth access tokens, with"
                    + " the refresh-token grant only (its oauth_client_id, oauth_client_secret, oauth_refresh_token and"
                    + " oauth_token_endpoint properties), and takes no token from outside";
            if (tokens instanceof OAuthTokenClient client) {
                if (client.grant() == OAuthTokenClient.Grant.REFRESH_TOKEN) {
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(new BridgeConfigException.Problem("account", "oauth client_credentials", sdk
                        + ", so it cannot use the client-credentials grant. Give the client a refresh token"
                        + " (OAuthTokenClient.refreshToken, or snowflake.oauth.refresh.token), or sign in with a key pair"));
            }
            return java.util.Optional.of(new BridgeConfigException.Problem("account", "oauth", sdk + ". Use"
                    + " OAuthTokenClient.refreshToken(endpoint, clientId, clientSecret, refreshToken) (or the connector's"
                    + " snowflake.oauth.* keys with a refresh token), or sign in with a key pair"));
        }

        private static String identifier(String setting, String value) {
            return SnowflakeIdentifiers.resolve(setting, value);
        }

        @Override
        public String toString() {
            return "StreamingBackend.Builder{account=" + account + ", database=" + database + ", schema=" + schema
                    + ", clientName=" + clientName + ", maxClientLag=" + maxClientLag + ", onError="
                    + (onError == null ? "from ErrorPolicy" : onError) + "}";
        }
    }
}
