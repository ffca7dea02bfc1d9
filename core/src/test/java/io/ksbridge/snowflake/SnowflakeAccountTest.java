package io.ksbridge.snowflake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SnowflakeAccountTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KeyPair keys;
    private static String pem;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        pem = PemKeys.toPem(keys.getPrivate());
    }

    private static SnowflakeAccount.Builder valid() {
        return SnowflakeAccount.builder().url("https://myorg-myaccount.snowflakecomputing.com").user("ksbridge").role("INGEST")
                .privateKey(Secret.of(pem));
    }

    @Test
    void jwt_validKey_hasSnowflakesClaimsAndVerifiesWithThePublicKey() throws Exception {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        SnowflakeAccount account = valid().clock(Clock.fixed(now, ZoneOffset.UTC)).build();
        String[] parts = account.jwt().reveal().split("\\.");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("RS256", header.get("alg").asText());
        String fp = "SHA256:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(keys.getPublic().getEncoded()));
        assertEquals("MYORG-MYACCOUNT.KSBRIDGE." + fp, claims.get("iss").asText());
        assertEquals("MYORG-MYACCOUNT.KSBRIDGE", claims.get("sub").asText());
        assertEquals(now.getEpochSecond(), claims.get("iat").asLong());
        assertEquals(now.getEpochSecond() + 59 * 60, claims.get("exp").asLong());
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(keys.getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rsa.verify(Base64.getUrlDecoder().decode(parts[2])));
        assertEquals(fp, account.publicKeyFingerprint());
        assertEquals(keys.getPublic(), account.publicKey());
    }

    @Test
    void jwt_calledTwiceWithinLifetime_sameTokenThenRenewedNearExpiry() {
        Instant[] now = {Instant.parse("2026-11-23T10:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        SnowflakeAccount account = valid().clock(clock).build();
        Secret first = account.jwt();
        now[0] = now[0].plusSeconds(50 * 60);
        assertSame(first, account.jwt());
        now[0] = now[0].plusSeconds(5 * 60);
        assertFalse(first.equals(account.jwt()), "a token with under five minutes left is renewed");
    }

    @Test
    void accountName_locatorWithRegion_isFirstLabelUpperCase() {
        assertEquals("XY12345", valid().url("xy12345.us-east-1.snowflakecomputing.com").build().accountName());
        assertEquals("MINE", valid().accountName("mine").build().accountName());
        SnowflakeAccount local = valid().url("http://127.0.0.1:8080").allowInsecureHttp().build();
        assertEquals("127", local.accountName());
        assertEquals("http", local.scheme());
        assertEquals(8080, local.port());
        assertEquals(443, valid().build().port());
    }

    @Test
    void encryptedKey_withPassphrase_decodesToTheSameKey() throws Exception {
        // openssl genrsa | openssl pkcs8 -topk8 -v2 aes256 -passout pass:secret (and the same key with -nocrypt)
        String encryptedPem = resource("test-key-encrypted-secret.p8");
        String plainPem = resource("test-key.p8");
        SnowflakeAccount account = valid().privateKey(Secret.of(encryptedPem)).passphrase(Secret.of("secret")).build();
        assertEquals(valid().privateKey(Secret.of(plainPem)).build().privateKey(), account.privateKey());

        BridgeConfigException wrong = assertThrows(BridgeConfigException.class,
                () -> valid().privateKey(Secret.of(encryptedPem)).passphrase(Secret.of("nope")).build());
        assertEquals("Invalid value [hidden] for setting passphrase: the passphrase does not decrypt this key",
                wrong.getMessage());
        BridgeConfigException missing = assertThrows(BridgeConfigException.class,
                () -> valid().privateKey(Secret.of(encryptedPem)).build());
        assertEquals("Invalid value null for setting passphrase: the key is encrypted (PBES2 (PBKDF2 with HMAC-SHA256,"
                + " AES-256-CBC)) but no passphrase was given", missing.getMessage());
    }

    private static String resource(String name) throws java.io.IOException {
        try (java.io.InputStream in = SnowflakeAccountTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void build_nothingSet_listsEveryMissingSetting() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> SnowflakeAccount.builder().build());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting url: the account URL is required, for example"
                + " https://myorg-myaccount.snowflakecomputing.com\n"
                + "  - Invalid value null for setting user: the user the key pair belongs to is required\n"
                + "  - Invalid value null for setting privateKey: a PKCS#8 PEM private key is required (key-pair authentication),"
                + " or set oauth (OAuth access tokens) instead",
                e.getMessage());
    }

    @Test
    void build_oauthInsteadOfKey_signsInWithOAuthAndHasNoKeyPair() {
        AccessTokenProvider tokens = AccessTokenProvider.fixed(Secret.of("oauth-access-token-abc123"));
        SnowflakeAccount account = SnowflakeAccount.builder().url("https://myorg-myaccount.snowflakecomputing.com")
                .user("ksbridge").oauth(tokens).build();
        assertEquals(SnowflakeAccount.Authentication.OAUTH, account.authentication());
        assertSame(tokens, account.oauth().orElseThrow());
        assertEquals("privateKey() is not available: account MYORG-MYACCOUNT signs in with OAuth, not a key pair",
                assertThrows(IllegalStateException.class, account::privateKey).getMessage());
        assertThrows(IllegalStateException.class, account::jwt);
        assertThrows(IllegalStateException.class, account::publicKeyFingerprint);
        assertEquals("SnowflakeAccount{url=https://myorg-myaccount.snowflakecomputing.com, accountName=MYORG-MYACCOUNT,"
                + " user=KSBRIDGE, role=null, warehouse=null, oauth=AccessTokenProvider.fixed([hidden])}", account.toString());
        assertEquals(SnowflakeAccount.Authentication.KEY_PAIR, valid().build().authentication());
        assertTrue(valid().build().oauth().isEmpty());
    }

    @Test
    void build_keyAndOAuthAndPassphrase_everyConflictListed() {
        AccessTokenProvider tokens = AccessTokenProvider.fixed(Secret.of("oauth-access-token-abc123"));
        BridgeConfigException both = assertThrows(BridgeConfigException.class, () -> valid().oauth(tokens).build());
        assertEquals("Invalid value AccessTokenProvider.fixed([hidden]) for setting oauth: set either privateKey (key-pair"
                + " authentication) or oauth (OAuth access tokens), not both", both.getMessage());
        BridgeConfigException passphrase = assertThrows(BridgeConfigException.class, () -> SnowflakeAccount.builder()
                .oauth(tokens).passphrase(Secret.of("pass-word-1")).build());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting url: the account URL is required, for example"
                + " https://myorg-myaccount.snowflakecomputing.com\n"
                + "  - Invalid value null for setting user: the user the OAuth tokens are issued for is required\n"
                + "  - Invalid value [hidden] for setting passphrase: a passphrase decrypts a private key, and this account"
                + " signs in with oauth; remove it", passphrase.getMessage());
    }

    @Test
    void toString_oauthClientAccount_showsNeitherClientSecretNorRefreshToken() {
        OAuthTokenClient client = OAuthTokenClient.refreshToken(java.net.URI.create(
                "https://myorg-myaccount.snowflakecomputing.com/oauth/token-request"), "loader",
                Secret.of("client-secret-Zq81wombat"), Secret.of("refresh-token-pelican-77Qx")).build();
        SnowflakeAccount.Builder b = SnowflakeAccount.builder().url("https://myorg-myaccount.snowflakecomputing.com")
                .user("ksbridge").oauth(client);
        for (String text : new String[] {b.toString(), b.build().toString()}) {
            assertFalse(text.contains("wombat") || text.contains("pelican"), text);
            assertTrue(text.contains("clientSecret=[hidden], refreshToken=[hidden]"), text);
        }
    }

    @Test
    void build_pkcs1Key_saysHowToConvert() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> valid()
                .privateKey(Secret.of("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----")).build());
        assertEquals("Invalid value [hidden] for setting privateKey: the key is in PKCS#1 form (BEGIN RSA PRIVATE KEY); convert"
                + " it to PKCS#8 with: openssl pkcs8 -topk8 -inform PEM -in key.pem -out key.p8 -nocrypt", e.getMessage());
    }

    @Test
    void setters_badValues_failAtOnce() {
        assertEquals("url must not be null", assertThrows(NullPointerException.class,
                () -> SnowflakeAccount.builder().url(null)).getMessage());
        assertEquals("user must not be blank", assertThrows(IllegalArgumentException.class,
                () -> SnowflakeAccount.builder().user(" ")).getMessage());
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> valid().url("ftp://x.y").build());
        assertEquals("Invalid value ftp://x.y for setting url: the scheme must be https (or http with"
                + " allowInsecureHttp(), for a local emulator)", e.getMessage());
    }

    @Test
    void url_http_refusedUnlessInsecureHttpIsAllowed() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class,
                () -> valid().url("http://xy12345.snowflakecomputing.com").build());
        assertEquals("Invalid value http://xy12345.snowflakecomputing.com for setting url: http:// sends the JWT or"
                + " token and every row in clear; use https, or call allowInsecureHttp() (for a local emulator or a test"
                + " endpoint only)", e.getMessage());
        assertEquals("http", valid().url("http://127.0.0.1:8080").allowInsecureHttp().build().scheme());
    }

    @Test
    void toString_accountAndBuilder_neverShowTheKeyOrToken() {
        SnowflakeAccount account = valid().build();
        String body = pem.split("\n")[1];
        String jwt = account.jwt().reveal();
        for (String text : new String[] {account.toString(), valid().passphrase(Secret.of("pass")).toString()}) {
            assertFalse(text.contains(body), text);
            assertFalse(text.contains(jwt), text);
            assertFalse(text.contains("pass\""), text);
            assertTrue(text.contains("[hidden]"), text);
        }
    }
}
