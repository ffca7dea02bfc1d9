package io.ksbridge.testkit;

import io.ksbridge.Secret;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An emulator that trusts one encrypted private key, and the two ways a user hands that key to a backend: as PEM
 * with a passphrase ({@link #pemAccount()}), and as the connector's one-line base64 body in connector properties
 * ({@link #connectorAccount(Map)}). For tests that prove a backend signs in with keys made as Snowflake's key-pair
 * guide makes them ({@code openssl pkcs8 -topk8 -v2 des3}). Close it to stop the emulator.
 */
public final class EncryptedKeyScenario implements AutoCloseable {
    /** The scenario of each running {@link EncryptedKeyContract} test instance. */
    private static final Map<EncryptedKeyContract, EncryptedKeyScenario> RUNNING = new java.util.concurrent.ConcurrentHashMap<>();

    private final String pem;
    private final String passphrase;
    private final SnowflakeEmulator emulator;

    private EncryptedKeyScenario(String pem, String passphrase, SnowflakeEmulator emulator) {
        this.pem = pem;
        this.passphrase = passphrase;
        this.emulator = emulator;
    }

    /**
     * Starts an emulator whose user signs in with the encrypted PKCS#8 key in {@code pemFile}.
     *
     * @param pemFile    the key, PEM ({@code BEGIN ENCRYPTED PRIVATE KEY}), never null
     * @param passphrase its passphrase, never null
     * @return the running scenario, never null
     * @throws UncheckedIOException when the file cannot be read
     */
    public static EncryptedKeyScenario start(Path pemFile, String passphrase) {
        Objects.requireNonNull(passphrase, "passphrase must not be null");
        String pem;
        try {
            pem = Files.readString(pemFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key " + pemFile, e);
        }
        SnowflakeAccount decoded = SnowflakeAccount.builder().url("http://127.0.0.1:1").allowInsecureHttp().user("any")
                .privateKey(Secret.of(pem)).passphrase(Secret.of(passphrase)).build();
        SnowflakeEmulator emulator = SnowflakeEmulator.builder()
                .keyPair(new KeyPair(decoded.publicKey(), decoded.privateKey())).start();
        return new EncryptedKeyScenario(pem, passphrase, emulator);
    }

    /** The emulator. Never null. */
    public SnowflakeEmulator emulator() {
        return emulator;
    }

    /** The emulator's account, signing in with the key as PEM and its passphrase. Never null. */
    public SnowflakeAccount pemAccount() {
        return SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                .role(SnowflakeEmulator.ROLE).privateKey(Secret.of(pem)).passphrase(Secret.of(passphrase)).build();
    }

    /**
     * The emulator's account as {@link BridgeConfig#account()} makes it from connector properties that give the key
     * as the connector takes it: its base64 body on one line, with {@code snowflake.private.key.passphrase}.
     *
     * @param more further connector properties (for example {@code snowflake.ingestion.method}), never null
     * @return the account, never null
     */
    public SnowflakeAccount connectorAccount(Map<String, String> more) {
        Map<String, String> props = new HashMap<>(more);
        props.put(BridgeConfig.URL, emulator.url());
        props.put(BridgeConfig.ALLOW_INSECURE_HTTP, "true");
        props.put(BridgeConfig.USER, SnowflakeEmulator.USER);
        props.put(BridgeConfig.ROLE, SnowflakeEmulator.ROLE);
        props.put(BridgeConfig.PRIVATE_KEY, pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat));
        props.put(BridgeConfig.PRIVATE_KEY_PASSPHRASE, passphrase);
        return BridgeConfig.from(props).account();
    }

    /**
     * The {@code id} of every row of {@code table}, sorted ({@link TestRows#ids(SnowflakeEmulator, String)}).
     *
     * @param table {@code DB.SCHEMA.TABLE}, never null
     * @return a new list, never null
     */
    public List<Long> ids(String table) {
        return TestRows.ids(emulator, table);
    }

    /** The scenario of a contract test instance, started on first use. */
    static EncryptedKeyScenario of(EncryptedKeyContract test, java.util.function.Supplier<EncryptedKeyScenario> start) {
        return RUNNING.computeIfAbsent(test, t -> start.get());
    }

    /** Closes and forgets a contract test instance's scenario, if it started one. */
    static void release(EncryptedKeyContract test) {
        EncryptedKeyScenario s = RUNNING.remove(test);
        if (s != null) {
            s.close();
        }
    }

    /** Stops the emulator. */
    @Override
    public void close() {
        emulator.close();
    }
}
