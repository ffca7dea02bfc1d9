package io.ksbridge.ingest.snowpipe;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeListener;
import io.ksbridge.IngestException;
import io.ksbridge.config.BackendSettings;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeIdentifiers;
import io.ksbridge.snowflake.SqlApiClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.snowflake.ingest.connection.HistoryResponse;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads batches through Snowpipe: each batch becomes one NDJSON file ({@code {"RECORD_CONTENT":..,
 * "RECORD_METADATA":..}} a line, gzip or zstd) on an internal stage, submitted to a pipe with
 * {@code snowflake-ingest-sdk}'s {@code SimpleIngestManager}.
 * <pre>{@code
 * IngestBackend backend = SnowpipeBackend.builder()
 *     .account(account).database("RAW").schema("KAFKA")
 *     .build();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>A batch is durable once {@code insertFiles} accepted its file (the connector's rule); loads are followed
 *       afterwards, off the polling thread. Loaded files are removed from the stage; a file whose load fails is
 *       moved to the table stage ({@code @DB.SCHEMA.%TABLE/failed/...}) and reported with Snowflake's first error
 *       through {@link io.ksbridge.ingest.BackendContext#loadFailed} (the bridge tells the listener's
 *       {@link BridgeListener#onLoadFailure} and, under {@code failFast()}, stops).</li>
 *   <li>No duplicates: a file's name is a function of the batch (table, topic, partition, first and last offset),
 *       so a retried batch re-stages the same name and Snowpipe, which loads a name once, ignores it. Within a
 *       partition, files are staged and submitted strictly in offset order, one at a time, so the files a partition
 *       left behind always form an unbroken run.</li>
 *   <li>No loss across crashes and rebalances: {@link #open} lists the partition's files still on the stage and the
 *       pipe's load history, re-submits staged files (Snowpipe ignores names it already loaded), and resumes reading
 *       after the last offset those files cover, whatever Kafka's committed offset says. A batch that still reaches
 *       back into offsets already covered is staged without them.</li>
 * </ul>
 *
 * <h2>Staging</h2>
 * Files reach the stage through a {@link StageUploader}: by default the Snowflake JDBC driver's {@code uploadStream}
 * ({@link StageUploader#jdbc}), against a real account and against the emulator in {@code ksbridge-testkit} alike
 * (the emulator speaks the driver's protocol), so {@code SnowpipeBackend.builder().account(emulator.account())...}
 * needs nothing more and runs the production upload path. Another uploader only when configured with
 * {@link Builder#stageUploader}; nothing the server answers makes the backend write into a local folder.
 * Listing and removing stage files, and moving failed ones, are SQL statements ({@code LIST}, {@code REMOVE},
 * {@code COPY FILES}) over the SQL REST API.
 *
 * <h2>Objects</h2>
 * The table ({@code RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT}), a stage per table
 * ({@code SNOWFLAKE_KAFKA_CONNECTOR_<connectorName>_STAGE_<TABLE>}) and a pipe per table and partition
 * ({@code SNOWFLAKE_KAFKA_CONNECTOR_<connectorName>_PIPE_<TABLE>_<partition>}), named as the Snowflake Kafka
 * connector names them, are created when missing over the SQL REST API. An existing table gains the two columns
 * when absent; its other columns must be nullable.
 *
 * <p>Thread-safe. {@link #ingest} returns at once: compression, upload and {@code insertFiles} run on the backend's
 * own threads.
 */
public final class SnowpipeBackend implements IngestBackend {
    private static final Logger LOG = LoggerFactory.getLogger(SnowpipeBackend.class);
    /** How long a release waits, in all, for the files its lanes were staging or submitting. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(30);

    private final Settings settings;
    private final SqlApiClient sql;
    private final SnowflakeObjects objects;
    /** One lane per (table, partition): with a router, one partition feeds several tables, each its own folder. */
    private final Map<LaneKey, Lane> lanes = new ConcurrentHashMap<>();
    private final Map<String, PipeClient> pipes = new ConcurrentHashMap<>();
    /** The field names each pipe selects (a pipe the connector created selects its own). */
    private final Map<String, NdjsonFiles.Layout> layouts = new ConcurrentHashMap<>();
    private final Map<String, Boolean> preparedTables = new ConcurrentHashMap<>();
    private final Map<String, SnowpipeColumns> tableColumns = new ConcurrentHashMap<>(); // schematization: by table
    private final Map<String, StageUploader> uploaders = new ConcurrentHashMap<>();
    private volatile StageUploader jdbcUploader;
    private volatile ExecutorService workers;
    private volatile LoadMonitor monitor;
    private volatile BridgeListener listener = BridgeListener.noop();
    /** Set by {@link #halt()}: from then on nothing is submitted and no batch is answered, as in a killed process. */
    private volatile boolean dead;
    private volatile boolean closed;

    private record Settings(SnowflakeAccount account, String database, String schema, String connectorName,
                            Compression compression, int writerThreads, Duration statusPollInterval,
                            Duration historyFallback, Duration loadTimeout, Duration historyWindow, Duration closeTimeout,
                            StageUploader uploader, boolean schematization) {
    }

    private record LaneKey(String table, TopicPartition partition) {
    }

    /** One (table, partition)'s sequence of batches: staged and submitted one at a time, in offset order. */
    private static final class Lane {
        final String table;
        final TopicPartition partition;
        final String stage;
        final String prefix;
        final PipeClient pipe;
        final NdjsonFiles.Layout layout; // the field names the pipe selects
        CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        long lastAccepted; // -1 until a file is accepted or found at open
        long blockedFrom = Long.MAX_VALUE; // first offset of a batch that failed and was not accepted since
        volatile boolean released;

        Lane(String table, TopicPartition partition, String stage, String prefix, PipeClient pipe,
             NdjsonFiles.Layout layout, long lastAccepted) {
            this.layout = layout;
            this.table = table;
            this.partition = partition;
            this.stage = stage;
            this.prefix = prefix;
            this.pipe = pipe;
            this.lastAccepted = lastAccepted;
        }
    }

    private SnowpipeBackend(Settings settings) {
        this.settings = settings;
        this.sql = SqlApiClient.create(settings.account());
        this.objects = new SnowflakeObjects(sql, settings.database(), settings.schema());
    }

    /** The settings this backend was built with (its builder's test compares their defaults with BackendSettings). */
    Record settings() {
        return settings;
    }

    /** A new builder. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "snowpipe";
    }

    /** True: each (table, partition) has its own folder, pipe and lane, so one partition may feed several tables. */
    @Override
    public boolean supportsTableRouting() {
        return true;
    }

    @Override
    public synchronized void start(BackendContext context) {
        Objects.requireNonNull(context, "context must not be null");
        this.listener = context.listener();
        AtomicInteger n = new AtomicInteger();
        String bridge = context.bridgeName();
        this.workers = Executors.newFixedThreadPool(settings.writerThreads(), r -> {
            Thread t = new Thread(r, "ksbridge-snowpipe-" + bridge + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.monitor = new LoadMonitor(objects, context::loadFailed, settings.statusPollInterval(), settings.historyFallback(),
                settings.loadTimeout(), bridge);
    }

    private void ensureStarted() {
        if (workers == null) {
            start(new BackendContext("ksbridge", BridgeListener.noop(), io.ksbridge.RetryPolicy.defaults()));
        }
    }

    static String stageName(String connector, String table) {
        return "SNOWFLAKE_KAFKA_CONNECTOR_" + connector + "_STAGE_" + table;
    }

    static String pipeName(String connector, String table, int partition) {
        return "SNOWFLAKE_KAFKA_CONNECTOR_" + connector + "_PIPE_" + table + "_" + partition;
    }

    /**
     * Creates the table, stage and pipe when missing, reconciles what earlier runs left on the stage, and says where
     * to resume: after the last offset covered by the partition's staged or loaded files.
     *
     * @throws IngestException retriable for transient failures, fatal ones (authentication, privileges, a table with
     *                         NOT NULL columns) say what to fix
     */
    @Override
    public PartitionStart open(String table, TopicPartition partition) {
        ensureStarted();
        if (table.isBlank()) {
            throw new IngestException("the table name for " + partition + " is blank; map the topic to a table with TableNamer",
                    false);
        }
        String stage = stageName(settings.connectorName(), table);
        String pipeName = pipeName(settings.connectorName(), table, partition.partition())
                + (settings.schematization() ? "_TYPED" : ""); // a pipe of the other kind is never reused
        String qualifiedPipe = objects.restName(pipeName);
        if (preparedTables.putIfAbsent(table, Boolean.TRUE) == null) {
            try {
                objects.ensureTable(table, settings.schematization());
                objects.ensureStage(stage);
                uploaders.put(stage, settings.uploader() != null ? settings.uploader() : jdbc());
            } catch (RuntimeException e) {
                preparedTables.remove(table);
                throw e;
            }
        }
        if (!pipes.containsKey(qualifiedPipe)) {
            if (settings.schematization()) {
                objects.ensureTypedPipe(pipeName, table, stage);
                layouts.put(qualifiedPipe, NdjsonFiles.Layout.KSBRIDGE);
            } else {
                layouts.put(qualifiedPipe, objects.ensurePipe(pipeName, table, stage));
            }
            pipes.computeIfAbsent(qualifiedPipe, p -> new PipeClient(settings.account(), p));
        }
        PipeClient pipe = pipes.get(qualifiedPipe);
        String prefix = FileNames.prefix(settings.connectorName(), table, partition);

        // what the pipe loaded recently, and what is still on the stage
        Instant now = Instant.now();
        Map<String, HistoryResponse.FileEntry> history = new HashMap<>();
        for (HistoryResponse.FileEntry e : pipe.loadHistoryScan(now.minus(settings.historyWindow()), now.plusSeconds(1))) {
            if (e.getPath() != null && FileNames.inFolder(e.getPath(), settings.connectorName(), table, partition)) {
                history.put(e.getPath(), e);
            }
        }
        // the whole stage (one table's): the connector's folders differ from ours in case and partition part
        List<String> staged = new ArrayList<>();
        for (String path : objects.list(stage, "")) {
            if (FileNames.inFolder(path, settings.connectorName(), table, partition)) {
                staged.add(path);
            }
        }
        long last = -1;
        for (String path : history.keySet()) {
            FileNames.Range r = FileNames.range(path);
            if (r != null) {
                last = Math.max(last, r.last());
            }
        }
        List<String> resubmit = new ArrayList<>();
        List<FileNames.Range> resubmitRanges = new ArrayList<>();
        for (String path : staged) {
            FileNames.Range r = FileNames.range(path);
            if (r == null) {
                continue;
            }
            last = Math.max(last, r.last());
            HistoryResponse.FileEntry known = history.get(path);
            LoadMonitor.Pending pending = new LoadMonitor.Pending(table, partition, stage, path, r.first(), r.last(), now);
            if (known != null && known.getStatus() != null
                    && known.getStatus() != net.snowflake.ingest.connection.IngestStatus.LOAD_IN_PROGRESS) {
                String error = known.getStatus() == net.snowflake.ingest.connection.IngestStatus.LOADED ? null
                        : known.getFirstError();
                monitor.settle(pipe, pending, known.getStatus().name(), error == null && known.getStatus()
                        != net.snowflake.ingest.connection.IngestStatus.LOADED ? "load " + known.getStatus() : error);
            } else {
                resubmit.add(path);
                resubmitRanges.add(r);
            }
        }
        if (!resubmit.isEmpty()) {
            // files staged but maybe never submitted (the process died in between): Snowpipe ignores names it knows
            for (int i = 0; i < resubmit.size(); i += 5_000) { // insertFiles takes at most 5,000 files a call
                pipe.insertFiles(resubmit.subList(i, Math.min(resubmit.size(), i + 5_000)), null);
            }
            for (int i = 0; i < resubmit.size(); i++) {
                monitor.track(pipe, new LoadMonitor.Pending(table, partition, stage, resubmit.get(i),
                        resubmitRanges.get(i).first(), resubmitRanges.get(i).last(), Instant.now()));
            }
            LOG.info("{}: re-submitted {} staged file(s) left by an earlier run", partition, resubmit.size());
        }
        lanes.put(new LaneKey(table, partition), new Lane(table, partition, stage, prefix, pipe, layouts.get(qualifiedPipe), last));
        LOG.debug("opened {} -> {} (pipe {}), files cover up to offset {}", partition, table, qualifiedPipe, last);
        return last >= 0 ? PartitionStart.at(last + 1) : PartitionStart.unknown();
    }

    private StageUploader jdbc() {
        if (jdbcUploader == null) {
            synchronized (this) {
                if (jdbcUploader == null) {
                    jdbcUploader = StageUploader.jdbc(settings.account());
                }
            }
        }
        return jdbcUploader;
    }

    @Override
    public CompletionStage<IngestResult> ingest(IngestBatch batch) {
        Lane lane = lanes.get(new LaneKey(batch.table(), batch.partition()));
        if (lane == null || lane.released) {
            return CompletableFuture.completedFuture(IngestResult.fatal(new IllegalStateException(
                    "partition " + batch.partition() + " was not opened in this backend (or was released)")));
        }
        ExecutorService pool = workers;
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        CompletableFuture<Written> file = CompletableFuture.supplyAsync(() -> write(lane, batch), pool)
                .exceptionally(e -> new Written(null, unwrap(e)));
        synchronized (lane) {
            lane.tail = lane.tail
                    .thenCombine(file, (ignored, written) -> written)
                    .thenAcceptAsync(written -> step(lane, batch, written, result), pool)
                    .exceptionally(e -> {
                        answer(result, IngestResult.retry(unwrap(e)));
                        return null;
                    });
        }
        return result;
    }

    /** A batch's compressed file, or why it could not be written; {@code typed} for schematized files. */
    private record Written(byte[] bytes, Throwable error, SnowpipeColumns.Prepared typed) {
        Written(byte[] bytes, Throwable error) {
            this(bytes, error, null);
        }
    }

    private Written write(Lane lane, IngestBatch batch) {
        if (!settings.schematization()) {
            return new Written(NdjsonFiles.write(batch.rows(), settings.compression(), lane.layout), null);
        }
        SnowpipeColumns columns = tableColumns.computeIfAbsent(lane.table,
                t -> new SnowpipeColumns(sql, objects.qualify(t)));
        SnowpipeColumns.Prepared typed = columns.prepare(batch); // adds missing columns before the file exists
        return new Written(NdjsonFiles.writeLines(typed.lines(), settings.compression()), null, typed);
    }

    /** Completes a batch, unless the backend was halted: a dead process answers nothing. */
    private void answer(CompletableFuture<IngestResult> result, IngestResult outcome) {
        if (!dead) {
            result.complete(outcome);
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * Stages and submits one batch; runs on a worker, one at a time per partition. After {@link #halt()} it stops
     * where it is: nothing more is staged or submitted, and the batch gets no answer.
     */
    private void step(Lane lane, IngestBatch batch, Written written, CompletableFuture<IngestResult> result) {
        if (dead) {
            return;
        }
        if (lane.released || closed) {
            answer(result, IngestResult.retry(new IngestException(batch.partition() + " was released or the backend closed", true)));
            return;
        }
        if (batch.lastOffset() <= lane.lastAccepted) {
            answer(result, IngestResult.durable()); // an earlier attempt of this batch was accepted
            return;
        }
        if (batch.firstOffset() > lane.blockedFrom) {
            answer(result, IngestResult.retry(new IngestException("an earlier batch of " + batch.partition() + " (from offset "
                    + lane.blockedFrom + ") is not durable yet", true)));
            return;
        }
        if (written.error() != null) {
            answer(result, IngestResult.fatal(new IngestException("could not write the file of batch " + batch.id() + " ("
                    + batch.partition() + ", offsets " + batch.firstOffset() + ".." + batch.lastOffset() + "): "
                    + written.error().getMessage(), false, written.error())));
            return;
        }
        byte[] bytes = written.bytes();
        long first = batch.firstOffset();
        if (first <= lane.lastAccepted) {
            // the batch overlaps files already accepted (a host that did not seek where open() said): stage only the rest
            first = lane.lastAccepted + 1;
            List<io.ksbridge.ingest.IngestRow> rest = new ArrayList<>();
            for (io.ksbridge.ingest.IngestRow row : batch.rows()) {
                if (row.offset() >= first) {
                    rest.add(row);
                }
            }
            bytes = written.typed() != null ? NdjsonFiles.writeLines(written.typed().from(first), settings.compression())
                    : NdjsonFiles.write(rest, settings.compression(), lane.layout);
        }
        String path = FileNames.name(lane.prefix, first, batch.lastOffset(), settings.compression());
        try {
            uploaders.get(lane.stage).upload(objects.qualify(lane.stage), path, bytes);
            if (dead) {
                return; // halted while the file was staged: a dead process submits nothing
            }
            lane.pipe.insertFiles(List.of(path), List.of((long) bytes.length));
            if (dead) {
                return; // halted while the file was submitted: it may load, but nothing is answered or followed
            }
        } catch (IngestException e) {
            lane.blockedFrom = Math.min(lane.blockedFrom, batch.firstOffset());
            answer(result, e.isRetriable() ? IngestResult.retry(e) : IngestResult.fatal(e));
            return;
        } catch (IOException | java.io.UncheckedIOException e) {
            lane.blockedFrom = Math.min(lane.blockedFrom, batch.firstOffset());
            answer(result, IngestResult.retry(new IngestException("staging " + path + " on @" + objects.qualify(lane.stage)
                    + " failed: " + e.getMessage(), true, e)));
            return;
        } catch (RuntimeException e) {
            // classified by type: an exception nobody expected stops the bridge, named, instead of retrying unseen
            lane.blockedFrom = Math.min(lane.blockedFrom, batch.firstOffset());
            answer(result, IngestResult.fatal(new IngestException("staging or submitting " + path + " failed unexpectedly: "
                    + e, false, e)));
            return;
        }
        lane.lastAccepted = batch.lastOffset();
        lane.blockedFrom = Long.MAX_VALUE;
        monitor.track(lane.pipe, new LoadMonitor.Pending(lane.table, lane.partition, lane.stage, path, first,
                batch.lastOffset(), Instant.now()));
        answer(result, written.typed() == null ? IngestResult.durable() : IngestResult.durable(written.typed().rejected()));
    }

    /**
     * Stops staging for the partition. Waits (up to 30 s) for a file being staged or submitted, so the next owner's
     * reconciliation sees it.
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

    /** As {@link #release(TopicPartition)}, for the partition's lane into {@code table} only. */
    @Override
    public void release(String table, TopicPartition partition) {
        releaseAll(List.of(Map.entry(partition, table)));
    }

    /**
     * Stops staging for every lane at once, then waits for the files they were staging or submitting together, up to
     * 30 s in all (not per lane), so the next owners' reconciliation sees them.
     */
    @Override
    public void releaseAll(java.util.Collection<? extends Map.Entry<TopicPartition, String>> released) {
        List<Lane> gone = new ArrayList<>();
        List<CompletableFuture<Void>> tails = new ArrayList<>();
        for (Map.Entry<TopicPartition, String> e : released) {
            Lane lane = lanes.remove(new LaneKey(e.getValue(), e.getKey()));
            if (lane == null) {
                continue;
            }
            lane.released = true;
            gone.add(lane);
            synchronized (lane) {
                tails.add(lane.tail);
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(tails.toArray(new CompletableFuture[0])).get(RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            LOG.warn("releasing {}: the last files did not settle within {}: {}", released, RELEASE_WAIT, e.toString());
        }
        if (monitor != null) {
            for (Lane lane : gone) {
                monitor.forget(lane.table, lane.partition);
            }
        }
    }

    /** Files submitted whose load is not settled yet (tests and monitoring). */
    int pendingLoads() {
        LoadMonitor m = monitor;
        return m == null ? 0 : m.pendingCount();
    }

    /**
     * Stops as a killed process would: a file being staged or submitted is cut off where it is (staged and not
     * submitted, or submitted), no load is awaited, no release waits for a partition's last file, and the batches
     * still outstanding never complete. The next owner's {@link #open} reconciles what was left behind.
     */
    @Override
    public void halt() {
        dead = true;
        for (Lane lane : lanes.values()) {
            lane.released = true;
        }
        lanes.clear();
        close();
    }

    @Override
    public void close() {
        close(settings.closeTimeout());
    }

    /** Closes, waiting for files still loading for the shorter of {@code timeout} and the builder's {@code closeTimeout}. */
    @Override
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        Duration wait = timeout.compareTo(settings.closeTimeout()) < 0 ? timeout : settings.closeTimeout();
        if (monitor != null) {
            if (!dead && !wait.isZero() && !monitor.awaitSettled(wait)) {
                LOG.info("closing with {} file(s) still loading; the next open of their partitions settles them",
                        monitor.pendingCount());
            }
            monitor.close();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        for (PipeClient p : pipes.values()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.debug("closing pipe client {}: {}", p.pipe(), e.toString());
            }
        }
        if (settings.uploader() != null) {
            settings.uploader().close();
        }
        if (jdbcUploader != null) {
            jdbcUploader.close();
        }
        sql.close();
    }

    @Override
    public String toString() {
        return "SnowpipeBackend{account=" + settings.account().url() + ", database=" + settings.database() + ", schema="
                + settings.schema() + ", connectorName=" + settings.connectorName() + ", compression=" + settings.compression() + "}";
    }

    /**
     * Builds a {@link SnowpipeBackend}. Setters check their value at once; {@link #build()} checks the required
     * settings and throws one {@link BridgeConfigException} listing every problem. Mutable, not thread-safe.
     */
    public static final class Builder {
        private static final String OAUTH_REFUSED = "the Snowpipe backend signs in with a key pair only: Snowpipe's REST"
                + " API (insertFiles, insertReport, loadHistoryScan) accepts key-pair JWTs, not OAuth access tokens, and the"
                + " ingest SDK's SimpleIngestManager takes only a private key. Configure the account with privateKey"
                + " (snowflake.authenticator=snowflake_jwt with snowflake.private.key), or load with the Streaming backend"
                + " (snowflake.ingestion.method=SNOWPIPE_STREAMING), which takes OAuth with a refresh token";
        private SnowflakeAccount account;
        private String database;
        private String schema;
        private String connectorName = (String) BackendSettings.SNOWPIPE_CONNECTOR_NAME.defaultValue();
        private boolean schematization = (Boolean) BackendSettings.SNOWPIPE_SCHEMATIZATION.defaultValue();
        private Compression compression = Compression.valueOf((String) BackendSettings.SNOWPIPE_COMPRESSION.defaultValue());
        private int writerThreads = BackendSettings.SNOWPIPE_WRITER_THREADS.intDefault();
        private Duration statusPollInterval = BackendSettings.SNOWPIPE_STATUS_POLL_INTERVAL.durationDefault();
        private Duration historyFallback = BackendSettings.SNOWPIPE_HISTORY_FALLBACK.durationDefault();
        private Duration loadTimeout = BackendSettings.SNOWPIPE_LOAD_TIMEOUT.durationDefault();
        private Duration historyWindow = BackendSettings.SNOWPIPE_HISTORY_WINDOW.durationDefault();
        private Duration closeTimeout = BackendSettings.SNOWPIPE_CLOSE_TIMEOUT.durationDefault();
        private StageUploader uploader;

        private Builder() {
        }

        /**
         * The account to load into. Required. Key-pair authentication only: an account built with
         * {@link SnowflakeAccount.Builder#oauth} is refused by {@link #build()}, because Snowpipe's REST API
         * ({@code insertFiles}, {@code insertReport}, {@code loadHistoryScan}) takes key-pair JWTs and no OAuth token,
         * and the ingest SDK's {@code SimpleIngestManager}, which calls it, is built from a private key alone.
         */
        public Builder account(SnowflakeAccount account) {
            this.account = Objects.requireNonNull(account, "account must not be null");
            return this;
        }

        /**
         * The database of the tables, stages and pipes. Required; an identifier: unquoted (resolved upper case,
         * {@code raw} is {@code RAW}) or double-quoted ({@code "Raw"}, kept as written).
         */
        public Builder database(String database) {
            this.database = identifier("database", database);
            return this;
        }

        /**
         * The schema of the tables, stages and pipes. Required; an identifier: unquoted (resolved upper case) or
         * double-quoted (kept as written).
         */
        public Builder schema(String schema) {
            this.schema = identifier("schema", schema);
            return this;
        }

        /**
         * The name that stage, pipe and file names carry, as the connector's name does in the connector's objects.
         * Default {@code KSBRIDGE}; an identifier, unquoted (resolved upper case) or double-quoted (kept as written).
         * Use the connector's name to share its naming.
         */
        public Builder connectorName(String connectorName) {
            this.connectorName = identifier("connectorName", connectorName);
            return this;
        }

        /**
         * File compression. Default {@link Compression#ZSTD}: Snowflake detects it on load ({@code COMPRESSION = AUTO})
         * and it compresses several times faster than gzip to a smaller file; {@link Compression#GZIP} is what the
         * connector writes.
         */
        public Builder compression(Compression compression) {
            this.compression = Objects.requireNonNull(compression, "compression must not be null");
            return this;
        }

        /**
         * Threads compressing, staging and submitting files (a partition's files go one at a time, several partitions
         * at once). Default 4; 1 to 64. The Streaming backend's setting of the same name counts its threads handing
         * rows to the SDK.
         */
        public Builder writerThreads(int threads) {
            this.writerThreads = BackendSettings.SNOWPIPE_WRITER_THREADS.check(threads);
            return this;
        }

        /**
         * The old name of {@link #writerThreads(int)}, which it calls.
         *
         * @param threads as for {@link #writerThreads(int)}
         * @return this builder
         * @deprecated use {@link #writerThreads(int)}: the two backend builders name their settings alike
         */
        @Deprecated(since = "0.1")
        public Builder uploadParallelism(int threads) {
            return writerThreads(threads);
        }

        /**
         * How often {@code insertReport} is called for a pipe with files whose load is not settled. Default 5 s;
         * 10 ms to 10 minutes. Loads are followed on a backend thread; this never delays durability (a batch is
         * durable once {@code insertFiles} accepted its file).
         */
        public Builder statusPollInterval(Duration interval) {
            this.statusPollInterval = BackendSettings.SNOWPIPE_STATUS_POLL_INTERVAL.check(interval);
            return this;
        }

        /**
         * After how long a file not yet reported by {@code insertReport} is looked up with {@code loadHistoryScan}
         * (at most once per pipe per this period). Default 2 min; 10 ms to 24 h.
         */
        public Builder historyFallback(Duration after) {
            this.historyFallback = BackendSettings.SNOWPIPE_HISTORY_FALLBACK.check(after);
            return this;
        }

        /**
         * How long a submitted file may take to load before it is treated as failed (moved to the table stage and
         * reported). Default 1 h, as the connector; 1 s to 14 days.
         */
        public Builder loadTimeout(Duration timeout) {
            this.loadTimeout = BackendSettings.SNOWPIPE_LOAD_TIMEOUT.check(timeout);
            return this;
        }

        /** How far back {@code open} reads the pipe's load history. Default 24 h; 1 min to 14 days. */
        public Builder historyWindow(Duration window) {
            this.historyWindow = BackendSettings.SNOWPIPE_HISTORY_WINDOW.check(window);
            return this;
        }

        /**
         * How long {@link SnowpipeBackend#close()} waits for submitted files to finish loading, so loaded files are
         * removed and failed ones reported before it returns. Default 5 s; 0 (do not wait) to 10 minutes. Files
         * still loading are settled by the next {@code open} of their partition. {@code close(Duration)} waits the
         * shorter of its argument and this.
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = BackendSettings.SNOWPIPE_CLOSE_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * The old name of {@link #closeTimeout(Duration)}, which it calls.
         *
         * @param wait as for {@link #closeTimeout(Duration)}
         * @return this builder
         * @deprecated use {@link #closeTimeout(Duration)}: the two backend builders name their settings alike
         */
        @Deprecated(since = "0.1")
        public Builder closeWait(Duration wait) {
            return closeTimeout(wait);
        }

        /**
         * The uploader that puts files on stages. Default: {@link StageUploader#jdbc} with the backend's account
         * (the Snowflake JDBC driver's {@code uploadStream}), for every stage. Closed with the backend.
         */
        public Builder stageUploader(StageUploader uploader) {
            this.uploader = Objects.requireNonNull(uploader, "stageUploader must not be null");
            return this;
        }

        /**
         * The connector's {@code snowflake.enable.schematization} (default false): the top-level fields of each
         * record's JSON object become typed columns (a field the record's Avro or Protobuf schema declares takes its
         * declared type, e.g. NUMBER(10,2), DATE, TIMESTAMP_LTZ(3); others are inferred as the connector does), beside
         * RECORD_METADATA. A missing column is added (nullable) before the file with its rows is staged; files load
         * through a {@code MATCH_BY_COLUMN_NAME} pipe of their own ({@code <pipe>_TYPED}). A declared type that does
         * not fit the table's column stops the partition (fatal, naming the record, the field and both types); a value
         * that does not fit its declared column, or a record that is not a JSON object, is a bad record for the error
         * policy.
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
        public SnowpipeBackend build() {
            List<BridgeConfigException.Problem> problems = BackendSettings.targetProblems(
                    io.ksbridge.config.BridgeConfig.IngestionMethod.SNOWPIPE, account, database, schema,
                    a -> a.authentication() == SnowflakeAccount.Authentication.OAUTH
                            ? java.util.Optional.of(new BridgeConfigException.Problem("account", "oauth", OAUTH_REFUSED))
                            : java.util.Optional.empty());
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new SnowpipeBackend(new Settings(account, database, schema, connectorName, compression, writerThreads,
                    statusPollInterval, historyFallback, loadTimeout, historyWindow, closeTimeout, uploader, schematization));
        }

        private static String identifier(String setting, String value) {
            return SnowflakeIdentifiers.resolve(setting, value);
        }

    }
}
