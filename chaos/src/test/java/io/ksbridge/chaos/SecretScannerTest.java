package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner the chaos run trusts to say "no secret leaked", and the encrypted keys it runs with. */
class SecretScannerTest {
    private static final KeyPair KEYS = SnowflakeEmulator.newKeyPair();
    private static final String PASSPHRASE = "correct-horse-battery-staple";

    private static SecretScanner scanner() {
        String body = EncryptedKeys.base64Body(SnowflakeEmulator.pem(KEYS.getPrivate()));
        String publicBody = Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
        return new SecretScanner(List.of(body, PASSPHRASE), List.of(publicBody));
    }

    @Test
    void scan_anySixteenCharactersOfTheKeyBody_found() {
        String body = EncryptedKeys.base64Body(SnowflakeEmulator.pem(KEYS.getPrivate()));
        SecretScanner s = scanner();
        // from the end of the body: the private exponent and primes, never part of the public key
        String piece = body.substring(body.length() - 40, body.length() - 24);
        assertEquals(1, s.scan("log", "INFO loaded key " + piece + " ok"));
        assertEquals(List.of("log at char 16"), s.hits());
    }

    @Test
    void scan_passphraseInsideOtherText_foundAndFifteenCharactersAreNot() {
        SecretScanner s = scanner();
        assertTrue(s.scan("message", "wrong passphrase '" + PASSPHRASE + "'") > 0);
        assertEquals(0, scanner().scan("message", "passphrase prefix '" + PASSPHRASE.substring(0, 15) + "'"));
    }

    @Test
    void scan_publicKeyBase64_notASecret() {
        String publicBody = Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
        assertEquals(0, scanner().scan("log", "public key " + publicBody));
    }

    @Test
    void scan_pemWrappedKeyLines_found() {
        String pem = SnowflakeEmulator.pem(KEYS.getPrivate());
        String line = pem.split("\n")[20];
        assertTrue(scanner().scan("dump", "x\n" + line + "\ny") > 0);
    }

    @Test
    void encryptedPem_withPassphrase_isTheSameKeyForSnowflakeAccount() {
        String pem = EncryptedKeys.encryptedPem(KEYS.getPrivate(), PASSPHRASE);
        assertTrue(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), pem.substring(0, 40));
        SnowflakeAccount account = SnowflakeAccount.builder().url("https://acme.snowflakecomputing.com").user("U")
                .privateKey(Secret.of(pem)).passphrase(Secret.of(PASSPHRASE)).build();
        assertEquals(KEYS.getPublic(), account.publicKey());
        BridgeConfigException wrong = assertThrows(BridgeConfigException.class, () -> SnowflakeAccount.builder()
                .url("https://acme.snowflakecomputing.com").user("U").privateKey(Secret.of(pem))
                .passphrase(Secret.of("not-it")).build());
        assertTrue(wrong.getMessage().contains("passphrase"), wrong.getMessage());
        assertEquals(0, scanner().scan("message", wrong.getMessage()));
    }
}
