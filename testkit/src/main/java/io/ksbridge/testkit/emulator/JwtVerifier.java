package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the key-pair JWT of a request as Snowflake does: {@code Authorization: Bearer <jwt>}, RS256 signed by the
 * user's registered key, {@code iss = ACCOUNT.USER.SHA256:<fingerprint of that key>}, {@code sub = ACCOUNT.USER},
 * not expired. Failures answer HTTP 401 with Snowflake's body
 * {@code {"data":null,"code":"390144","message":"JWT token is invalid. [...]","success":false,"headers":null}}.
 * A request with {@code X-Snowflake-Authorization-Token-Type: OAUTH} is checked against the emulator's
 * {@link OAuthServer} instead ({@link #acceptOAuth}), refused with its codes in the same body.
 * Thread-safe.
 */
public final class JwtVerifier {
    /** Snowflake's error code for a refused JWT. */
    public static final String INVALID_JWT_CODE = "390144";

    private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final String account;
    private final String user;
    private final PublicKey publicKey;
    private final String fingerprint;
    private volatile Duration clockSkew = Duration.ZERO;
    private volatile OAuthServer oauth;

    /**
     * @param account   the account name expected in the claims (case-insensitive)
     * @param user      the user expected in the claims (case-insensitive)
     * @param publicKey the user's registered RSA public key
     */
    public JwtVerifier(String account, String user, PublicKey publicKey) {
        this.account = Objects.requireNonNull(account, "account must not be null").toUpperCase(Locale.ROOT);
        this.user = Objects.requireNonNull(user, "user must not be null").toUpperCase(Locale.ROOT);
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey must not be null");
        this.fingerprint = fingerprint(publicKey);
    }

    /**
     * Moves the verifier's clock: a skew of two hours makes every token a client signs now look expired.
     *
     * @param skew added to the real time when checking {@code exp}; may be negative; never null
     */
    public void clockSkew(Duration skew) {
        this.clockSkew = Objects.requireNonNull(skew, "skew must not be null");
    }

    /** The verifier's time: now plus the {@link #clockSkew}. */
    public Instant now() {
        return Instant.now().plus(clockSkew);
    }

    /**
     * Accepts the access tokens {@code server} issued on requests that say
     * {@code X-Snowflake-Authorization-Token-Type: OAUTH}. Without it, such requests are refused.
     *
     * @param server the emulator's OAuth server, never null
     */
    public void acceptOAuth(OAuthServer server) {
        this.oauth = Objects.requireNonNull(server, "server must not be null");
    }

    /**
     * Checks an {@code Authorization} header value.
     *
     * @param authorization the header value, may be null
     * @return empty when the token is valid, else the reason it is not
     */
    public Optional<String> check(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.of("no Bearer token");
        }
        String[] parts = authorization.substring("Bearer ".length()).trim().split("\\.");
        if (parts.length != 3) {
            return Optional.of("not a JWT");
        }
        try {
            JsonNode header = HttpJson.MAPPER.readTree(B64URL.decode(parts[0]));
            JsonNode claims = HttpJson.MAPPER.readTree(B64URL.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return Optional.of("alg must be RS256, was " + header.path("alg").asText());
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(publicKey);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(B64URL.decode(parts[2]))) {
                return Optional.of("signature does not match the user's public key");
            }
            String expectedSubject = account + "." + user;
            String sub = claims.path("sub").asText("");
            String iss = claims.path("iss").asText("");
            if (!sub.equalsIgnoreCase(expectedSubject)) {
                return Optional.of("sub must be " + expectedSubject + ", was " + sub);
            }
            if (!iss.equalsIgnoreCase(expectedSubject + "." + fingerprint) || !iss.endsWith(fingerprint)) {
                return Optional.of("iss must be " + expectedSubject + "." + fingerprint + ", was " + iss);
            }
            long now = Instant.now().plus(clockSkew).getEpochSecond();
            if (!claims.path("exp").canConvertToLong() || seconds(claims.path("exp").asLong()) <= now) {
                return Optional.of("token expired");
            }
            long exp = seconds(claims.path("exp").asLong());
            long iat = seconds(claims.path("iat").asLong(0));
            if (iat > now + 60) {
                return Optional.of("token issued in the future");
            }
            if (exp - iat > 3600) {
                return Optional.of("token lifetime exceeds one hour");
            }
            return Optional.empty();
        } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
            return Optional.of("malformed JWT (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Checks the request's token; when it is not valid, answers 401 with Snowflake's body and closes the exchange.
     *
     * @return true when the request may go on, false when it was answered with 401
     * @throws IOException when the 401 cannot be sent
     */
    public boolean authenticate(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("X-Snowflake-Authorization-Token-Type");
        if ("OAUTH".equalsIgnoreCase(type)) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String token = authorization != null && authorization.startsWith("Bearer ")
                    ? authorization.substring("Bearer ".length()).trim() : null;
            OAuthServer server = oauth;
            Optional<String[]> refused = server == null
                    ? Optional.of(new String[] {OAuthServer.INVALID_CODE, "Invalid OAuth access token. [OAuth is not"
                            + " enabled for this account]"})
                    : server.check(token);
            if (refused.isEmpty()) {
                return true;
            }
            LOG.info("emulator refused an OAuth access token for {} {}: {}", exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), refused.get()[1]);
            HttpJson.send(exchange, 401, HttpJson.error(refused.get()[0], refused.get()[1]));
            return false;
        }
        Optional<String> problem = check(exchange.getRequestHeaders().getFirst("Authorization"));
        if (problem.isEmpty()) {
            return true;
        }
        LOG.info("emulator refused a JWT for {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                problem.get());
        HttpJson.send(exchange, 401, HttpJson.error(INVALID_JWT_CODE, "JWT token is invalid. [" + problem.get() + "]"));
        return false;
    }

    /**
     * A JWT time claim in epoch seconds: the high-performance Snowpipe Streaming SDK writes {@code iat} and {@code exp}
     * in epoch milliseconds, every other client in seconds; values above 10^11 (the year 5138 in seconds) are taken
     * as milliseconds.
     */
    static long seconds(long claim) {
        return claim > 100_000_000_000L ? claim / 1000 : claim;
    }

    /** {@code SHA256:} + base64 of the SHA-256 of the key's DER encoding, as Snowflake computes it. */
    public static String fingerprint(PublicKey key) {
        try {
            return "SHA256:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
