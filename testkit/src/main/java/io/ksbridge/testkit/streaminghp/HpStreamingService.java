package io.ksbridge.testkit.streaminghp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.EmulatedTable;
import io.ksbridge.testkit.emulator.HttpJson;
import io.ksbridge.testkit.emulator.Identifiers;
import io.ksbridge.testkit.emulator.JwtVerifier;
import io.ksbridge.testkit.emulator.TableStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's side of Snowpipe Streaming's high-performance architecture: the REST protocol that
 * {@code com.snowflake:snowpipe-streaming} (1.1.x) speaks, on the emulator's own port.
 *
 * <ul>
 *   <li>Control plane on the account host: {@code GET /v2/streaming/hostname} answers {@code 127.0.0.1} as plain text
 *       (so the "ingest host" is this server), {@code POST /oauth/token} exchanges the key-pair JWT (checked, with the
 *       SDK's millisecond {@code iat}/{@code exp}) for a scoped token, as plain text, that every later call carries
 *       ({@code X-Snowflake-Authorization-Token-Type: OAUTH}) and that is checked on each of them.</li>
 *   <li>Pipes: {@code <TABLE>-STREAMING} is every table's default pipe, which maps the keys of each JSON row to the
 *       table's columns by name (an object for a VARIANT column stays an object; a JSON string stays a string).
 *       {@code :pipe-info} answers an S3 stage whose region is not a valid DNS name, so the SDK's file mode (which
 *       would upload straight to cloud storage) fails at once without touching the network.</li>
 *   <li>Channels: {@code PUT} opens (or reopens) a channel and issues a fresh continuation token; each rows request
 *       ({@code POST /v2/streaming/data/.../channels/{c}/rows}, zstd or plain NDJSON) must carry the latest one and gets
 *       the next. A request repeating the previous token (a retry after a lost answer) is a replay: answered again,
 *       applied once. Any other token (the handle of an owner that was superseded by a reopen) is refused with HTTP 400,
 *       which makes the SDK invalidate that handle: the old owner is fenced.</li>
 *   <li>Rows are loaded into the table's columns by name, each value converted to its column's type and stored by type
 *       (NUMBER at its scale, DATE, TIME and timestamps, BINARY, BOOLEAN, text; a VARIANT as the JSON it is), by the
 *       emulator's own conversion ({@code PipeColumns}); a row with an unknown column, a value its column cannot hold, or
 *       NULL in a NOT NULL column is refused. Rows that fail are counted
 *       in the channel's {@code rows_error_count} with the offset token of their request as
 *       {@code last_error_offset_upper_bound}, the others inserted; then the request's offset token commits. With
 *       {@link #delayCommits} rows and token take effect later, in order.</li>
 *   <li>{@code :bulk-channel-status} answers every named channel that exists; {@code DELETE} drops a channel.</li>
 * </ul>
 *
 * <p>Faults: the emulator's {@link io.ksbridge.testkit.emulator.Faults} (503, lost responses) apply to every route;
 * {@link #throttleNext} answers rows requests with 429; {@link #invalidate} makes a channel refuse its next rows
 * request and report an error status until reopened. Every fault costs the SDK at least a second of backoff, so
 * keep them few: a fault that never ends blocks the SDK's call for up to two hours.
 *
 * <p>Mounted on every {@link SnowflakeEmulator}; get it with {@link #of}. Thread-safe.
 */
public final class HpStreamingService implements HttpHandler {
    /** The prefix of the control and data plane endpoints. */
    public static final String PREFIX = "/v2/streaming/";
    /** The scoped-token exchange. */
    public static final String TOKEN_PATH = "/oauth/token";
    /** Where both Streaming SDKs send telemetry. */
    public static final String TELEMETRY_PREFIX = "/telemetry/";
    /** The suffix of a table's default pipe: {@code ORDERS-STREAMING} loads {@code ORDERS}. */
    public static final String DEFAULT_PIPE_SUFFIX = "-STREAMING";
    /** The status code of a healthy channel. */
    public static final String SUCCESS = "SUCCESS";
    /** The error code a superseded continuation token is refused with. */
    public static final String STALE_CONTINUATION_TOKEN = "STALE_CONTINUATION_TOKEN_SEQUENCER";
    /** The error code (and status) of a channel invalidated with {@link #invalidate}. */
    public static final String MUST_REOPEN = "ERR_CHANNEL_MUST_BE_REOPENED";

    private static final Logger LOG = LoggerFactory.getLogger(HpStreamingService.class);
    /** Rows are read with exact decimals, as Snowflake reads NUMBER(p,s) and VARIANT numbers. */
    private static final com.fasterxml.jackson.databind.ObjectMapper ROWS = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
    private static final Map<SnowflakeEmulator, HpStreamingService> ATTACHED = Collections.synchronizedMap(new WeakHashMap<>());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    /** Applies delayed commits for every emulator in the JVM. */
    private static final ScheduledExecutorService COMMITTER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snowflake-emulator-hp-streaming-commits");
        t.setDaemon(true);
        return t;
    });

    private final TableStore tables;
    private final JwtVerifier jwt;
    /** Channels by {@code DB.SCHEMA.PIPE/channel}. */
    private final Map<String, Channel> channels = new TreeMap<>();
    private final Map<String, Long> scopedTokens = new ConcurrentHashMap<>();
    private final List<Delayed> delayed = new ArrayList<>();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicLong rowsRequests = new AtomicLong();
    private final AtomicLong replayedRequests = new AtomicLong();
    private final AtomicLong fencedRequests = new AtomicLong();
    private final AtomicLong rowsReceived = new AtomicLong();
    private final AtomicLong rowErrors = new AtomicLong();
    private final AtomicLong opens = new AtomicLong();
    private final AtomicLong statusRequests = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private volatile Duration commitDelay = Duration.ZERO;
    private volatile Duration scopedTokenLifetime = Duration.ofHours(1);
    private volatile boolean fileMode;
    private final FileStage fileStage = new FileStage();
    private final HpPipes pipes;

    /** A channel as Snowflake keeps it. */
    private static final class Channel {
        final String pipe;
        /** The table's resolved name, {@code DB.SCHEMA.TABLE}. */
        final String table;
        /** The table's name quoted part by part, to look it up again without resolving its case anew. */
        final String tableRef;
        final String name;
        final long createdOnMs = System.currentTimeMillis();
        long generation;
        long sequence;
        String currentToken;
        String previousToken;
        String previousAnswer;
        String committedToken;
        long rowsInserted;
        long rowsParsed;
        long rowsErrors;
        String lastErrorUpperBound;
        String lastErrorMessage;
        Long lastErrorMs;
        boolean mustReopen;

        Channel(String pipe, String table, String tableRef, String name) {
            this.pipe = pipe;
            this.table = table;
            this.tableRef = tableRef;
            this.name = name;
        }

        String nextToken() {
            sequence++;
            return generation + "_" + sequence + "_" + Long.toHexString(RANDOM.nextLong());
        }
    }

    /** A rows request accepted, waiting for its delayed commit. */
    private record Delayed(Channel channel, long generation, List<Map<String, JsonNode>> rows, int counted, int errors,
                           String errorMessage, String offsetToken) {
    }

    private HpStreamingService(TableStore tables, JwtVerifier jwt) {
        this.tables = tables;
        this.jwt = jwt;
        this.pipes = new HpPipes(tables);
    }

    /**
     * The service of {@code emulator}, mounted on first use (the emulator mounts it when it starts).
     *
     * @param emulator the emulator, never null
     * @return its service, never null
     */
    public static HpStreamingService of(SnowflakeEmulator emulator) {
        Objects.requireNonNull(emulator, "emulator must not be null");
        synchronized (ATTACHED) {
            HpStreamingService existing = ATTACHED.get(emulator);
            if (existing != null) {
                return existing;
            }
            HpStreamingService service = new HpStreamingService(emulator.tables(), emulator.jwt());
            emulator.mount(PREFIX, service);
            emulator.mount(TOKEN_PATH, service);
            // both SDKs: the new one refuses an answer whose code, message and data are not strings
            emulator.mount(TELEMETRY_PREFIX, service);
            emulator.addWorkSource(service::pendingWork);
            emulator.mount("/" + FileStage.BUCKET + "/", service.fileStage);
            emulator.systemFunction(ClassicOffsetMigration.NAME, new ClassicOffsetMigration(emulator, service));
            emulator.streamingPipes(service.pipes);
            ATTACHED.put(emulator, service);
            return service;
        }
    }

    // ------------------------------------------------------------------ fault hooks and observation

    /**
     * Rows and tokens take effect {@code delay} after their request was answered, in request order; opening a
     * channel applies its own waiting requests first. Default zero.
     */
    public void delayCommits(Duration delay) {
        Objects.requireNonNull(delay, "delay must not be null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        }
        this.commitDelay = delay;
    }

    /** Answers the next {@code n} rows requests with HTTP 429 without applying them (the SDK retries them). */
    public void throttleNext(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        throttleNext.set(n);
    }

    /**
     * Serves the SDK's file mode: pipe info names a valid S3 region and the emulator takes the S3 uploads (path style,
     * on its own port, under {@code /}{@value FileStage#BUCKET}{@code /}) and the {@code filebuffer} registrations,
     * decrypting each fragment and loading its rows like a rows request. Only for a client JVM started with
     * {@code AWS_ENDPOINT_URL} set to this emulator's URL (and {@code AWS_EC2_METADATA_DISABLED=true}): the SDK takes its
     * upload endpoint from that environment variable alone, and without it would upload to the real
     * {@code *.amazonaws.com}. Default off: pipe info names an invalid region, so file mode fails at once, offline.
     */
    public void serveFileMode(boolean on) {
        this.fileMode = on;
        fileStage.enabled(on);
    }

    /** The files the SDK uploaded in file mode, by key; for tests. */
    public Map<String, Integer> uploadedFiles() {
        return fileStage.sizes();
    }

    private FileStage files() {
        return fileStage;
    }

    /** How long the scoped tokens from {@code /oauth/token} live (the SDK renews one a minute before). Default 1 h. */
    public void scopedTokenLifetime(Duration lifetime) {
        Objects.requireNonNull(lifetime, "lifetime must not be null");
        if (lifetime.compareTo(Duration.ofSeconds(61)) < 0) {
            throw new IllegalArgumentException("scopedTokenLifetime must be > 61 s (the SDK renews 60 s early), was "
                    + lifetime);
        }
        this.scopedTokenLifetime = lifetime;
    }

    /**
     * Invalidates a channel: its next rows request is refused (HTTP 400, {@value #MUST_REOPEN}) and its status says
     * {@value #MUST_REOPEN} until a writer opens it again.
     *
     * @param qualifiedTable {@code DB.SCHEMA.TABLE}, whose default pipe holds the channel
     * @param channel        the channel name
     * @throws java.util.NoSuchElementException when there is no such channel
     */
    public synchronized void invalidate(String qualifiedTable, String channel) {
        Channel c = channels.get(defaultPipe(qualifiedTable) + "/" + channel);
        if (c == null) {
            throw new java.util.NoSuchElementException("no channel " + channel + " on " + qualifiedTable + "; channels: "
                    + channels.keySet());
        }
        c.mustReopen = true;
    }

    /** The committed offset token of a channel of the table's default pipe; empty when none or no such channel. */
    public synchronized Optional<String> committedOffsetToken(String qualifiedTable, String channel) {
        Channel c = channels.get(defaultPipe(qualifiedTable) + "/" + channel);
        return c == null ? Optional.empty() : Optional.ofNullable(c.committedToken);
    }

    /** Every channel loading into the table, with its committed offset token (null when none), by channel name. */
    public synchronized Map<String, String> committedOffsetTokens(String qualifiedTable) {
        String table = tableKey(qualifiedTable);
        Map<String, String> out = new TreeMap<>();
        for (Channel c : channels.values()) {
            if (c.table.equals(table)) {
                out.put(c.name, c.committedToken);
            }
        }
        return out;
    }

    /** How often a channel of the table's default pipe was opened (0 when never). */
    public synchronized long opens(String qualifiedTable, String channel) {
        Channel c = channels.get(defaultPipe(qualifiedTable) + "/" + channel);
        return c == null ? 0 : c.generation;
    }

    /** Rows requests received (faulted ones not counted). */
    public long rowsRequests() {
        return rowsRequests.get();
    }

    /** Rows requests that repeated the previous continuation token: answered again, not applied again. */
    public long replayedRequests() {
        return replayedRequests.get();
    }

    /** Rows requests refused for a superseded continuation token: writes of a fenced owner. */
    public long fencedRequests() {
        return fencedRequests.get();
    }

    /** Rows received in applied requests (NDJSON lines), refused rows included. */
    public long rowsReceived() {
        return rowsReceived.get();
    }

    /** Rows refused by the table's checks (counted in their channels' {@code rows_error_count}). */
    public long rowErrors() {
        return rowErrors.get();
    }

    /** Channel opens, reopens included. */
    public long channelOpens() {
        return opens.get();
    }

    /** Bulk channel status requests. */
    public long statusRequests() {
        return statusRequests.get();
    }

    /** Uncompressed bytes of rows received. */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /**
     * What this service still has to do outside requests: one line per channel with rows requests waiting for
     * their delayed commit; empty when none. Counted by {@link SnowflakeEmulator#isIdle()}.
     */
    public synchronized List<String> pendingWork() {
        Map<String, Integer> byChannel = new TreeMap<>();
        for (Delayed d : delayed) {
            byChannel.merge(d.channel().pipe + "/" + d.channel().name, 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        byChannel.forEach((channel, n) -> out.add("Streaming (high-performance): " + n + " rows request(s) of channel "
                + channel + " waiting for their delayed commit (delayCommits " + commitDelay + ")"));
        return out;
    }

    // ------------------------------------------------------------------ HTTP

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith(TELEMETRY_PREFIX)) {
            exchange.getRequestBody().readAllBytes();
            ObjectNode ok = HttpJson.MAPPER.createObjectNode();
            ok.put("success", true).put("code", "0").put("message", "").put("data", "");
            HttpJson.send(exchange, 200, ok);
            return;
        }
        if (path.equals(TOKEN_PATH)) {
            exchange.getRequestBody().readAllBytes();
            if (jwt.authenticate(exchange)) {
                text(exchange, 200, scopedToken());
            }
            return;
        }
        if (path.equals(PREFIX + "hostname")) {
            exchange.getRequestBody().readAllBytes();
            if (jwt.authenticate(exchange)) {
                text(exchange, 200, "127.0.0.1");
            }
            return;
        }
        if (!scopedTokenValid(exchange)) {
            exchange.getRequestBody().readAllBytes();
            send(exchange, 401, errorBody("390303", "Invalid OAuth access token (the scoped token is missing, unknown or"
                    + " expired)"));
            return;
        }
        Route route = Route.parse(path);
        if (route == null) {
            exchange.getRequestBody().readAllBytes();
            send(exchange, 404, errorBody("404", "Not found: " + path));
            return;
        }
        String method = exchange.getRequestMethod();
        if (route.channel() == null && route.action().equals("pipe-info") && method.equals("POST")) {
            exchange.getRequestBody().readAllBytes();
            answer(exchange, pipeInfo(route));
        } else if (route.channel() == null && route.action().equals("bulk-channel-status") && method.equals("POST")) {
            answer(exchange, bulkStatus(route, HttpJson.readJson(exchange)));
        } else if (route.channel() != null && route.action().isEmpty() && method.equals("PUT")) {
            answer(exchange, open(route, HttpJson.readJson(exchange)));
        } else if (route.channel() != null && route.action().isEmpty() && method.equals("DELETE")) {
            exchange.getRequestBody().readAllBytes();
            answer(exchange, drop(route));
        } else if (route.channel() != null && route.action().equals("rows") && method.equals("POST")) {
            answer(exchange, data(route, exchange, false));
        } else if (route.channel() != null && route.action().equals("filebuffer") && method.equals("POST")) {
            if (!fileMode) {
                exchange.getRequestBody().readAllBytes();
                send(exchange, 400, errorBody("ERR_FILE_MODE_NOT_SERVED", "the emulator serves file mode only when asked"
                        + " (serveFileMode): it answers pipe info with an invalid region so that no upload leaves this"
                        + " machine"));
            } else {
                answer(exchange, data(route, exchange, true));
            }
        } else {
            exchange.getRequestBody().readAllBytes();
            send(exchange, 404, errorBody("404", "Not found: " + method + " " + path));
        }
    }

    /** A status and a JSON body. */
    private record Answer(int status, JsonNode body) {
    }

    /** A parsed ingest-host path: database, schema, pipe (resolved), channel (or null) and the action. */
    record Route(String database, String schema, String pipe, String channel, String action) {
        static Route parse(String path) {
            String rest = path.substring(PREFIX.length());
            if (rest.startsWith("data/")) {
                rest = rest.substring("data/".length());
            }
            if (!rest.startsWith("databases/")) {
                return null;
            }
            String[] head = rest.split("/", 6);
            if (head.length < 6 || !head[2].equals("schemas") || !head[4].equals("pipes")) {
                return null;
            }
            String tail = head[5];
            String pipe;
            String channel = null;
            String action = "";
            int channels = tail.indexOf("/channels/");
            if (channels >= 0) {
                pipe = tail.substring(0, channels);
                channel = tail.substring(channels + "/channels/".length());
                for (String suffix : new String[] {"/rows", "/filebuffer"}) {
                    if (channel.endsWith(suffix)) {
                        action = suffix.substring(1);
                        channel = channel.substring(0, channel.length() - suffix.length());
                    }
                }
            } else {
                int colon = tail.lastIndexOf(':');
                if (colon < 0) {
                    return null;
                }
                pipe = tail.substring(0, colon);
                action = tail.substring(colon + 1);
            }
            return new Route(Identifiers.normalize(head[1]), Identifiers.normalize(head[3]), Identifiers.normalize(pipe),
                    channel, action);
        }

        String pipeKey() {
            return database + "." + schema + "." + pipe;
        }
    }

    private static void answer(HttpExchange exchange, Answer answer) throws IOException {
        send(exchange, answer.status(), answer.body());
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        HttpJson.send(exchange, status, body);
    }

    private static void text(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The error body the SDK reads: {@code error_code} and {@code message}. */
    private static ObjectNode errorBody(String code, String message) {
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        node.put("error_code", code);
        node.put("message", message);
        return node;
    }

    private String scopedToken() {
        long exp = jwt.now().plus(scopedTokenLifetime).getEpochSecond();
        String header = B64URL.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = B64URL.encodeToString(("{\"sub\":\"" + SnowflakeEmulator.USER + "\",\"exp\":" + exp + ",\"jti\":\""
                + Long.toHexString(RANDOM.nextLong()) + "\"}").getBytes(StandardCharsets.UTF_8));
        byte[] signature = new byte[32];
        RANDOM.nextBytes(signature);
        String token = header + "." + claims + "." + B64URL.encodeToString(signature);
        scopedTokens.put(token, exp);
        return token;
    }

    private boolean scopedTokenValid(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        Long exp = scopedTokens.get(authorization.substring("Bearer ".length()).trim());
        return exp != null && exp > jwt.now().getEpochSecond();
    }

    // ------------------------------------------------------------------ pipes and channels

    /** The table a pipe loads, or empty when the pipe does not exist. */
    private Optional<EmulatedTable> tableOf(Route route) {
        String ref = tableRef(route);
        return ref == null ? Optional.empty() : tables.find(ref);
    }

    /**
     * The name of the table a pipe loads: a pipe a user created, or a default pipe; null when there is no such pipe.
     */
    private String tableRef(Route route) {
        Optional<HpPipes.Pipe> created = pipes.find(route.pipeKey());
        if (created.isPresent()) {
            return created.get().table();
        }
        String pipe = route.pipe();
        if (!pipe.toUpperCase(Locale.ROOT).endsWith(DEFAULT_PIPE_SUFFIX) || pipe.length() == DEFAULT_PIPE_SUFFIX.length()) {
            return null;
        }
        String table = pipe.substring(0, pipe.length() - DEFAULT_PIPE_SUFFIX.length());
        return quote(route.database()) + "." + quote(route.schema()) + "." + quote(table);
    }

    private static String quote(String resolved) {
        return "\"" + resolved.replace("\"", "\"\"") + "\"";
    }

    private Answer noPipe(Route route) {
        return new Answer(404, errorBody("ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED", "Pipe '" + route.pipeKey()
                + "' does not exist or not authorized."));
    }

    private Answer pipeInfo(Route route) {
        if (tableOf(route).isEmpty()) {
            return noPipe(route);
        }
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        ObjectNode stage = node.putObject("stage_location");
        stage.put("expiry_time_ms", System.currentTimeMillis() + Duration.ofHours(1).toMillis());
        stage.put("location_type", "S3");
        stage.put("location", "ksbridge-emulator/streaming/");
        stage.put("use_s3_regional_url", false);
        // Not a valid DNS label: the SDK's file mode fails at once ("Invalid region") instead of resolving a real
        // amazonaws.com host. The emulator never lets an upload leave this machine.
        stage.put("region", fileMode ? FileStage.REGION : "invalid region!");
        stage.putNull("storage_account");
        stage.put("bucket_name", FileStage.BUCKET);
        // every pipe-info answer gets a prefix of its own: two clients never upload a file of the same name
        stage.put("path_prefix", "streaming/" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + "/");
        ObjectNode creds = stage.putObject("creds");
        creds.put("AWS_KEY_ID", "emulator");
        creds.put("AWS_SECRET_KEY", "emulator");
        creds.put("AWS_TOKEN", "emulator");
        ObjectNode p = stage.putObject("parameters");
        p.put("max_client_lag_seconds", 1);
        p.put("rowset_flush_threshold_kb", 1024);
        p.put("max_buffered_kb_for_rowset_mode", 32768);
        p.put("rowset_threshold_lookback_seconds", 10);
        p.put("rowset_threshold_ewma_weight", 1);
        p.put("target_file_size_compressed_mb", 16);
        p.put("cpu_throttle_high_watermark_percent", 95);
        p.put("cpu_throttle_low_watermark_percent", 80);
        p.put("mem_throttle_high_watermark_percent", 95);
        p.put("mem_throttle_low_watermark_percent", 80);
        ObjectNode encryption = node.putObject("encryption_info");
        int keyId = RANDOM.nextInt(Integer.MAX_VALUE);
        byte[] key = random(32);
        files().key(keyId, key);
        encryption.put("pipe_key_id", keyId);
        encryption.put("diversifier", Base64.getEncoder().encodeToString(random(16)));
        encryption.put("pipe_key", Base64.getEncoder().encodeToString(key));
        node.putObject("parameter_overrides");
        return new Answer(200, node);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private synchronized Answer open(Route route, JsonNode request) {
        Optional<EmulatedTable> table = tableOf(route);
        if (table.isEmpty()) {
            return noPipe(route);
        }
        String key = route.pipeKey() + "/" + route.channel();
        Channel channel = channels.get(key);
        if (channel == null) {
            channel = new Channel(route.pipeKey(), table.get().name(), tableRef(route), route.channel());
            channels.put(key, channel);
        }
        applyDelayed(channel); // accepted rows are durable: a writer opening the channel sees their token
        channel.generation++;
        channel.sequence = 0;
        channel.currentToken = channel.nextToken();
        channel.previousToken = null;
        channel.previousAnswer = null;
        channel.mustReopen = false;
        JsonNode token = request.get("offset_token");
        if (token != null && !token.isNull()) {
            channel.committedToken = token.asText();
        }
        opens.incrementAndGet();
        LOG.debug("opened channel {} (generation {}), committed offset token {}", key, channel.generation,
                channel.committedToken);
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        node.put("next_continuation_token", channel.currentToken);
        node.set("channel_status", status(channel));
        return new Answer(200, node);
    }

    /**
     * Sets the committed offset token of a pipe's channel, creating the channel when it does not exist yet (what
     * {@code SYSTEM$MIGRATE_SSV1_CHANNEL_OFFSET} does). Names are resolved.
     *
     * @throws java.util.NoSuchElementException when the pipe does not exist
     */
    synchronized void migrateCommittedToken(String database, String schema, String pipe, String channelName, String token) {
        Route route = new Route(database, schema, pipe, channelName, "");
        Optional<EmulatedTable> table = tableOf(route);
        if (table.isEmpty()) {
            throw new java.util.NoSuchElementException("Pipe '" + route.pipeKey() + "' does not exist or not authorized.");
        }
        Channel channel = channels.computeIfAbsent(route.pipeKey() + "/" + channelName,
                k -> new Channel(route.pipeKey(), table.get().name(), tableRef(route), channelName));
        applyDelayed(channel);
        channel.committedToken = token;
        LOG.debug("migrated committed offset token {} to channel {}", token, route.pipeKey() + "/" + channelName);
    }

    private synchronized Answer drop(Route route) {
        Channel channel = channels.remove(route.pipeKey() + "/" + route.channel());
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        if (channel == null || channel.committedToken == null) {
            node.putNull("last_committed_offset_token");
        } else {
            node.put("last_committed_offset_token", channel.committedToken);
        }
        return new Answer(200, node);
    }

    private synchronized Answer bulkStatus(Route route, JsonNode request) {
        statusRequests.incrementAndGet();
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        ObjectNode statuses = node.putObject("channel_statuses");
        for (JsonNode name : request.path("channel_names")) {
            Channel c = channels.get(route.pipeKey() + "/" + name.asText());
            if (c != null) {
                statuses.set(c.name, status(c));
            }
        }
        return new Answer(200, node);
    }

    private static ObjectNode status(Channel c) {
        ObjectNode s = HttpJson.MAPPER.createObjectNode();
        String[] parts = c.pipe.split("\\.", 3);
        s.put("database_name", parts[0]);
        s.put("schema_name", parts[1]);
        s.put("pipe_name", parts[2]);
        s.put("channel_name", c.name);
        s.put("channel_status_code", c.mustReopen ? MUST_REOPEN : SUCCESS);
        if (c.committedToken == null) {
            s.putNull("last_committed_offset_token");
        } else {
            s.put("last_committed_offset_token", c.committedToken);
        }
        s.put("created_on_ms", c.createdOnMs);
        s.put("rows_inserted", c.rowsInserted);
        s.put("rows_parsed", c.rowsParsed);
        s.put("rows_error_count", c.rowsErrors);
        putNullable(s, "last_error_offset_upper_bound", c.lastErrorUpperBound);
        putNullable(s, "last_error_message", c.lastErrorMessage);
        if (c.lastErrorMs == null) {
            s.putNull("last_error_timestamp_ms");
        } else {
            s.put("last_error_timestamp_ms", c.lastErrorMs);
        }
        s.put("snowflake_avg_processing_latency_ms", 1);
        return s;
    }

    private static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    // ------------------------------------------------------------------ rows

    /** One part of a data request: its rows and the offset token they end at (null for none). */
    private record Piece(Parsed parsed, String offsetToken) {
    }

    /**
     * A rows request (NDJSON in the body) or, with {@code files} true, a filebuffer request (a JSON array of fragments
     * of files uploaded to the stage); either carries the channel's continuation token.
     */
    private Answer data(Route route, HttpExchange exchange, boolean files) throws IOException {
        byte[] raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = in.readAllBytes();
        }
        Map<String, String> query = HttpJson.query(exchange);
        String continuation = query.getOrDefault("continuationToken", "");
        String offsetToken = query.getOrDefault("offsetToken", "");
        Channel channel;
        long generation;
        synchronized (this) {
            channel = channels.get(route.pipeKey() + "/" + route.channel());
            if (channel == null) {
                return new Answer(404, errorBody("ERR_CHANNEL_DOES_NOT_EXIST_OR_NOT_AUTHORIZED", "Channel '"
                        + route.channel() + "' of pipe " + route.pipeKey() + " does not exist or is not authorized."));
            }
            if (throttleNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                return new Answer(429, errorBody("429", "Too many requests (injected by the emulator)"));
            }
            if (continuation.equals(channel.previousToken)) {
                // a retry after a lost answer: the same request again, applied once
                replayedRequests.incrementAndGet();
                return next(channel.previousAnswer);
            }
            if (!continuation.equals(channel.currentToken)) {
                fencedRequests.incrementAndGet();
                LOG.debug("refused rows for {} with a superseded continuation token {} (current generation {})",
                        route.channel(), continuation, channel.generation);
                return new Answer(400, errorBody(STALE_CONTINUATION_TOKEN, "The continuation token of channel '"
                        + route.channel() + "' is stale: the channel was reopened by another writer. Reopen the channel."));
            }
            if (channel.mustReopen) {
                return new Answer(400, errorBody(MUST_REOPEN, "Channel '" + route.channel() + "' must be reopened."));
            }
            generation = channel.generation;
        }
        rowsRequests.incrementAndGet();
        Optional<EmulatedTable> table = tables.find(channel.tableRef);
        if (table.isEmpty()) {
            return new Answer(404, errorBody("ERR_TABLE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED", "Table '" + channel.table
                    + "' does not exist or not authorized."));
        }
        HpPipes.Pipe pipe = pipes.find(channel.pipe).orElse(null);
        List<Piece> pieces = new ArrayList<>();
        if (files) {
            try {
                for (JsonNode fragment : HttpJson.MAPPER.readTree(raw)) {
                    byte[] body = files().fragment(fragment);
                    bytesReceived.addAndGet(body.length);
                    JsonNode end = fragment.get("fragment_end_offset_token");
                    pieces.add(new Piece(parse(body, table.get(), pipe), end == null || end.isNull() ? null : end.asText()));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("emulator could not read the files of a filebuffer request for {}: {}", route.channel(), e.toString());
                return new Answer(400, errorBody("ERR_FILE_NOT_READABLE", "The registered file fragment could not be"
                        + " read: " + e.getMessage()));
            }
        } else {
            byte[] body = decode(raw, exchange.getRequestHeaders().getFirst("Content-Encoding"));
            bytesReceived.addAndGet(body.length);
            pieces.add(new Piece(parse(body, table.get(), pipe), offsetToken.isEmpty() ? null : offsetToken));
        }
        synchronized (this) {
            if (channel.generation != generation || !continuation.equals(channel.currentToken)) {
                fencedRequests.incrementAndGet();
                return new Answer(400, errorBody(STALE_CONTINUATION_TOKEN, "The channel '" + route.channel()
                        + "' was reopened while this request was read. Reopen the channel."));
            }
            String next = channel.nextToken();
            channel.previousToken = continuation;
            channel.previousAnswer = next;
            channel.currentToken = next;
            for (Piece piece : pieces) {
                Parsed parsed = piece.parsed();
                Delayed d = new Delayed(channel, generation, parsed.rows(), parsed.lines(), parsed.errors(),
                        parsed.firstError(), piece.offsetToken());
                Duration delay = commitDelay;
                if (delay.isZero() && delayed.isEmpty()) {
                    apply(d);
                } else {
                    delayed.add(d);
                    COMMITTER.schedule(() -> applyUpTo(d), delay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            return next(next);
        }
    }

    private static Answer next(String token) {
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        node.put("next_continuation_token", token);
        return new Answer(200, node);
    }

    private static byte[] decode(byte[] raw, String encoding) throws IOException {
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return raw;
        }
        if (!encoding.equalsIgnoreCase("zstd")) {
            throw new IOException("unsupported Content-Encoding " + encoding);
        }
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        }
    }

    /** The rows of a request that passed the table's checks, how many lines it had, and what failed. */
    private record Parsed(List<Map<String, JsonNode>> rows, int lines, int errors, String firstError) {
    }

    /** The rows of a request body (NDJSON), through the pipe's {@code SELECT} when a user created it (else null). */
    private static Parsed parse(byte[] body, EmulatedTable table, HpPipes.Pipe pipe) {
        boolean retain = table.retainsRows();
        List<ColumnDef> columns = table.columns();
        List<Map<String, JsonNode>> rows = new ArrayList<>();
        int lines = 0;
        int errors = 0;
        String firstError = null;
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i < body.length && body[i] != '\n') {
                continue;
            }
            if (i > start) {
                lines++;
                if (retain) {
                    try {
                        JsonNode row = ROWS.readTree(body, start, i - start);
                        rows.add(check(pipe == null ? row : pipe.transform(row), columns, table));
                    } catch (IOException | IllegalArgumentException e) {
                        errors++;
                        if (firstError == null) {
                            firstError = "row " + (lines - 1) + " of the request: " + e.getMessage();
                        }
                    }
                }
            }
            start = i + 1;
        }
        return new Parsed(rows, lines, errors, firstError);
    }

    /** A row as the default pipe loads it: keys matched to columns by name, values checked by type. */
    private static Map<String, JsonNode> check(JsonNode row, List<ColumnDef> columns, EmulatedTable table) {
        if (!row.isObject()) {
            throw new IllegalArgumentException("a row must be a JSON object, was " + row.getNodeType());
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : row.properties()) {
            ColumnDef c = table.column(field.getKey());
            if (c == null) {
                c = table.column("\"" + field.getKey().replace("\"", "\"\"") + "\"");
            }
            if (c == null) {
                throw new IllegalArgumentException("the table has no column named " + field.getKey());
            }
            out.put(c.name(), PipeColumns.load(c, field.getValue())); // converted to the column's type, or refused
        }
        for (ColumnDef c : columns) {
            if (!c.nullable() && (out.get(c.name()) == null || out.get(c.name()).isNull())) {
                throw new IllegalArgumentException("NULL result in a non-nullable column " + c.name());
            }
        }
        return out;
    }

    /** Applies every delayed request up to and including {@code last}, in order. */
    private synchronized void applyUpTo(Delayed last) {
        while (!delayed.isEmpty() && delayed.contains(last)) {
            apply(delayed.remove(0));
        }
    }

    /** Applies the channel's delayed requests (and every earlier one, to keep order). Caller holds the lock. */
    private void applyDelayed(Channel channel) {
        int lastOfChannel = -1;
        for (int i = 0; i < delayed.size(); i++) {
            if (delayed.get(i).channel() == channel) {
                lastOfChannel = i;
            }
        }
        for (int i = 0; i <= lastOfChannel; i++) {
            apply(delayed.remove(0));
        }
    }

    /** Inserts a request's rows and commits its token. Caller holds the lock. */
    private void apply(Delayed d) {
        Channel channel = d.channel();
        Optional<EmulatedTable> table = tables.find(channel.tableRef);
        if (table.isEmpty()) {
            LOG.warn("emulator: table {} was dropped before its rows committed", channel.table);
            return;
        }
        if (table.get().retainsRows()) {
            if (!d.rows().isEmpty()) {
                table.get().insert(d.rows());
            }
        } else {
            table.get().count(d.counted());
        }
        rowsReceived.addAndGet(d.counted());
        channel.rowsParsed += d.counted();
        channel.rowsInserted += d.counted() - d.errors();
        if (d.errors() > 0) {
            rowErrors.addAndGet(d.errors());
            channel.rowsErrors += d.errors();
            channel.lastErrorUpperBound = d.offsetToken();
            channel.lastErrorMessage = d.errorMessage();
            channel.lastErrorMs = System.currentTimeMillis();
        }
        if (d.offsetToken() != null) {
            channel.committedToken = d.offsetToken();
        }
    }

    private String defaultPipe(String qualifiedTable) {
        List<String> parts = Identifiers.split(qualifiedTable);
        if (parts.size() != 3) {
            throw new IllegalArgumentException("name tables as DB.SCHEMA.TABLE, was " + qualifiedTable);
        }
        return parts.get(0) + "." + parts.get(1) + "." + parts.get(2) + DEFAULT_PIPE_SUFFIX;
    }

    private String tableKey(String qualifiedTable) {
        return tables.find(qualifiedTable).map(EmulatedTable::name).orElse(String.join(".", Identifiers.split(qualifiedTable)));
    }

    /** Channel names known for a pipe (for diagnostics). */
    synchronized Set<String> channelKeys() {
        return Set.copyOf(channels.keySet());
    }
}
