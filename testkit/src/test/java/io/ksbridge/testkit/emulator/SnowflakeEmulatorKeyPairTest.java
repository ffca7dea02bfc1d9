package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.RetryPolicy;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link SnowflakeEmulator#builder()} with a given key pair: accounts built from that key sign in, others do not. */
class SnowflakeEmulatorKeyPairTest {
    private static final String PASSPHRASE = "Qx7-wombat-Zq81-pelican";

    private static SqlApiClient sql(SnowflakeAccount account) {
        return SqlApiClient.builder(account).retry(RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(50))
                .withMaxAttempts(2)).build();
    }

    @Test
    void builder_keyPairFromAnEncryptedKeyFile_accountFromTheSameFileSignsInAndAnotherKeyIsRefused() throws Exception {
        // core's OpenSSL test key (AES, which the JDK decrypts: testkit has no Bouncy Castle)
        String pem = Files.readString(Path.of("..", "core", "src", "test", "resources", "keys", "pbes2-aes256-sha256.p8"));
        String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        SnowflakeAccount decoded = SnowflakeAccount.builder().url("http://127.0.0.1:1").allowInsecureHttp().user("any")
                .privateKey(Secret.of(pem)).passphrase(Secret.of(PASSPHRASE)).build();
        try (SnowflakeEmulator snowflake = SnowflakeEmulator.builder()
                .keyPair(new KeyPair(decoded.publicKey(), decoded.privateKey())).start()) {
            assertEquals(decoded.privateKey(), snowflake.privateKey());
            assertEquals(decoded.publicKeyFingerprint(), snowflake.account().publicKeyFingerprint());
            SnowflakeAccount mine = SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                    .role(SnowflakeEmulator.ROLE).privateKey(Secret.of(body)).passphrase(Secret.of(PASSPHRASE)).build();
            assertEquals(1, sql(mine).execute("SELECT 1").rows().size());

            SnowflakeAccount other = SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                    .privateKey(Secret.of(SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate()))).build();
            assertEquals(401, assertThrows(SnowflakeSqlException.class, () -> sql(other).execute("SELECT 1")).httpStatus());
        }
    }

    @Test
    void builder_nonRsaKeyPair_refusedAtOnce() throws Exception {
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SnowflakeEmulator.builder().keyPair(ec.generateKeyPair()));
        assertEquals("keyPair must be an RSA key pair (Snowflake key-pair authentication), was EC/EC", e.getMessage());
    }
}
