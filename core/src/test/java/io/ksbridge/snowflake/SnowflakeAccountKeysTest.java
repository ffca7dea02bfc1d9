package io.ksbridge.snowflake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The keys of {@code src/test/resources/keys} (made by OpenSSL, see its README), each in PEM, as a one-line base64
 * body and as a wrapped body, through {@link SnowflakeAccount.Builder#build()}; and what each wrong combination
 * says.
 */
class SnowflakeAccountKeysTest {
    static final String PASSPHRASE = "Qx7-wombat-Zq81-pelican";
    /** Every encrypted form, with the scheme name messages give for it and whether the JDK alone decrypts it. */
    static final List<Object[]> ENCRYPTED = List.of(
            new Object[] {"pbes2-des3-sha256.p8", "PBES2 (PBKDF2 with HMAC-SHA256, DES-EDE3-CBC)", false},
            new Object[] {"pbes2-des3-sha1.p8", "PBES2 (PBKDF2 with HMAC-SHA1, DES-EDE3-CBC)", false},
            new Object[] {"pbes2-aes128-sha256.p8", "PBES2 (PBKDF2 with HMAC-SHA256, AES-128-CBC)", true},
            new Object[] {"pbes2-aes128-sha1.p8", "PBES2 (PBKDF2 with HMAC-SHA1, AES-128-CBC)", true},
            new Object[] {"pbes2-aes192-sha256.p8", "PBES2 (PBKDF2 with HMAC-SHA256, AES-192-CBC)", false},
            new Object[] {"pbes2-aes256-sha256.p8", "PBES2 (PBKDF2 with HMAC-SHA256, AES-256-CBC)", true},
            new Object[] {"pbes2-aes256-sha1.p8", "PBES2 (PBKDF2 with HMAC-SHA1, AES-256-CBC)", true},
            new Object[] {"pbes2-aes256-sha512.p8", "PBES2 (PBKDF2 with HMAC-SHA512, AES-256-CBC)", true},
            new Object[] {"scrypt-aes256.p8", "PBES2 (scrypt, AES-256-CBC)", false},
            new Object[] {"scrypt-des3.p8", "PBES2 (scrypt, DES-EDE3-CBC)", false},
            new Object[] {"pbes1-sha1-3des.p8", "PBES1 (PBE-SHA1-3DES)", false},
            new Object[] {"pbes1-md5-des.p8", "PBES1 (PBE-MD5-DES)", false},
            new Object[] {"pbes1-sha1-des.p8", "PBES1 (PBE-SHA1-DES)", false},
            new Object[] {"pbes1-sha1-rc2-64.p8", "PBES1 (PBE-SHA1-RC2-64)", false});

    static String resource(String name) {
        try (InputStream in = SnowflakeAccountKeysTest.class.getResourceAsStream("/keys/" + name)) {
            if (in == null) {
                throw new AssertionError("no test key " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base64 body of a PEM file on one line, as connector users write snowflake.private.key. */
    static String oneLine(String pem) {
        return pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    }

    /** The base64 body wrapped at 64 characters, without header lines. */
    static String wrapped(String pem) {
        return String.join("\n", pem.lines().filter(l -> !l.startsWith("-----")).toList()) + "\n";
    }

    static Stream<Arguments> encryptedForms() {
        List<Arguments> all = new ArrayList<>();
        for (Object[] k : ENCRYPTED) {
            String pem = resource((String) k[0]);
            all.add(Arguments.of(k[0] + " PEM", pem, k[1], k[2]));
            all.add(Arguments.of(k[0] + " one-line body", oneLine(pem), k[1], k[2]));
            all.add(Arguments.of(k[0] + " wrapped body", wrapped(pem), k[1], k[2]));
        }
        return all.stream();
    }

    private static final PrivateKey PLAIN = account(resource("plain.p8"), null).privateKey();

    private static SnowflakeAccount.Builder builder(String key) {
        return SnowflakeAccount.builder().url("https://myorg-myaccount.snowflakecomputing.com").user("ksbridge")
                .privateKey(Secret.of(key));
    }

    private static SnowflakeAccount account(String key, String passphrase) {
        SnowflakeAccount.Builder b = builder(key);
        if (passphrase != null) {
            b.passphrase(Secret.of(passphrase));
        }
        return b.build();
    }

    private static BridgeConfigException.Problem onlyProblem(SnowflakeAccount.Builder b) {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, b::build);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertFalse(e.getMessage().contains(PASSPHRASE), e.getMessage());
        return e.problems().get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encryptedForms")
    void build_encryptedKeyInEachFormWithPassphrase_decodesToThePlainKey(String form, String key, String scheme,
                                                                        boolean jdk) {
        assertEquals(PLAIN, account(key, PASSPHRASE).privateKey(), form);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encryptedForms")
    void build_encryptedKeyInEachFormWrongPassphrase_saysThePassphraseDoesNotDecryptIt(String form, String key,
                                                                                        String scheme, boolean jdk) {
        BridgeConfigException.Problem p = onlyProblem(builder(key).passphrase(Secret.of("not-the-passphrase")));
        assertEquals("Invalid value [hidden] for setting passphrase: the passphrase does not decrypt this key",
                p.toString(), form);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encryptedForms")
    void build_encryptedKeyInEachFormNoPassphrase_saysItIsEncryptedNamingTheScheme(String form, String key,
                                                                                   String scheme, boolean jdk) {
        assertEquals("Invalid value null for setting passphrase: the key is encrypted (" + scheme + ") but no"
                + " passphrase was given", onlyProblem(builder(key)).toString(), form);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encryptedForms")
    void decode_withoutBouncyCastle_jdkFormsDecodeOthersNameTheArtifactAndCipher(String form, String key,
                                                                                  String scheme, boolean jdk) {
        if (jdk) {
            assertEquals(PLAIN, PemKeys.decode(key, PASSPHRASE, false), form);
            return;
        }
        PemKeys.KeyException e = assertThrows(PemKeys.KeyException.class, () -> PemKeys.decode(key, PASSPHRASE, false));
        assertEquals("privateKey", e.setting());
        assertEquals("decrypting a key encrypted with " + scheme + " needs Bouncy Castle: add"
                + " org.bouncycastle:bcpkix-jdk18on (with bcprov-jdk18on, same version) to the class path, or"
                + " re-encrypt the key with AES: openssl pkcs8 -topk8 -v2 aes256 -in rsa_key.p8 -out rsa_key_aes.p8",
                e.getMessage(), form);
    }

    @Test
    void build_plainKeyInEachForm_decodes() {
        String pem = resource("plain.p8");
        for (String key : List.of(pem, oneLine(pem), wrapped(pem), "  " + oneLine(pem) + "\r\n")) {
            assertEquals(PLAIN, account(key, null).privateKey());
        }
    }

    @Test
    void build_plainKeyWithPassphrase_saysThePassphraseIsNotNeeded() {
        for (String key : List.of(resource("plain.p8"), oneLine(resource("plain.p8")))) {
            assertEquals("Invalid value [hidden] for setting passphrase: a passphrase was given but the key is not"
                    + " encrypted (a plain PKCS#8 PrivateKeyInfo); remove the passphrase",
                    onlyProblem(builder(key).passphrase(Secret.of(PASSPHRASE))).toString());
        }
    }

    @Test
    void build_encryptedBodyUnderAPlainHeader_decidedFromTheDer() {
        String body = wrapped(resource("pbes2-des3-sha256.p8"));
        String mislabelled = "-----BEGIN PRIVATE KEY-----\n" + body + "-----END PRIVATE KEY-----\n";
        assertEquals(PLAIN, account(mislabelled, PASSPHRASE).privateKey());
        String plainBody = wrapped(resource("plain.p8"));
        String mislabelledPlain = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + plainBody + "-----END ENCRYPTED PRIVATE KEY-----\n";
        assertEquals(PLAIN, account(mislabelledPlain, null).privateKey());
    }

    @Test
    void build_pkcs1KeyInPemOrBareBody_saysHowToConvert() {
        String pkcs1 = resource("pkcs1.pem");
        for (String key : List.of(pkcs1, oneLine(pkcs1))) {
            assertEquals("Invalid value [hidden] for setting privateKey: the key is in PKCS#1 form (BEGIN RSA PRIVATE"
                    + " KEY); convert it to PKCS#8 with: openssl pkcs8 -topk8 -inform PEM -in key.pem -out key.p8"
                    + " -nocrypt", onlyProblem(builder(key)).toString());
        }
    }

    @Test
    void build_publicKeyPem_saysItIsThePublicKey() {
        assertEquals("Invalid value [hidden] for setting privateKey: the PEM holds a public key (BEGIN PUBLIC KEY); give"
                + " the private key, PKCS#8 (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY)",
                onlyProblem(builder(resource("public.pem"))).toString());
    }

    @Test
    void build_publicKeyBareBody_notPkcs8() {
        assertEquals("Invalid value [hidden] for setting privateKey: the key is not a PKCS#8 private key (neither a"
                + " PrivateKeyInfo nor an EncryptedPrivateKeyInfo)",
                onlyProblem(builder(oneLine(resource("public.pem")))).toString());
    }

    @Test
    void build_notBase64OrTruncated_saysSoWithoutTheKey() {
        String body = oneLine(resource("pbes2-des3-sha256.p8"));
        assertEquals("Invalid value [hidden] for setting privateKey: the key is neither PEM nor the base64 of a PKCS#8"
                + " key (not valid base64)", onlyProblem(builder("not*base64!")).toString());
        BridgeConfigException.Problem truncated = onlyProblem(builder(body.substring(0, 400)).passphrase(Secret.of(PASSPHRASE)));
        assertEquals("privateKey", truncated.setting());
        assertFalse(truncated.toString().contains(body.substring(10, 30)), truncated.toString());
    }

    @Test
    void build_desKeyWithBouncyCastle_wrongPassphraseIsNotBlamedOnTheCipher() {
        // Snowflake's documented command: openssl pkcs8 -topk8 -v2 des3
        String key = resource("pbes2-des3-sha256.p8");
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> builder(key).passphrase(Secret.of("wrong")).build());
        assertFalse(e.getMessage().contains("Bouncy Castle") || e.getMessage().contains("cipher"), e.getMessage());
        assertTrue(BouncyCastle.available(), "core's tests run with Bouncy Castle resolved");
    }

    @Test
    void decode_unknownPbes2Cipher_namedByOid() {
        // EncryptedPrivateKeyInfo: PBES2 { PBKDF2 { salt, 2048, HMAC-SHA256 }, cipher OID 1.2.3.4 { IV } }, data
        byte[] pbkdf2 = tlv(0x30, oid("2a864886f70d01050c"), tlv(0x30, tlv(0x04, new byte[8]), tlv(0x02, new byte[] {8, 0}),
                tlv(0x30, oid("2a864886f70d0209"), tlv(0x05))));
        byte[] cipher = tlv(0x30, oid("2a0304"), tlv(0x04, new byte[8]));
        byte[] algorithm = tlv(0x30, oid("2a864886f70d01050d"), tlv(0x30, pbkdf2, cipher));
        byte[] der = tlv(0x30, algorithm, tlv(0x04, new byte[16]));
        String key = java.util.Base64.getEncoder().encodeToString(der);
        PemKeys.KeyException e = assertThrows(PemKeys.KeyException.class, () -> PemKeys.decode(key, "x", false));
        assertTrue(e.getMessage().startsWith("decrypting a key encrypted with PBES2 (PBKDF2 with HMAC-SHA256, cipher"
                + " 1.2.3.4) needs Bouncy Castle"), e.getMessage());
        PemKeys.KeyException bc = assertThrows(PemKeys.KeyException.class, () -> PemKeys.decode(key, "x", true));
        assertEquals("Bouncy Castle cannot decrypt a key encrypted with PBES2 (PBKDF2 with HMAC-SHA256, cipher 1.2.3.4);"
                + " re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes256 -in rsa_key.p8 -out rsa_key_aes.p8",
                bc.getMessage());
    }

    private static byte[] oid(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return tlv(0x06, b);
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(tag);
        out.write(content.size()); // short form: these test structures stay under 128 bytes
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
