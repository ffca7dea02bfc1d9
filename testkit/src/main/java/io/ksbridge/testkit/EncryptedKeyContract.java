package io.ksbridge.testkit;

import io.ksbridge.snowflake.SnowflakeAccount;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The tests every backend runs with an encrypted private key: it signs in with the key given as PEM with its
 * passphrase, and as the connector's one-line body in connector properties, and loads rows each time. A test class
 * implements {@link #startKeys()} (one {@link EncryptedKeyScenario} for the class, closed after its tests) and
 * {@link #load}; the class gets one instance for all its tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public interface EncryptedKeyContract {

    /**
     * Starts the class's scenario (for example {@code EncryptedKeyScenario.start(keyFile, passphrase)}); called once,
     * before the first test that needs it.
     *
     * @return the scenario, never null
     */
    EncryptedKeyScenario startKeys();

    /** The class's scenario: the emulator trusting the key, started by {@link #startKeys()}. Never null. */
    default EncryptedKeyScenario keys() {
        return EncryptedKeyScenario.of(this, this::startKeys);
    }

    /**
     * Builds the backend with {@code account}, loads rows into {@code table} and asserts they landed.
     *
     * @param account the account signing in with the encrypted key, never null
     * @param table   the table, a different one per test, never null
     * @throws Exception when the load fails
     */
    void load(SnowflakeAccount account, String table) throws Exception;

    /** Connector properties the backend needs besides the account's (for example the ingestion method). */
    default Map<String, String> connectorProperties() {
        return Map.of();
    }

    /** The key as PEM with its passphrase. */
    @Test
    default void backend_encryptedPemKey_signsInAndLoadsRows() throws Exception {
        load(keys().pemAccount(), "PEM_KEY");
    }

    /** The key as the connector's one-line base64 body, with {@code snowflake.private.key.passphrase}. */
    @Test
    default void backend_encryptedOneLineBodyFromConnectorProperties_signsInAndLoadsRows() throws Exception {
        load(keys().connectorAccount(connectorProperties()), "BODY_KEY");
    }

    /** Stops the scenario's emulator. */
    @AfterAll
    default void closeKeys() {
        EncryptedKeyScenario.release(this);
    }
}
