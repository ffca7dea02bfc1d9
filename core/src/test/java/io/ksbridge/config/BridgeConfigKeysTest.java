package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.BridgeConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The OpenSSL test keys ({@code src/test/resources/keys}, see its README) written as connector users write
 * {@code snowflake.private.key}: the base64 body on one line, without the header lines, with
 * {@code snowflake.private.key.passphrase}.
 */
class BridgeConfigKeysTest {
    private static final String PASSPHRASE = "Qx7-wombat-Zq81-pelican";

    private static String resource(String name) {
        try (InputStream in = BridgeConfigKeysTest.class.getResourceAsStream("/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String oneLine(String pem) {
        return pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    }

    private static Map<String, String> connector(String key, String passphrase) {
        return Map.of("connector.class", "com.snowflake.kafka.connector.SnowflakeSinkConnector",
                "snowflake.url.name", "myorg-myaccount.snowflakecomputing.com:443",
                "snowflake.user.name", "loader", "snowflake.role.name", "INGEST",
                "snowflake.private.key", key, "snowflake.private.key.passphrase", passphrase,
                "snowflake.database.name", "RAW", "snowflake.schema.name", "KAFKA");
    }

    private static final PrivateKey PLAIN = BridgeConfig.from(connector(oneLine(resource("plain.p8")), "")).account()
            .privateKey();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pbes2-des3-sha256.p8", "pbes2-des3-sha1.p8", "pbes2-aes128-sha256.p8", "pbes2-aes128-sha1.p8",
            "pbes2-aes192-sha256.p8", "pbes2-aes256-sha256.p8", "pbes2-aes256-sha1.p8", "pbes2-aes256-sha512.p8",
            "scrypt-aes256.p8", "scrypt-des3.p8", "pbes1-sha1-3des.p8", "pbes1-md5-des.p8", "pbes1-sha1-des.p8",
            "pbes1-sha1-rc2-64.p8"})
    void account_connectorOneLineEncryptedKeyWithPassphrase_decodesToThePlainKey(String file) {
        String pem = resource(file);
        assertEquals(PLAIN, BridgeConfig.from(connector(oneLine(pem), PASSPHRASE)).account().privateKey(), file);
        assertEquals(PLAIN, BridgeConfig.from(connector(pem, PASSPHRASE)).account().privateKey(), file + " as PEM");
    }

    @Test
    void account_connectorOneLineEncryptedKeyWithoutPassphrase_oneProblemNamingThePassphraseKey() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> BridgeConfig.from(connector(oneLine(resource("pbes2-des3-sha256.p8")), "")).account());
        assertEquals("Invalid value null for setting snowflake.private.key.passphrase: the key is encrypted (PBES2"
                + " (PBKDF2 with HMAC-SHA256, DES-EDE3-CBC)) but no passphrase was given", e.getMessage());
    }

    @Test
    void account_connectorOneLinePlainKeyWithPassphrase_oneProblemNamingThePassphraseKey() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> BridgeConfig.from(connector(oneLine(resource("plain.p8")), PASSPHRASE)).account());
        assertEquals("Invalid value [hidden] for setting snowflake.private.key.passphrase: a passphrase was given but the"
                + " key is not encrypted (a plain PKCS#8 PrivateKeyInfo); remove the passphrase", e.getMessage());
    }

    @Test
    void account_connectorOneLineDes3KeyWrongPassphrase_saysThePassphraseDoesNotDecryptIt() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> BridgeConfig.from(connector(oneLine(resource("pbes2-des3-sha256.p8")), "wrong")).account());
        assertEquals("Invalid value [hidden] for setting snowflake.private.key.passphrase: the passphrase does not"
                + " decrypt this key", e.getMessage());
    }
}
