package io.ksbridge.testkit;

import com.sun.net.httpserver.HttpHandler;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.AccessTokenProvider;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.emulator.EmulatedTable;
import io.ksbridge.testkit.emulator.EmulatorCore;
import io.ksbridge.testkit.emulator.Faults;
import io.ksbridge.testkit.emulator.JdbcLogin;
import io.ksbridge.testkit.emulator.JdbcPut;
import io.ksbridge.testkit.emulator.JwtVerifier;
import io.ksbridge.testkit.emulator.OAuthServer;
import io.ksbridge.testkit.emulator.SnowflakeLoad;
import io.ksbridge.testkit.emulator.StageStore;
import io.ksbridge.testkit.emulator.TableStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A local stand-in for Snowflake, for tests and the quickstart: an HTTP server on {@code 127.0.0.1} that checks
 * key-pair JWTs and serves the SQL REST API statements the backends send, the Snowpipe REST API
 * ({@code insertFiles}, {@code insertReport}, {@code loadHistoryScan}) with pipes that load staged JSON files,
 * Snowflake's JDBC driver's own protocol (login, statements, {@code PUT}/{@code GET} on stages;
 * connect with {@code jdbc:snowflake://127.0.0.1:<port>}, {@code ssl=off}, {@code account=127},
 * {@code authenticator=SNOWFLAKE_JWT} and {@link #privateKey()}), and fault injection. Tables are read back with {@link #table(String)}:
 * <pre>{@code
 * try (SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
 *     IngestBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("PUBLIC").build();
 *     ...
 *     List<Row> rows = snowflake.table("DB.PUBLIC.ORDERS").rows();  // row.content(), row.metadata() as JSON
 * }
 * }</pre>
 *
 * <p>Names resolve as Snowflake resolves unquoted identifiers: {@code db.public.orders} is {@code DB.PUBLIC.ORDERS}.
 * Every database and schema exists. Internal stages are folders under {@link #stageRoot()}; a JDBC {@code PUT} is
 * answered as a {@code LOCAL_FS} stage, so the driver copies the file into that folder itself, or as a cloud stage
 * (see {@link #cloudStyleStages}).
 *
 * <p>It is a model built from Snowflake's documented behaviour and its clients' request and response shapes, not
 * Snowflake: it proves a client drives the APIs correctly, not that Snowflake accepts the data.
 *
 * <p>OAuth: the emulator is also an OAuth authorization server ({@link #oauth()}, at
 * {@link #oauthTokenEndpoint()}) for the clients registered with {@link Builder#oauthClient}, and every route that
 * checks key-pair JWTs accepts the access tokens it issued ({@code X-Snowflake-Authorization-Token-Type: OAUTH}),
 * refusing expired, foreign and tampered ones with Snowflake's codes.
 *
 * <p>Snowpipe Streaming's high-performance protocol ({@code /v2/streaming}) is always served, see
 * {@link io.ksbridge.testkit.streaminghp.HpStreamingService}.
 *
 * <p>Thread-safe. Other services (Snowpipe Streaming) plug in with {@link #mount} and use {@link #jwt()},
 * {@link #tables()} and {@link #faults()}.
 */
public final class SnowflakeEmulator implements AutoCloseable {
    /** The user the emulator's account signs in as. */
    public static final String USER = "KSBRIDGE";
    /** The role the emulator's account uses. */
    public static final String ROLE = "KSBRIDGE_ROLE";

    private final Path root;
    private final boolean ownsRoot;
    private final KeyPair keyPair;
    private final EmulatorCore core;
    private final SnowflakeAccount account;
    private final OAuthServer oauth;

    private SnowflakeEmulator(Path root, boolean ownsRoot, KeyPair given) throws IOException {
        this(root, ownsRoot, given, null);
    }

    private SnowflakeEmulator(Path root, boolean ownsRoot, KeyPair given, Builder options) throws IOException {
        this.root = root;
        this.ownsRoot = ownsRoot;
        this.keyPair = given != null ? given : newKeyPair();
        String url = "http://127.0.0.1";
        // the account name Snowflake's clients derive from http://127.0.0.1:port is "127"
        String accountName = "127";
        JwtVerifier jwt = new JwtVerifier(accountName, USER, keyPair.getPublic());
        this.core = new EmulatorCore(root.resolve("stages"), jwt, USER, options == null ? 0 : options.port);
        this.account = SnowflakeAccount.builder()
                .url(url + ":" + core.server().port())
                .allowInsecureHttp()
                .user(USER)
                .role(ROLE)
                .privateKey(Secret.of(pem(keyPair.getPrivate())))
                .build();
        this.oauth = new OAuthServer(USER, jwt::now);
        if (options != null) {
            options.oauthClients.forEach(c -> oauth.register(c.id(), c.secret(), c.refreshToken()));
            if (options.oauthTokenLifetime != null) {
                oauth.tokenLifetime(options.oauthTokenLifetime);
            }
        }
        jwt.acceptOAuth(oauth);
        core.server().mount(OAuthServer.PATH, oauth);
        io.ksbridge.testkit.streaming.StreamingService.attachIfSdkPresent(this); // /v1/streaming/, /telemetry/
        io.ksbridge.testkit.streaminghp.HpStreamingService.of(this); // /v2/streaming/, /oauth/token, /telemetry/
    }

    /**
     * Starts an emulator on an ephemeral port, with stages in a new temporary folder deleted by {@link #close()}.
     *
     * @throws UncheckedIOException when the server cannot start
     */
    public static SnowflakeEmulator start() {
        try {
            return new SnowflakeEmulator(Files.createTempDirectory("snowflake-emulator-"), true, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Snowflake emulator", e);
        }
    }

    /**
     * A builder for an emulator with a given key pair or stage folder; {@link #start()} and {@link #start(Path)} are
     * its two common cases. Not thread-safe.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts an emulator whose stages live under {@code root} (kept after {@link #close()}).
     *
     * @throws UncheckedIOException when the server cannot start
     */
    public static SnowflakeEmulator start(Path root) {
        Objects.requireNonNull(root, "root must not be null");
        try {
            Files.createDirectories(root);
            return new SnowflakeEmulator(root, false, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Snowflake emulator", e);
        }
    }

    /**
     * An account pointing at this emulator ({@code http://127.0.0.1:<port>}, user {@link #USER}, role {@link #ROLE})
     * with the key pair the emulator trusts. Never null.
     */
    public SnowflakeAccount account() {
        return account;
    }

    /**
     * An account pointing at this emulator (user {@link #USER}, role {@link #ROLE}) that signs in with OAuth access
     * tokens from {@code tokens} instead of the key pair. Never null.
     *
     * @param tokens the token provider, for example an {@link io.ksbridge.snowflake.OAuthTokenClient} on
     *               {@link #oauthTokenEndpoint()} for a client registered with {@link Builder#oauthClient}
     */
    public SnowflakeAccount oauthAccount(AccessTokenProvider tokens) {
        return SnowflakeAccount.builder().url(url()).allowInsecureHttp().user(USER).role(ROLE).oauth(tokens).build();
    }

    /** The emulator's OAuth authorization server: registered clients, issued tokens, revocation. */
    public OAuthServer oauth() {
        return oauth;
    }

    /** The emulator's OAuth token endpoint, {@code http://127.0.0.1:<port>/oauth/token-request}. */
    public URI oauthTokenEndpoint() {
        return URI.create(url() + OAuthServer.PATH);
    }

    /** The emulator's URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return account.url().toString();
    }

    /** The port the emulator listens on. */
    public int port() {
        return core.server().port();
    }

    /** The private key the emulator trusts, PKCS#8 PEM, for building accounts or SDK clients by hand. */
    public Secret privateKeyPem() {
        return Secret.of(pem(keyPair.getPrivate()));
    }

    /** The private key the emulator trusts. */
    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /**
     * A table, for reading back what landed.
     *
     * @param qualifiedName {@code DB.SCHEMA.TABLE}; unquoted parts match case-insensitively
     * @throws java.util.NoSuchElementException naming the tables that exist, when there is no such table
     */
    public EmulatedTable table(String qualifiedName) {
        return core.tables().get(qualifiedName);
    }

    /** Every table. */
    public TableStore tables() {
        return core.tables();
    }

    /**
     * The change-tracking model: versioned source tables ({@link io.ksbridge.testkit.emulator.ChangeStore#createTable}),
     * the streams on them, the clock that stamps versions and judges staleness, and faults aimed at statements. What a
     * {@code SnowflakeToKafkaBridge} reads.
     */
    public io.ksbridge.testkit.emulator.ChangeStore changes() {
        return core.changes();
    }

    /** The internal stages (folders on disk). */
    public StageStore stages() {
        return core.stages();
    }

    /** The folder every stage lives under. */
    public Path stageRoot() {
        return root.resolve("stages");
    }

    /**
     * A stage's files.
     *
     * @param qualifiedStage {@code DB.SCHEMA.STAGE}, or {@code DB.SCHEMA."%TABLE"} for a table stage
     */
    public List<StageStore.StagedFile> stageFiles(String qualifiedStage) {
        return core.stages().list(qualifiedStage, "");
    }

    /** A pipe's load history, in submission order. */
    public List<SnowflakeLoad> loadHistory(String qualifiedPipe) {
        return core.loadHistory(qualifiedPipe);
    }

    /** The resolved names of every pipe. */
    public List<String> pipes() {
        return core.pipes();
    }

    /**
     * Every login of Snowflake's JDBC driver the emulator accepted, oldest first: who signed in, with which driver,
     * and the client environment it reported. Never null.
     */
    public List<JdbcLogin> jdbcLogins() {
        return core.jdbcLogins();
    }

    /**
     * Every {@code PUT} the emulator answered for Snowflake's JDBC driver, oldest first ({@code uploadStream} sends
     * one per file). Never null.
     */
    public List<JdbcPut> jdbcPuts() {
        return core.jdbcPuts();
    }

    /**
     * How the JDBC front end answers a {@code PUT}. Off (the default): as a {@code LOCAL_FS} stage; the driver copies
     * the file into the stage's folder itself, one request a file. That copy is not atomic: a client killed mid-copy
     * leaves a partial file under the final name, which Snowflake's cloud storage never shows. On: as Snowflake
     * answers for a GCS stage, with a presigned upload URL pointing back at the emulator and real encryption material;
     * the driver encrypts each file and sends it in one HTTP request, and the emulator decrypts it onto the stage once
     * the whole body has arrived and matches the driver's digest (a file appears whole or not at all). Snowflake's
     * Kafka connector needs this mode (it refuses {@code LOCAL_FS}); {@code uploadStream} works either way. Takes
     * effect for the next {@code PUT}.
     */
    public void cloudStyleStages(boolean on) {
        core.cloudStyleStages(on);
    }

    /** How many JDBC sessions are signed in and not closed. */
    public int jdbcSessions() {
        return core.jdbcSessions();
    }

    /** The fault plan applied to every request (mounted services included). */
    public Faults faults() {
        return core.faults();
    }

    /** The JWT check; mounted services call {@link JwtVerifier#authenticate} on each request. */
    public JwtVerifier jwt() {
        return core.jwt();
    }

    /**
     * Moves the emulator's clock for JWT and OAuth token checks (and the expiry of OAuth tokens it issues):
     * {@code Duration.ofHours(2)} makes every token a client signs now look expired.
     */
    public void clockSkew(Duration skew) {
        core.jwt().clockSkew(skew);
    }

    /**
     * How many requests arrived for paths starting with {@code pathPrefix}, injected faults included. The prefix is
     * compared character by character with each request's path (without its query), at any depth:
     * {@code "/v1/data/pipes/DB.PUBLIC.P/insertFiles"} counts that pipe's {@code insertFiles} calls, {@code "/"}
     * counts every request.
     *
     * @param pathPrefix a path prefix, never null
     * @return the number of requests so far, 0 when none matched
     */
    public long requestCount(String pathPrefix) {
        return core.server().requestCount(pathPrefix);
    }

    /**
     * Answers {@code SELECT SYSTEM$NAME('...', ...)} (SQL API and JDBC) with {@code function}: how a mounted service
     * adds a system function of its own.
     *
     * @param name     {@code SYSTEM$...}, any case
     * @param function the function, never null
     */
    public void systemFunction(String name, io.ksbridge.testkit.emulator.SystemFunction function) {
        core.systemFunction(name, function);
    }

    /** Hands the high-performance architecture's {@code CREATE PIPE}s to {@code pipes} (a mounted service's). */
    public void streamingPipes(io.ksbridge.testkit.emulator.StreamingPipes pipes) {
        core.streamingPipes(pipes);
    }

    /**
     * Serves every path starting with {@code prefix} with {@code handler} (the longest prefix wins). Faults apply
     * to it like to the built-in services; the handler authenticates with {@link #jwt()} itself.
     *
     * @param prefix  a path prefix starting with {@code /}, for example {@code /v1/streaming/}
     * @param handler the handler, never null
     */
    public void mount(String prefix, HttpHandler handler) {
        core.server().mount(prefix, handler);
    }

    /**
     * Whether the emulator has nothing left to do at this moment: no request being handled, no Snowpipe file
     * submitted and not yet loaded (held loads included), no delayed Streaming commit waiting, nor other work a
     * mounted service reports (see {@link #addWorkSource}).
     *
     * <p>It sees only the emulator's side. Work a client still holds (rows buffered in the Streaming SDK, a file a
     * backend has not submitted yet) is not visible here: wait for the client first (its offsets, its close), then
     * for the emulator, then assert that nothing more landed.
     */
    public boolean isIdle() {
        return core.pendingWork().isEmpty();
    }

    /**
     * What keeps the emulator from being idle, one line each (for example {@code request in flight: POST /v1/...} or
     * {@code Snowpipe: 2 file(s) of pipe DB.PUBLIC.P not loaded yet: a.json.gz, b.json.gz}); empty when idle.
     */
    public List<String> pendingWork() {
        return core.pendingWork();
    }

    /**
     * Waits until the emulator is idle (see {@link #isIdle()}): every Snowpipe load submitted has finished, every
     * delayed commit taken effect, every request been answered. Use it before asserting that something did not
     * happen, instead of sleeping.
     *
     * @param timeout how long to wait at most, never null
     * @throws AssertionError when it is still busy after {@code timeout}, naming what is still pending
     * @throws InterruptedException when interrupted while waiting
     */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout must not be null");
        java.util.concurrent.atomic.AtomicReference<List<String>> last = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until(timeout, () -> {
            last.set(core.pendingWork());
            return last.get().isEmpty();
        }, () -> "the Snowflake emulator to be idle; still pending: " + String.join("; ", last.get()));
    }

    /**
     * Adds work that keeps the emulator from being {@linkplain #isIdle() idle}: for a service plugged in with
     * {@link #mount}, the work it does outside requests (Snowpipe Streaming's delayed commits use it).
     *
     * @param source answers one line per piece of pending work, naming it, or an empty list when there is none;
     *               called from any thread, never null
     */
    public void addWorkSource(java.util.function.Supplier<List<String>> source) {
        core.addWorkSource(source);
    }

    /** Stops the emulator and deletes its temporary folder (when it made one). Idempotent. */
    @Override
    public void close() {
        core.close();
        if (ownsRoot) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temporary folder
            }
        }
    }

    @Override
    public String toString() {
        return "SnowflakeEmulator{" + url() + ", tables=" + core.tables().names() + "}";
    }

    /**
     * Starts a {@link SnowflakeEmulator} with chosen settings:
     * <pre>{@code
     * SnowflakeAccount mine = SnowflakeAccount.builder()...privateKey(Secret.of(encryptedPem)).passphrase(pass).build();
     * try (SnowflakeEmulator snowflake = SnowflakeEmulator.builder()
     *         .keyPair(new KeyPair(mine.publicKey(), mine.privateKey())).start()) {
     *     // an account built from the same key file, url(snowflake.url()).allowInsecureHttp(), user(SnowflakeEmulator.USER), signs in
     * }
     * }</pre>
     * Mutable, not thread-safe; may start several emulators.
     */
    public static final class Builder {
        private record OAuthClient(String id, Secret secret, Secret refreshToken) {
        }

        private Path root;
        private KeyPair keyPair;
        private final List<OAuthClient> oauthClients = new ArrayList<>();
        private Duration oauthTokenLifetime;
        private int port;

        private Builder() {
        }

        /**
         * The port of 127.0.0.1 the emulator listens on. Default 0: an ephemeral one. A fixed port is for a client JVM
         * that must know it before it starts (the high-performance Streaming SDK's file mode takes its upload endpoint
         * from the {@code AWS_ENDPOINT_URL} environment variable only).
         *
         * @throws IllegalArgumentException if port is not 0 to 65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Registers an OAuth client with the emulator's authorization server: it gets access tokens for {@link SnowflakeEmulator#USER}
         * with the {@code client_credentials} grant at {@link SnowflakeEmulator#oauthTokenEndpoint()}. Optional; may
         * be called for several clients.
         *
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if an argument is empty
         */
        public Builder oauthClient(String clientId, Secret clientSecret) {
            return add(clientId, clientSecret, null);
        }

        /**
         * As {@link #oauthClient(String, Secret)}, and the client may also use the {@code refresh_token} grant with
         * {@code refreshToken} (as Snowflake OAuth clients and the ingest SDK's Streaming client do).
         *
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if an argument is empty
         */
        public Builder oauthClient(String clientId, Secret clientSecret, Secret refreshToken) {
            return add(clientId, clientSecret, Objects.requireNonNull(refreshToken, "refreshToken must not be null"));
        }

        private Builder add(String clientId, Secret clientSecret, Secret refreshToken) {
            Objects.requireNonNull(clientId, "clientId must not be null");
            Objects.requireNonNull(clientSecret, "clientSecret must not be null");
            if (clientId.isBlank() || clientSecret.isEmpty() || refreshToken != null && refreshToken.isEmpty()) {
                throw new IllegalArgumentException("clientId, clientSecret and refreshToken must not be empty");
            }
            oauthClients.add(new OAuthClient(clientId, clientSecret, refreshToken));
            return this;
        }

        /** How long the OAuth access tokens the emulator issues live. Default 10 minutes, as Snowflake OAuth's. */
        public Builder oauthTokenLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime must not be null");
            if (lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("oauthTokenLifetime must be > 0, was " + lifetime);
            }
            this.oauthTokenLifetime = lifetime;
            return this;
        }

        /**
         * The RSA key pair the emulator trusts for {@link #USER} (it verifies JWTs with the public key) and that
         * {@link SnowflakeEmulator#account()} signs with. Default: a new 2048-bit pair per emulator. Use it to prove
         * that a key written in some form (an encrypted PKCS#8 file, a connector's one-line body) authenticates:
         * decode it with {@link SnowflakeAccount.Builder#privateKey} and pass the pair here.
         *
         * @throws NullPointerException if keyPair or either of its keys is null
         * @throws IllegalArgumentException if the keys are not RSA
         */
        public Builder keyPair(KeyPair keyPair) {
            Objects.requireNonNull(keyPair, "keyPair must not be null");
            Objects.requireNonNull(keyPair.getPublic(), "keyPair's public key must not be null");
            Objects.requireNonNull(keyPair.getPrivate(), "keyPair's private key must not be null");
            if (!"RSA".equals(keyPair.getPublic().getAlgorithm()) || !"RSA".equals(keyPair.getPrivate().getAlgorithm())) {
                throw new IllegalArgumentException("keyPair must be an RSA key pair (Snowflake key-pair authentication),"
                        + " was " + keyPair.getPublic().getAlgorithm() + "/" + keyPair.getPrivate().getAlgorithm());
            }
            this.keyPair = keyPair;
            return this;
        }

        /**
         * The folder the emulator keeps its stages in (under {@code root/stages}, see
         * {@link SnowflakeEmulator#stageRoot()}), kept after {@link SnowflakeEmulator#close()}, as with
         * {@link SnowflakeEmulator#start(Path)}. Default: a new temporary folder, deleted by {@code close()}.
         *
         * @throws NullPointerException if root is null
         */
        public Builder root(Path root) {
            this.root = Objects.requireNonNull(root, "root must not be null");
            return this;
        }

        /**
         * Starts the emulator on an ephemeral port of 127.0.0.1.
         *
         * @throws UncheckedIOException when the server cannot start
         */
        public SnowflakeEmulator start() {
            try {
                if (root == null) {
                    return new SnowflakeEmulator(Files.createTempDirectory("snowflake-emulator-"), true, keyPair, this);
                }
                Files.createDirectories(root);
                return new SnowflakeEmulator(root, false, keyPair, this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Snowflake emulator", e);
            }
        }
    }

    /** A new 2048-bit RSA key pair, for tests that need a key the emulator does not trust. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#8 PEM text of a private key. */
    public static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
