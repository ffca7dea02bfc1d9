package io.ksbridge.testkit.emulator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Everything behind {@link io.ksbridge.testkit.SnowflakeEmulator}, wired together: the HTTP server, the JWT check,
 * faults, tables, stages, and the SQL, Snowpipe and JDBC services mounted at {@code /api/v2/statements},
 * {@code /v1/data/pipes/}, {@code /session} and {@code /queries/}. Thread-safe. Users go through {@code SnowflakeEmulator}; this class exists so the
 * emulator's parts can stay in this package.
 */
public final class EmulatorCore implements AutoCloseable {
    private final Faults faults = new Faults();
    private final TableStore tables = new TableStore();
    private final ChangeStore changes = new ChangeStore();
    private final StageStore stages;
    private final EmulatorHttpServer server;
    private final JwtVerifier jwt;
    private final SnowpipeService snowpipe;
    private final List<Supplier<List<String>>> workSources = new CopyOnWriteArrayList<>();
    private final JdbcService jdbcService;
    private final SqlService sql;

    /**
     * Starts the server on an ephemeral port of 127.0.0.1.
     *
     * @param stageRoot the folder stages keep their files in, never null
     * @param jwt       the JWT check for every service, never null
     * @param user      the user the JDBC driver signs in as, never null
     * @throws IOException when the server cannot start
     */
    public EmulatorCore(Path stageRoot, JwtVerifier jwt, String user) throws IOException {
        this(stageRoot, jwt, user, 0);
    }

    /**
     * As {@link #EmulatorCore(Path, JwtVerifier, String)}, on a given port of 127.0.0.1 (0: an ephemeral one).
     *
     * @throws IOException when the port cannot be bound
     */
    public EmulatorCore(Path stageRoot, JwtVerifier jwt, String user, int port) throws IOException {
        this.stages = new StageStore(Objects.requireNonNull(stageRoot, "stageRoot must not be null"));
        this.jwt = Objects.requireNonNull(jwt, "jwt must not be null");
        this.server = new EmulatorHttpServer(faults, port);
        this.snowpipe = new SnowpipeService(tables, stages, faults, jwt);
        SqlService sql = new SqlService(tables, stages, snowpipe, jwt, changes);
        this.sql = sql;
        server.mount(SqlService.PREFIX, sql);
        server.mount(SnowpipeService.PREFIX, snowpipe);
        this.jdbcService = new JdbcService(sql, stages, jwt, Objects.requireNonNull(user, "user must not be null"),
                "http://127.0.0.1:" + server.port());
        server.mount(JdbcService.SESSION_PREFIX, jdbcService);
        server.mount(JdbcService.QUERIES_PREFIX, jdbcService);
        server.mount(JdbcService.UPLOAD_PREFIX, jdbcService);
    }

    /**
     * Answers {@code SELECT name('...', ...)} over the SQL API (and JDBC) with {@code function}.
     *
     * @param name     the function's name, {@code SYSTEM$...}, any case
     * @param function the function, never null
     */
    public void systemFunction(String name, SystemFunction function) {
        if (!name.toUpperCase(Locale.ROOT).startsWith("SYSTEM$")) {
            throw new IllegalArgumentException("system functions are named SYSTEM$..., was " + name);
        }
        sql.systemFunction(name, function);
    }

    /** Hands the high-performance architecture's {@code CREATE PIPE}s to {@code pipes} (see {@link StreamingPipes}). */
    public void streamingPipes(StreamingPipes pipes) {
        sql.streamingPipes(pipes);
    }

    /** The HTTP server (to mount more services). */
    public EmulatorHttpServer server() {
        return server;
    }

    /** The JWT check every service uses. */
    public JwtVerifier jwt() {
        return jwt;
    }

    /** The fault plan applied to every request. */
    public Faults faults() {
        return faults;
    }

    /** The tables. */
    public TableStore tables() {
        return tables;
    }

    /** The change-tracking model: versioned tables, streams, its clock and statement faults. */
    public ChangeStore changes() {
        return changes;
    }

    /** The stages. */
    public StageStore stages() {
        return stages;
    }

    /**
     * A pipe's load history.
     *
     * @param qualifiedPipe {@code DB.SCHEMA.PIPE}
     * @throws java.util.NoSuchElementException when there is no such pipe
     */
    public List<SnowflakeLoad> loadHistory(String qualifiedPipe) {
        return snowpipe.history(TableStore.key(qualifiedPipe));
    }

    /** The resolved names of every pipe. */
    public List<String> pipes() {
        return snowpipe.pipeNames();
    }

    /**
     * Adds a source of background work for {@link #pendingWork()}: a mounted service's work done outside requests.
     *
     * @param source answers one line per piece of pending work, an empty list when there is none; never null
     */
    public void addWorkSource(Supplier<List<String>> source) {
        workSources.add(Objects.requireNonNull(source, "source must not be null"));
    }

    /**
     * Everything the emulator has still to do, one line each: requests being handled, Snowpipe files submitted and
     * not loaded, and the work of mounted services (delayed Streaming commits). Empty when the emulator is idle.
     */
    public List<String> pendingWork() {
        List<String> out = new ArrayList<>();
        for (String request : server.inFlightRequests()) {
            out.add("request in flight: " + request);
        }
        out.addAll(snowpipe.pendingWork());
        for (Supplier<List<String>> source : workSources) {
            out.addAll(source.get());
        }
        return out;
    }

    /** Every JDBC driver login accepted so far, oldest first. */
    public List<JdbcLogin> jdbcLogins() {
        return jdbcService.logins();
    }

    /** Every {@code PUT} answered for the JDBC driver so far, oldest first. */
    public List<JdbcPut> jdbcPuts() {
        return jdbcService.puts();
    }

    /**
     * How the JDBC front end answers {@code PUT}: false (default) as a {@code LOCAL_FS} stage, the driver copying
     * into the stage's folder; true as a GCS stage with presigned URLs back to the emulator and encryption material.
     */
    public void cloudStyleStages(boolean on) {
        jdbcService.cloudStages(on);
    }

    /** JDBC sessions signed in and not closed. */
    public int jdbcSessions() {
        return jdbcService.openSessions();
    }

    /** Stops the server and the loader. Idempotent. */
    @Override
    public void close() {
        snowpipe.close();
        server.close();
    }
}
