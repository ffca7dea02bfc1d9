package io.ksbridge.snowflake;

import io.ksbridge.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Issues the key-pair JWT Snowflake's clients send ({@code Authorization: Bearer} with
 * {@code X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT}), caching it until it nears expiry. Thread-safe.
 */
final class KeyPairJwt {
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final String issuer;
    private final String subject;
    private final PrivateKey key;
    private final Clock clock;
    private Secret token;
    private Instant expires = Instant.MIN;

    KeyPairJwt(String account, String user, String fingerprint, PrivateKey key, Clock clock) {
        this.subject = account + "." + user;
        this.issuer = subject + "." + fingerprint;
        this.key = key;
        this.clock = clock;
    }

    synchronized Secret token() {
        Instant now = clock.instant();
        if (token == null || now.plus(RENEW_BEFORE).isAfter(expires)) {
            Instant exp = now.plus(SnowflakeAccount.JWT_LIFETIME);
            token = Secret.of(sign(issuer, subject, now, exp, key));
            expires = exp;
        }
        return token;
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Signs a JWT with RS256; also used by tests to forge expired tokens. */
    static String sign(String issuer, String subject, Instant issuedAt, Instant expiresAt, PrivateKey key) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + jsonEscape(issuer) + "\",\"sub\":\"" + jsonEscape(subject) + "\",\"iat\":"
                + issuedAt.getEpochSecond() + ",\"exp\":" + expiresAt.getEpochSecond() + "}";
        String signingInput = B64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the JWT with the configured RSA key: " + e.getClass().getSimpleName());
        }
    }
}
