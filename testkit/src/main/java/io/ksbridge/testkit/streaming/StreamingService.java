package io.ksbridge.testkit.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.EmulatedTable;
import io.ksbridge.testkit.emulator.HttpJson;
import io.ksbridge.testkit.emulator.JwtVerifier;
import io.ksbridge.testkit.emulator.TableStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's Snowpipe Streaming side: the endpoints {@code snowflake-ingest-sdk}'s classic streaming client calls
 * ({@code /v1/streaming/client/configure/}, {@code channels/open/}, {@code channels/write/blobs/},
 * {@code channels/status/}, {@code channels/drop/}, and {@code /telemetry/}), with key-pair JWT checks.
 *
 * <ul>
 *   <li>{@code client/configure} hands out a {@code LOCAL_FS} stage: a folder beside the emulator's stages, where
 *       the SDK writes its BDEC blobs.</li>
 *   <li>Channels keep a client sequencer: opening a channel again bumps it, and a registration or status request
 *       carrying an older one is refused with status 20 ({@code ERR_CHANNEL_HAS_INVALID_CLIENT_SEQUENCER}), which
 *       invalidates the old handle in the SDK. Each open issues a new encryption key.</li>
 *   <li>Registering a blob reads the rows back from the blob the SDK wrote (decrypted with the key this service
 *       issued, Parquet read with the SDK's reader), inserts them into the emulator's table, and commits the
 *       channels' offset tokens, atomically per chunk: a chunk with one refused channel commits nothing.</li>
 *   <li>As in Snowflake, a handle's chunks must arrive in row-sequencer order without gaps: once a chunk of a
 *       channel was refused, the later chunks its handle had already flushed are refused with status 21
 *       ({@code ERR_CHANNEL_HAS_INVALID_ROW_SEQUENCER}) until the channel is reopened, so a committed offset token
 *       never passes rows that did not land.</li>
 * </ul>
 *
 * <p>Fault hooks: {@link #invalidate} a channel (its next registration or status answers status 36,
 * {@code ERR_CHANNEL_MUST_BE_REOPENED}), {@link #failNextRegistrations} (the chunks of the next registrations are
 * refused the same way), {@link #delayCommits} (registrations succeed but take effect later). The emulator's
 * request {@link io.ksbridge.testkit.emulator.Faults} apply too.
 *
 * <p>Mounted by {@link SnowflakeEmulator} when the SDK is on the class path; get it with {@link #of}. Thread-safe.
 */
public final class StreamingService implements HttpHandler {
    /** The prefix of the streaming endpoints. */
    public static final String PREFIX = "/v1/streaming/";
    /** The prefix of the SDK's telemetry endpoint. */
    public static final String TELEMETRY_PREFIX = "/telemetry/";

    /** The channel is owned by another writer (a newer client sequencer). */
    public static final int ERR_INVALID_CLIENT_SEQUENCER = 20;
    /** The channel does not exist. */
    public static final int ERR_CHANNEL_DOES_NOT_EXIST = 25;
    /** The channel must be reopened. */
    public static final int ERR_CHANNEL_MUST_BE_REOPENED = 36;
    /**
     * The chunk's row sequencer does not follow the last one accepted for the channel: an earlier chunk of the same
     * handle was refused, so this one would leave a gap ("out-of-order message, please reopen the channel").
     */
    public static final int ERR_INVALID_ROW_SEQUENCER = 21;
    /** Another channel in the chunk was refused. */
    public static final int ERR_OTHER_CHANNEL_IN_CHUNK = 22;
    /** The table does not exist or is not authorized. */
    public static final int ERR_TABLE_DOES_NOT_EXIST = 4;

    private static final Logger LOG = LoggerFactory.getLogger(StreamingService.class);
    private static final Map<SnowflakeEmulator, StreamingService> ATTACHED = Collections.synchronizedMap(new WeakHashMap<>());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Applies delayed commits for every emulator in the JVM: one idle daemon thread, not one per emulator. */
    private static final ScheduledExecutorService COMMITTER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snowflake-emulator-streaming-commits");
        t.setDaemon(true);
        return t;
    });

    private final TableStore tables;
    private final JwtVerifier jwt;
    private final Path stageDir;
    private final Map<String, Channel> channels = new TreeMap<>();
    private final Map<Long, String> keys = new HashMap<>();
    private final AtomicInteger failNextRegistrations = new AtomicInteger();
    private final AtomicLong staleRegistrations = new AtomicLong();
    private final AtomicLong outOfOrderRegistrations = new AtomicLong();
    private final AtomicLong refusedRegistrations = new AtomicLong();
    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicLong blobsRead = new AtomicLong();
    private final AtomicLong repeatedRegistrations = new AtomicLong();
    private final AtomicLong statusRequests = new AtomicLong();
    private final AtomicLong statusesAsked = new AtomicLong();
    private final AtomicLong clients = new AtomicLong();
    private final List<String> prefixes = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.Set<String> blobPaths = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> acceptedChunks = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Duration commitDelay = Duration.ZERO;
    /** Registrations accepted but not applied yet (delayed commits), in registration order. */
    private final List<PendingCommit> delayed = new ArrayList<>();

    /** A registered chunk waiting for its delayed commit. */
    private final class PendingCommit {
        final String tableKey;
        final List<Map<String, JsonNode>> rows;
        final List<String[]> commits;
        boolean applied;

        PendingCommit(String tableKey, List<Map<String, JsonNode>> rows, List<String[]> commits) {
            this.tableKey = tableKey;
            this.rows = rows;
            this.commits = commits;
        }

        /** Applies it once, and every earlier one first (commits keep registration order). */
        void apply() {
            synchronized (StreamingService.this) {
                while (!delayed.isEmpty()) {
                    PendingCommit first = delayed.get(0);
                    if (!first.applied) {
                        first.applied = true;
                        commit(first.tableKey, first.rows, first.commits);
                    }
                    delayed.remove(0);
                    if (first == this) {
                        return;
                    }
                }
            }
        }
    }

    /** A channel as Snowflake keeps it. */
    private static final class Channel {
        final String table;
        final String name;
        long clientSequencer;
        long rowSequencer;
        /** The row sequencer of the last chunk accepted (committed or waiting for a delayed commit). */
        long acceptedRowSequencer;
        String offsetToken;
        boolean mustReopen;
        List<ColumnDef> columns;

        Channel(String table, String name) {
            this.table = table;
            this.name = name;
        }
    }

    private StreamingService(TableStore tables, JwtVerifier jwt, Path stageDir) {
        this.tables = tables;
        this.jwt = jwt;
        this.stageDir = stageDir;
    }

    /** True when {@code snowflake-ingest-sdk} (which this service reads blobs with) is on the class path. */
    public static boolean sdkPresent() {
        try {
            Class.forName("net.snowflake.ingest.utils.Cryptor", false, StreamingService.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Mounts the service on {@code emulator} when the SDK is on the class path; does nothing otherwise. Idempotent. */
    public static void attachIfSdkPresent(SnowflakeEmulator emulator) {
        if (sdkPresent()) {
            of(emulator);
        }
    }

    /**
     * The streaming service of {@code emulator}, mounted on first use.
     *
     * @throws IllegalStateException when {@code snowflake-ingest-sdk} is not on the class path
     */
    public static StreamingService of(SnowflakeEmulator emulator) {
        Objects.requireNonNull(emulator, "emulator must not be null");
        if (!sdkPresent()) {
            throw new IllegalStateException("the emulator's Snowpipe Streaming side needs net.snowflake:snowflake-ingest-sdk"
                    + " on the class path (add it as a test dependency)");
        }
        synchronized (ATTACHED) {
            StreamingService existing = ATTACHED.get(emulator);
            if (existing != null) {
                return existing;
            }
            Path dir = emulator.stageRoot().resolveSibling("streaming-stage");
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the streaming stage folder " + dir, e);
            }
            StreamingService service = new StreamingService(emulator.tables(), emulator.jwt(), dir);
            emulator.mount(PREFIX, service);
            emulator.mount(TELEMETRY_PREFIX, service);
            emulator.addWorkSource(service::pendingWork);
            ATTACHED.put(emulator, service);
            return service;
        }
    }

    // ------------------------------------------------------------------ fault hooks and observation

    /**
     * Invalidates a channel: its next registration or status request is refused with status 36 until a writer
     * opens it again.
     *
     * @param qualifiedTable {@code DB.SCHEMA.TABLE}
     * @param channel        the channel name
     * @throws java.util.NoSuchElementException when there is no such channel
     */
    public synchronized void invalidate(String qualifiedTable, String channel) {
        Channel c = channels.get(key(qualifiedTable, channel));
        if (c == null) {
            throw new java.util.NoSuchElementException("no channel " + channel + " on " + qualifiedTable + "; channels: "
                    + channels.keySet());
        }
        c.mustReopen = true;
    }

    /** Invalidates every channel (see {@link #invalidate}). */
    public synchronized void invalidateAll() {
        channels.values().forEach(c -> c.mustReopen = true);
    }

    /** Refuses every chunk of the next {@code n} registrations (status 36), so nothing of them commits. */
    public void failNextRegistrations(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        failNextRegistrations.set(n);
    }

    /**
     * Registrations succeed at once but take effect (rows visible, tokens committed) {@code delay} later, in
     * registration order. Opening a channel applies every registration first, as registered data is durable.
     */
    public void delayCommits(Duration delay) {
        Objects.requireNonNull(delay, "delay must not be null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        }
        this.commitDelay = delay;
    }

    /** The committed offset token of a channel, empty when it has none or does not exist. */
    public synchronized Optional<String> committedOffsetToken(String qualifiedTable, String channel) {
        Channel c = channels.get(key(qualifiedTable, channel));
        return c == null ? Optional.empty() : Optional.ofNullable(c.offsetToken);
    }

    /** Every channel of a table with its committed offset token (null when none), by channel name. */
    public synchronized Map<String, String> committedOffsetTokens(String qualifiedTable) {
        String prefix = tableKey(qualifiedTable) + "/";
        Map<String, String> tokens = new TreeMap<>();
        for (Map.Entry<String, Channel> e : channels.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                tokens.put(e.getValue().name, e.getValue().offsetToken);
            }
        }
        return tokens;
    }

    /** The client sequencer of a channel (how often it was opened, minus one), or -1 when it does not exist. */
    public synchronized long clientSequencer(String qualifiedTable, String channel) {
        Channel c = channels.get(key(qualifiedTable, channel));
        return c == null ? -1 : c.clientSequencer;
    }

    /** Channel registrations refused because a newer writer had opened the channel (a stale client sequencer). */
    /** {@code channels/status} requests served, each asking one channel or several. */
    public long statusRequests() {
        return statusRequests.get();
    }

    /** Channel statuses asked in all {@code channels/status} requests (equal to {@link #statusRequests()} when none batches). */
    public long statusesAsked() {
        return statusesAsked.get();
    }

    public long staleRegistrations() {
        return staleRegistrations.get();
    }

    /**
     * Channel registrations refused because an earlier chunk of the same handle was refused (status 21: the row
     * sequencer does not follow the last accepted one).
     */
    public long outOfOrderRegistrations() {
        return outOfOrderRegistrations.get();
    }

    /** Channel registrations refused for any reason (stale, invalidated, injected failure). */
    public long refusedRegistrations() {
        return refusedRegistrations.get();
    }

    /** Rows read back from blobs and inserted. */
    public long rowsRead() {
        return rowsRead.get();
    }

    /** The client prefixes {@code client/configure} handed out, in order: one per client, each unique. */
    public List<String> clientPrefixes() {
        synchronized (prefixes) {
            return List.copyOf(prefixes);
        }
    }

    /** The paths of every blob registered so far (each named by its client with the client's prefix). */
    public java.util.Set<String> registeredBlobPaths() {
        return java.util.Set.copyOf(blobPaths);
    }

    /** Registrations of chunks already accepted (retries after a lost answer), acknowledged and not applied again. */
    public long repeatedRegistrationCount() {
        return repeatedRegistrations.get();
    }

    /**
     * What this service still has to do outside requests: one line per table with registered chunks waiting for their
     * delayed commit ({@link #delayCommits}); empty when none. Counted by {@link SnowflakeEmulator#isIdle()}.
     */
    public synchronized List<String> pendingWork() {
        Map<String, Integer> byTable = new TreeMap<>();
        for (PendingCommit p : delayed) {
            if (!p.applied) {
                byTable.merge(p.tableKey, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        byTable.forEach((table, n) -> out.add("Streaming: " + n + " registered chunk(s) of " + table
                + " waiting for their delayed commit (delayCommits " + commitDelay + ")"));
        return out;
    }

    /** Chunks read back from blobs. */
    public long chunksRead() {
        return blobsRead.get();
    }

    /** The folder the SDK writes its blobs into. */
    public Path stageDir() {
        return stageDir;
    }

    // ------------------------------------------------------------------ HTTP

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith(TELEMETRY_PREFIX)) {
            exchange.getRequestBody().readAllBytes();
            HttpJson.send(exchange, 200, HttpJson.MAPPER.createObjectNode().put("success", true));
            return;
        }
        if (!jwt.authenticate(exchange)) {
            return;
        }
        JsonNode request = HttpJson.readJson(exchange);
        String route = path.substring(PREFIX.length());
        if (route.endsWith("/")) {
            route = route.substring(0, route.length() - 1);
        }
        JsonNode response;
        switch (route) {
            case "client/configure":
                response = configure();
                break;
            case "channels/open":
                response = open(request);
                break;
            case "channels/write/blobs":
                response = register(request);
                break;
            case "channels/status":
                response = status(request);
                break;
            case "channels/drop":
                response = drop(request);
                break;
            default:
                HttpJson.send(exchange, 404, HttpJson.error("404", "Not found: " + path));
                return;
        }
        HttpJson.send(exchange, 200, response);
    }

    private ObjectNode ok() {
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        node.put("status_code", 0);
        node.put("message", "Success");
        return node;
    }

    private JsonNode configure() {
        ObjectNode node = ok();
        // Snowflake gives every client its own prefix, and the SDK names its blobs with it: two clients (two JVMs)
        // never write a blob of the same name, so one's chunk is never taken for the other's
        String prefix = "ksbemu" + clients.incrementAndGet() + "_"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        prefixes.add(prefix);
        node.put("prefix", prefix);
        node.put("deployment_id", 0);
        ObjectNode stage = node.putObject("stage_location");
        stage.put("locationType", "LOCAL_FS");
        stage.put("location", stageDir.toAbsolutePath().toString());
        stage.put("path", "");
        stage.putObject("creds");
        stage.putNull("region");
        stage.putNull("endPoint");
        stage.putNull("storageAccount");
        stage.put("isClientSideEncrypted", false);
        return node;
    }

    private synchronized JsonNode open(JsonNode request) {
        String database = request.path("database").asText();
        String schema = request.path("schema").asText();
        String table = request.path("table").asText();
        String name = request.path("channel").asText();
        String qualified = database + "." + schema + "." + table;
        Optional<EmulatedTable> target = tables.find(qualified);
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        if (target.isEmpty()) {
            node.put("status_code", ERR_TABLE_DOES_NOT_EXIST);
            node.put("message", "The supplied table does not exist or is not authorized");
            return node;
        }
        String tableKey = target.get().name();
        if (!delayed.isEmpty()) {
            // registered data is durable: a writer opening the channel sees it (the delay only hides it from readers)
            delayed.get(delayed.size() - 1).apply();
        }
        Channel channel = channels.get(tableKey + "/" + name);
        if (channel == null) {
            channel = new Channel(tableKey, name);
            channels.put(tableKey + "/" + name, channel);
        } else {
            channel.clientSequencer++;
        }
        JsonNode token = request.get("offset_token");
        if (token != null && !token.isNull()) {
            channel.offsetToken = token.asText();
        }
        channel.mustReopen = false;
        channel.acceptedRowSequencer = channel.rowSequencer;
        channel.columns = target.get().columns();
        byte[] keyBytes = new byte[32];
        RANDOM.nextBytes(keyBytes);
        long keyId = RANDOM.nextLong() & Long.MAX_VALUE;
        String key = Base64.getEncoder().encodeToString(keyBytes);
        keys.put(keyId, key);

        node = ok();
        node.put("database", database);
        node.put("schema", schema);
        node.put("table", table);
        node.put("channel", name);
        node.put("client_sequencer", channel.clientSequencer);
        node.put("row_sequencer", channel.rowSequencer);
        if (channel.offsetToken == null) {
            node.putNull("offset_token");
        } else {
            node.put("offset_token", channel.offsetToken);
        }
        ArrayNode columns = node.putArray("table_columns");
        int ordinal = 1;
        for (ColumnDef c : channel.columns) {
            columns.add(StreamingColumns.json(c, ordinal++));
        }
        node.put("encryption_key", key);
        node.put("encryption_key_id", keyId);
        LOG.debug("opened channel {} of {} with client sequencer {}, offset token {}", name, tableKey, channel.clientSequencer,
                channel.offsetToken);
        return node;
    }

    private JsonNode register(JsonNode request) {
        ObjectNode node = ok();
        ArrayNode blobsOut = node.putArray("blobs");
        boolean failThis = failNextRegistrations.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        for (JsonNode blob : request.path("blobs")) {
            String path = blob.path("path").asText();
            blobPaths.add(path);
            int bdecVersion = blob.path("bdec_version").asInt(3);
            ArrayNode chunksOut = blobsOut.addObject().putArray("chunks");
            byte[] bytes = null;
            for (JsonNode chunk : blob.path("chunks")) {
                // A registration retried after its answer was lost names a chunk already accepted: as Snowflake does,
                // acknowledge it again without applying its rows twice.
                String chunkKey = path + "#" + chunk.path("chunk_start_offset").asLong();
                if (acceptedChunks.contains(chunkKey)) {
                    ObjectNode again = chunksOut.addObject();
                    again.put("database", chunk.path("database").asText());
                    again.put("schema", chunk.path("schema").asText());
                    again.put("table", chunk.path("table").asText());
                    ArrayNode againChannels = again.putArray("channels");
                    for (JsonNode ch : chunk.path("channels")) {
                        ObjectNode status = againChannels.addObject();
                        status.put("channel", ch.path("channel_name").asText());
                        status.put("client_sequencer", ch.path("client_sequencer").asLong());
                        status.put("status_code", 0);
                    }
                    repeatedRegistrations.incrementAndGet();
                    continue;
                }
                ObjectNode chunkOut = chunksOut.addObject();
                String database = chunk.path("database").asText();
                String schema = chunk.path("schema").asText();
                String table = chunk.path("table").asText();
                chunkOut.put("database", database);
                chunkOut.put("schema", schema);
                chunkOut.put("table", table);
                ArrayNode channelsOut = chunkOut.putArray("channels");
                String tableKey = tables.find(database + "." + schema + "." + table).map(EmulatedTable::name)
                        .orElse(database + "." + schema + "." + table);
                List<Integer> codes = new ArrayList<>();
                List<Channel> owners = new ArrayList<>();
                long[] previousRowSequencers;
                boolean refused;
                synchronized (this) {
                    for (JsonNode ch : chunk.path("channels")) {
                        Channel c = channels.get(tableKey + "/" + ch.path("channel_name").asText());
                        int code;
                        if (c == null) {
                            code = ERR_CHANNEL_DOES_NOT_EXIST;
                        } else if (ch.path("client_sequencer").asLong(-1) != c.clientSequencer) {
                            code = ERR_INVALID_CLIENT_SEQUENCER;
                            staleRegistrations.incrementAndGet();
                        } else if (c.mustReopen || failThis) {
                            code = ERR_CHANNEL_MUST_BE_REOPENED;
                        } else if (ch.hasNonNull("row_sequencer")
                                && ch.path("row_sequencer").asLong() != c.acceptedRowSequencer + 1) {
                            // As Snowflake does: a handle's chunks must follow each other. After one of its chunks was
                            // refused, its later ones would leave a gap (their token passing rows that never landed).
                            code = ERR_INVALID_ROW_SEQUENCER;
                            outOfOrderRegistrations.incrementAndGet();
                        } else {
                            code = 0;
                        }
                        codes.add(code);
                        owners.add(c);
                    }
                    refused = codes.stream().anyMatch(code -> code != 0);
                    // reserve the row sequencers now, so a concurrent registration of the same handle is ordered
                    previousRowSequencers = new long[owners.size()];
                    if (!refused) {
                        int k = 0;
                        for (JsonNode ch : chunk.path("channels")) {
                            Channel c = owners.get(k);
                            previousRowSequencers[k++] = c.acceptedRowSequencer;
                            if (ch.hasNonNull("row_sequencer")) {
                                c.acceptedRowSequencer = ch.path("row_sequencer").asLong();
                            }
                        }
                    }
                }
                List<Map<String, JsonNode>> rows = List.of();
                if (!refused) {
                    try {
                        if (bytes == null) {
                            bytes = Files.readAllBytes(stageDir.resolve(path));
                        }
                        String key;
                        synchronized (this) {
                            key = keys.get(chunk.path("encryption_key_id").asLong());
                        }
                        if (key == null) {
                            throw new IOException("unknown encryption_key_id " + chunk.path("encryption_key_id"));
                        }
                        ParquetRows.Chunk values = BlobReader.readChunk(bytes, path, key, chunk.path("chunk_start_offset").asLong(),
                                chunk.path("chunk_length").asLong(), bdecVersion);
                        // a table that only counts rows (benchmarks) is not given a parsed row per line
                        boolean countOnly = tables.find(tableKey).map(t -> !t.retainsRows()).orElse(false);
                        rows = countOnly ? Collections.nCopies(values.rows().size(), Map.of())
                                : toRows(values, owners.get(0).columns);
                        blobsRead.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("emulator could not read chunk of blob {} for {}: {}", path, tableKey, e.toString());
                        codes.replaceAll(code -> 10); // ERR_GENERAL_EXCEPTION_RETRY_REQUEST
                        refused = true;
                        synchronized (this) {
                            for (int k = 0; k < owners.size(); k++) {
                                owners.get(k).acceptedRowSequencer = previousRowSequencers[k];
                            }
                        }
                    }
                }
                int i = 0;
                List<String[]> commits = new ArrayList<>();
                for (JsonNode ch : chunk.path("channels")) {
                    int code = refused && codes.get(i) == 0 ? ERR_OTHER_CHANNEL_IN_CHUNK : codes.get(i);
                    ObjectNode status = channelsOut.addObject();
                    status.put("channel", ch.path("channel_name").asText());
                    status.put("client_sequencer", ch.path("client_sequencer").asLong());
                    status.put("status_code", code);
                    if (code != 0) {
                        refusedRegistrations.incrementAndGet();
                        status.put("message", "refused by the emulator (status " + code + ")");
                    } else {
                        JsonNode end = ch.get("end_offset_token");
                        if (end == null || end.isNull()) {
                            end = ch.get("offset_token");
                        }
                        commits.add(new String[] {ch.path("channel_name").asText(), end == null || end.isNull() ? null
                                : end.asText(), ch.path("row_sequencer").asText()});
                    }
                    i++;
                }
                if (!refused) {
                    acceptedChunks.add(chunkKey);
                    Duration delay = commitDelay;
                    synchronized (this) {
                        if (delay.isZero() && delayed.isEmpty()) {
                            commit(tableKey, rows, commits);
                        } else {
                            PendingCommit pending = new PendingCommit(tableKey, rows, commits);
                            delayed.add(pending);
                            COMMITTER.schedule(pending::apply, delay.toMillis(), TimeUnit.MILLISECONDS);
                        }
                    }
                }
            }
        }
        return node;
    }

    private void commit(String tableKey, List<Map<String, JsonNode>> rows, List<String[]> commits) {
        synchronized (this) {
            Optional<EmulatedTable> table = tables.find(tableKey);
            if (table.isEmpty()) {
                LOG.warn("emulator: table {} was dropped before its rows committed", tableKey);
                return;
            }
            if (table.get().retainsRows()) {
                table.get().insert(rows);
            } else {
                table.get().count(rows.size());
            }
            rowsRead.addAndGet(rows.size());
            for (String[] c : commits) {
                Channel channel = channels.get(tableKey + "/" + c[0]);
                if (channel != null) {
                    if (c[1] != null) {
                        channel.offsetToken = c[1];
                    }
                    try {
                        channel.rowSequencer = Math.max(channel.rowSequencer, Long.parseLong(c[2]));
                    } catch (NumberFormatException ignored) {
                        // no row sequencer sent
                    }
                }
            }
        }
    }

    private static List<Map<String, JsonNode>> toRows(ParquetRows.Chunk chunk, List<ColumnDef> columns) throws IOException {
        // the SDK names Parquet columns after the table's columns; match by name, in any order
        List<ColumnDef> byIndex = new ArrayList<>();
        for (String name : chunk.columns()) {
            ColumnDef match = null;
            for (ColumnDef c : columns) {
                if (c.name().equalsIgnoreCase(name) || ("\"" + c.name() + "\"").equals(name)) {
                    match = c;
                }
            }
            if (match == null) {
                throw new IOException("the blob has column " + name + ", which the table (" + columns + ") does not");
            }
            byIndex.add(match);
        }
        List<Map<String, JsonNode>> rows = new ArrayList<>(chunk.rows().size());
        for (List<Object> row : chunk.rows()) {
            Map<String, JsonNode> out = new LinkedHashMap<>();
            for (int i = 0; i < byIndex.size(); i++) {
                ColumnDef c = byIndex.get(i);
                Object v = row.get(i);
                JsonNode value = v == null ? null : StreamingColumns.value(c, v);
                out.put(c.name(), value);
            }
            rows.add(out);
        }
        return rows;
    }

    private synchronized JsonNode status(JsonNode request) {
        ObjectNode node = ok();
        ArrayNode out = node.putArray("channels");
        statusRequests.incrementAndGet();
        statusesAsked.addAndGet(request.path("channels").size());
        for (JsonNode ch : request.path("channels")) {
            ObjectNode status = out.addObject();
            String qualified = ch.path("database").asText() + "." + ch.path("schema").asText() + "." + ch.path("table").asText();
            String tableKey = tables.find(qualified).map(EmulatedTable::name).orElse(qualified);
            Channel c = channels.get(tableKey + "/" + ch.path("channel_name").asText());
            if (c == null) {
                status.put("status_code", ERR_CHANNEL_DOES_NOT_EXIST);
                continue;
            }
            JsonNode sequencer = ch.get("client_sequencer");
            if (sequencer != null && !sequencer.isNull() && sequencer.asLong() != c.clientSequencer) {
                status.put("status_code", ERR_INVALID_CLIENT_SEQUENCER);
                continue;
            }
            if (c.mustReopen) {
                status.put("status_code", ERR_CHANNEL_MUST_BE_REOPENED);
                continue;
            }
            status.put("status_code", 0);
            if (c.offsetToken == null) {
                status.putNull("persisted_offset_token");
            } else {
                status.put("persisted_offset_token", c.offsetToken);
            }
            status.put("persisted_client_sequencer", c.clientSequencer);
            status.put("persisted_row_sequencer", c.rowSequencer);
        }
        return node;
    }

    private synchronized JsonNode drop(JsonNode request) {
        String qualified = request.path("database").asText() + "." + request.path("schema").asText() + "."
                + request.path("table").asText();
        String tableKey = tables.find(qualified).map(EmulatedTable::name).orElse(qualified);
        channels.remove(tableKey + "/" + request.path("channel").asText());
        ObjectNode node = ok();
        node.put("database", request.path("database").asText());
        node.put("schema", request.path("schema").asText());
        node.put("table", request.path("table").asText());
        node.put("channel", request.path("channel").asText());
        return node;
    }

    private String tableKey(String qualifiedTable) {
        return tables.find(qualifiedTable).map(EmulatedTable::name).orElse(qualifiedTable.toUpperCase(Locale.ROOT));
    }

    private String key(String qualifiedTable, String channel) {
        return tableKey(qualifiedTable) + "/" + channel;
    }
}
