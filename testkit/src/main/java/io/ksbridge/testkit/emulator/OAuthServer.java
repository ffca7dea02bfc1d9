package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ksbridge.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's OAuth authorization server, in the manner of Snowflake OAuth: a token endpoint at
 * {@value #PATH} (form POST, client authenticated with HTTP Basic {@code client_id:client_secret} or with
 * {@code client_id} and {@code client_secret} form fields) that issues opaque access tokens for registered clients
 * with the {@code client_credentials} grant and, for a client registered with one, the {@code refresh_token} grant.
 * Answers {@code {"access_token","token_type":"Bearer","expires_in","username"}}; refusals follow RFC 6749 §5.2
 * ({@code invalid_client} with 401, {@code invalid_grant} and {@code unsupported_grant_type} with 400).
 *
 * <p>Every emulator route that checks key-pair JWTs also accepts these tokens when the request says
 * {@code X-Snowflake-Authorization-Token-Type: OAUTH} ({@link #check}); an expired one is refused with Snowflake's
 * code {@value #EXPIRED_CODE} ("OAuth access token expired"), and one this server did not issue (foreign, tampered,
 * revoked) with {@value #INVALID_CODE} ("Invalid OAuth access token"), both with HTTP 401.
 *
 * <p>Thread-safe. Tokens, secrets and refresh tokens are never logged.
 */
public final class OAuthServer implements HttpHandler {
    /** The token endpoint's path, Snowflake OAuth's. */
    public static final String PATH = "/oauth/token-request";
    /** Snowflake's error code for an expired OAuth access token. */
    public static final String EXPIRED_CODE = "390318";
    /** Snowflake's error code for an OAuth access token it does not know. */
    public static final String INVALID_CODE = "390303";

    private static final Logger LOG = LoggerFactory.getLogger(OAuthServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Client(Secret secret, Secret refreshToken) {
    }

    private record Issued(String clientId, Instant expiresAt) {
    }

    private final String user;
    private final Supplier<Instant> clock;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> issuedPerClient = new ConcurrentHashMap<>();
    private volatile Duration lifetime = Duration.ofMinutes(10);

    /**
     * @param user  the user every token is issued for
     * @param clock the emulator's time (with its skew), never null
     */
    public OAuthServer(String user, Supplier<Instant> clock) {
        this.user = Objects.requireNonNull(user, "user must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Registers (or replaces) a client.
     *
     * @param clientId     the client id, never null or blank
     * @param clientSecret its secret, never null or empty
     * @param refreshToken a refresh token it may use with the {@code refresh_token} grant, or null for none
     */
    public void register(String clientId, Secret clientSecret, Secret refreshToken) {
        Objects.requireNonNull(clientId, "clientId must not be null");
        Objects.requireNonNull(clientSecret, "clientSecret must not be null");
        if (clientId.isBlank() || clientSecret.isEmpty() || refreshToken != null && refreshToken.isEmpty()) {
            throw new IllegalArgumentException("clientId, clientSecret and refreshToken must not be empty");
        }
        clients.put(clientId, new Client(clientSecret, refreshToken));
    }

    /** How long tokens issued from now on live. Default 10 minutes (Snowflake OAuth's access-token lifetime). */
    public void tokenLifetime(Duration lifetime) {
        Objects.requireNonNull(lifetime, "lifetime must not be null");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be > 0, was " + lifetime);
        }
        this.lifetime = lifetime;
    }

    /**
     * Issues a token for a registered client without a request, living {@code lifetime} from the emulator's now
     * (negative: already expired), for tests of expiry.
     *
     * @throws IllegalArgumentException when the client is not registered
     */
    public Secret issue(String clientId, Duration lifetime) {
        if (!clients.containsKey(clientId)) {
            throw new IllegalArgumentException("no OAuth client " + clientId + " is registered");
        }
        return Secret.of(newToken(clientId, clock.get().plus(lifetime)));
    }

    /** How many access tokens were issued to a client (requests and {@link #issue} both). */
    public long issuedCount(String clientId) {
        AtomicLong n = issuedPerClient.get(clientId);
        return n == null ? 0 : n.get();
    }

    /** Forgets every token issued to a client: they are refused from now on, as revoked. */
    public void revokeTokens(String clientId) {
        tokens.values().removeIf(i -> i.clientId().equals(clientId));
    }

    /**
     * Checks an OAuth access token.
     *
     * @param token the bearer token, may be null
     * @return empty when valid; else Snowflake's code ({@value #EXPIRED_CODE} or {@value #INVALID_CODE}) and message
     */
    public Optional<String[]> check(String token) {
        Issued issued = token == null ? null : tokens.get(token);
        if (issued == null) {
            return Optional.of(new String[] {INVALID_CODE, "Invalid OAuth access token. [not issued by this account]"});
        }
        if (!clock.get().isBefore(issued.expiresAt())) {
            return Optional.of(new String[] {EXPIRED_CODE, "OAuth access token expired. [" + issued.expiresAt() + "]"});
        }
        return Optional.empty();
    }

    private String newToken(String clientId, Instant expiresAt) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = "ver:1-hint:emu-" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        tokens.put(token, new Issued(clientId, expiresAt));
        issuedPerClient.computeIfAbsent(clientId, k -> new AtomicLong()).incrementAndGet();
        return token;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                refuse(exchange, 405, "invalid_request", "the token endpoint takes POST");
                return;
            }
            Map<String, String> form = form(exchange);
            String clientId = form.get("client_id");
            String secret = form.get("client_secret");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    decoded = "";
                }
                int colon = decoded.indexOf(':');
                clientId = colon < 0 ? decoded : decoded.substring(0, colon);
                secret = colon < 0 ? "" : decoded.substring(colon + 1);
            }
            Client client = clientId == null ? null : clients.get(clientId);
            if (client == null || secret == null || !client.secret().equals(Secret.of(secret))) {
                LOG.info("emulator refused OAuth client {}: unknown client or wrong secret", clientId);
                refuse(exchange, 401, "invalid_client", "Client authentication failed.");
                return;
            }
            String grant = form.getOrDefault("grant_type", "");
            switch (grant) {
                case "client_credentials":
                    break;
                case "refresh_token":
                    String given = form.get("refresh_token");
                    if (client.refreshToken() == null || given == null || !client.refreshToken().equals(Secret.of(given))) {
                        LOG.info("emulator refused a refresh token of OAuth client {}", clientId);
                        refuse(exchange, 400, "invalid_grant", "The refresh token is invalid or expired.");
                        return;
                    }
                    break;
                default:
                    refuse(exchange, 400, "unsupported_grant_type", "Unsupported grant type.");
                    return;
            }
            Duration life = lifetime;
            ObjectNode answer = HttpJson.MAPPER.createObjectNode();
            answer.put("access_token", newToken(clientId, clock.get().plus(life)));
            answer.put("token_type", "Bearer");
            answer.put("expires_in", life.toSeconds());
            answer.put("username", user);
            HttpJson.send(exchange, 200, answer);
        }
    }

    private static void refuse(HttpExchange exchange, int status, String error, String description) throws IOException {
        ObjectNode body = HttpJson.MAPPER.createObjectNode();
        body.put("error", error);
        body.put("error_description", description);
        HttpJson.send(exchange, status, body);
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        String raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            params.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    @Override
    public String toString() {
        return "OAuthServer{clients=" + clients.keySet() + ", lifetime=" + lifetime + "}";
    }
}
