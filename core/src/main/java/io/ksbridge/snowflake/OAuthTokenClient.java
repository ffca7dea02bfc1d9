package io.ksbridge.snowflake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.Experimental;
import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import io.ksbridge.internal.secrets.SecretFragments;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * OAuth 2.0 access tokens from a token endpoint, with the client-credentials grant (RFC 6749 §4.4) or the
 * refresh-token grant (§6), renewed before they expire:
 * <pre>{@code
 * AccessTokenProvider tokens = OAuthTokenClient
 *     .refreshToken(URI.create("https://myorg-myaccount.snowflakecomputing.com/oauth/token-request"),
 *         "my-client-id", Secret.of(clientSecret), Secret.of(refreshToken))
 *     .build();
 * SnowflakeAccount account = SnowflakeAccount.builder().url(...).user("KSBRIDGE").oauth(tokens).build();
 * }</pre>
 *
 * <p>Each request is a form POST ({@code grant_type=client_credentials} or
 * {@code grant_type=refresh_token&refresh_token=...}, plus {@code scope} when set) authenticated with HTTP Basic
 * {@code client_id:client_secret}, as Snowflake's clients send it to Snowflake OAuth's
 * {@code /oauth/token-request}; the answer's {@code access_token} and {@code expires_in} are kept, and a
 * {@code refresh_token} in the answer replaces the one in use (providers that rotate refresh tokens). Renewal
 * follows {@link AccessTokenProvider#refreshing(java.util.function.Supplier)}: one request at a time, 60 s ahead of
 * expiry. A request that fails transiently (I/O, HTTP 429 or 5xx) is tried three times in all.
 *
 * <p>Snowflake OAuth itself issues tokens with the refresh-token grant; the client-credentials grant is for External
 * OAuth identity providers (Okta, Microsoft Entra ID, ...) that offer it.
 *
 * <p>Thread-safe. The client secret, the refresh token and every access token are {@link Secret}s: never in
 * {@link #toString()}, logs or exception messages (an endpoint's error answer is shown only as its {@code error}
 * and {@code error_description}, and not at all when they contain part of a secret).
 */
@Experimental
public final class OAuthTokenClient implements AccessTokenProvider {
    /** The OAuth grant a client uses. */
    public enum Grant {
        /** {@code grant_type=client_credentials}: the client's own identity. */
        CLIENT_CREDENTIALS,
        /** {@code grant_type=refresh_token}: a refresh token issued to the client for a user. */
        REFRESH_TOKEN;

        /** The {@code grant_type} value. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final URI endpoint;
    private final String clientId;
    private final Secret clientSecret;
    private final AtomicReference<Secret> refreshToken;
    private final Secret firstRefreshToken;
    private final Grant grant;
    private final String scope;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final Clock clock;
    private final SecretFragments secrets;
    private final RefreshingTokens tokens;
    private final String shown;

    private OAuthTokenClient(Builder b) {
        this.endpoint = b.endpoint;
        this.clientId = b.clientId;
        this.clientSecret = b.clientSecret;
        this.firstRefreshToken = b.refreshToken;
        this.refreshToken = new AtomicReference<>(b.refreshToken);
        this.grant = b.refreshToken == null ? Grant.CLIENT_CREDENTIALS : Grant.REFRESH_TOKEN;
        this.scope = b.scope;
        this.requestTimeout = b.requestTimeout;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.requestTimeout).build();
        this.clock = b.clock;
        List<String> secretText = new ArrayList<>(2);
        secretText.add(clientSecret.reveal());
        if (b.refreshToken != null) {
            secretText.add(b.refreshToken.reveal());
        }
        this.secrets = SecretFragments.of(secretText);
        this.shown = "OAuthTokenClient{grant=" + grant.wireName() + ", tokenEndpoint=" + secrets.shown(endpoint.toString())
                + ", clientId=" + secrets.shown(clientId) + ", clientSecret=[hidden]"
                + (grant == Grant.REFRESH_TOKEN ? ", refreshToken=[hidden]" : "")
                + ", scope=" + secrets.shown(scope) + "}";
        this.tokens = new RefreshingTokens(this::fetch, b.refreshBefore, b.clock, shown);
    }

    /**
     * A client using the client-credentials grant.
     *
     * @param tokenEndpoint the token endpoint, {@code https://} (or {@code http://} for a local emulator); never null
     * @param clientId      the client's id, never null or blank
     * @param clientSecret  the client's secret, never null or empty
     * @return a builder for further settings, never null
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the endpoint is not an http(s) URL with a host, or a value is empty
     */
    public static Builder clientCredentials(URI tokenEndpoint, String clientId, Secret clientSecret) {
        return new Builder(tokenEndpoint, clientId, clientSecret, null);
    }

    /**
     * A client using the refresh-token grant (Snowflake OAuth, and the ingest SDK's Streaming client).
     *
     * @param tokenEndpoint the token endpoint, for Snowflake OAuth {@code <account URL>/oauth/token-request}; never
     *                      null
     * @param clientId      the client's id, never null or blank
     * @param clientSecret  the client's secret, never null or empty
     * @param refreshToken  the refresh token, never null or empty
     * @return a builder for further settings, never null
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the endpoint is not an http(s) URL with a host, or a value is empty
     */
    public static Builder refreshToken(URI tokenEndpoint, String clientId, Secret clientSecret, Secret refreshToken) {
        Objects.requireNonNull(refreshToken, "refreshToken must not be null");
        return new Builder(tokenEndpoint, clientId, clientSecret, refreshToken);
    }

    /** The grant this client uses; never null. */
    public Grant grant() {
        return grant;
    }

    /** The token endpoint; never null. */
    public URI tokenEndpoint() {
        return endpoint;
    }

    /** The client id; never null. */
    public String clientId() {
        return clientId;
    }

    /** The client secret, for a backend whose SDK runs the grant itself. Never log it. Never null. */
    public Secret clientSecret() {
        return clientSecret;
    }

    /**
     * The refresh token as configured (not a rotated one received since), for a backend whose SDK runs the grant
     * itself; empty for the client-credentials grant. Never log it.
     */
    public Optional<Secret> refreshToken() {
        return Optional.ofNullable(firstRefreshToken);
    }

    /** The scope requested, or empty when none is sent. */
    public Optional<String> scope() {
        return Optional.ofNullable(scope);
    }

    /**
     * The current access token, fetched from the endpoint when there is none or it is about to expire.
     *
     * @throws IngestException when the endpoint refuses the client ({@code isRetriable()} false: a wrong client id,
     *                         secret or refresh token) or stays unreachable ({@code isRetriable()} true)
     */
    @Override
    public AccessToken token() {
        return tokens.token();
    }

    /** A new access token in place of a refused one (unless another thread already fetched one). */
    @Override
    public AccessToken refresh(AccessToken rejected) {
        return tokens.refresh(rejected);
    }

    private AccessToken fetch() {
        IngestException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return request();
            } catch (IngestException e) {
                last = e;
                if (!e.isRetriable() || attempt == ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(200L << (attempt - 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IngestException("interrupted while fetching an OAuth access token from " + shownEndpoint(),
                            true, ie);
                }
            }
        }
        throw last;
    }

    private AccessToken request() {
        StringBuilder form = new StringBuilder("grant_type=").append(grant.wireName());
        Secret refresh = refreshToken.get();
        if (grant == Grant.REFRESH_TOKEN) {
            form.append("&refresh_token=").append(URLEncoder.encode(refresh.reveal(), StandardCharsets.UTF_8));
        }
        if (scope != null) {
            form.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + clientSecret.reveal())
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form.toString(), StandardCharsets.UTF_8))
                .build();
        Instant sent = clock.instant();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IngestException("could not reach the OAuth token endpoint " + shownEndpoint() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null || secrets.reveals(e.getMessage()) ? ""
                    : " " + e.getMessage()), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while fetching an OAuth access token from " + shownEndpoint(), true, e);
        }
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        if (status == 200 && body.path("access_token").isTextual() && !body.path("access_token").asText().isEmpty()) {
            JsonNode rotated = body.path("refresh_token");
            if (grant == Grant.REFRESH_TOKEN && rotated.isTextual() && !rotated.asText().isEmpty()) {
                refreshToken.set(Secret.of(rotated.asText()));
            }
            JsonNode expiresIn = body.path("expires_in");
            Instant expiresAt = expiresIn.canConvertToLong() || expiresIn.isTextual() && expiresIn.asText().matches("\\d+")
                    ? sent.plusSeconds(expiresIn.asLong()) : null;
            return new AccessToken(Secret.of(body.path("access_token").asText()), expiresAt);
        }
        String error = body.path("error").asText("");
        String description = body.path("error_description").asText(body.path("message").asText(""));
        String said = (error + (description.isEmpty() ? "" : (error.isEmpty() ? "" : ": ") + description)).trim();
        if (said.length() > 300) {
            said = said.substring(0, 300) + "...";
        }
        if (secrets.reveals(said)) {
            said = "(its answer would show part of a secret, so it is not shown)";
        }
        String what = "the OAuth token endpoint " + shownEndpoint() + " refused the " + grant.wireName()
                + " grant of client " + secrets.shown(clientId) + (said.isEmpty() ? "" : ": " + said) + " (HTTP " + status + ")";
        if (status == 200) {
            throw new IngestException("the OAuth token endpoint " + shownEndpoint() + " answered without an access_token",
                    false);
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new IngestException(what + "; will try again", true);
        }
        throw new IngestException(what + ". Check the client id and secret"
                + (grant == Grant.REFRESH_TOKEN ? " and the refresh token (it may have expired or been revoked)" : "")
                + (scope == null ? "" : " and the scope") + ", and that the endpoint is the identity provider's token"
                + " endpoint.", false);
    }

    private String shownEndpoint() {
        return secrets.shown(endpoint.toString());
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = body == null || body.length == 0 ? null : JSON.readTree(body);
            return node != null && node.isObject() ? node : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** The grant, endpoint, client id and scope; the secret and tokens as {@code [hidden]}. */
    @Override
    public String toString() {
        return shown;
    }

    /** Builds an {@link OAuthTokenClient}. Mutable, not thread-safe. */
    public static final class Builder {
        private final URI endpoint;
        private final String clientId;
        private final Secret clientSecret;
        private final Secret refreshToken;
        private String scope;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration refreshBefore = RefreshingTokens.DEFAULT_REFRESH_BEFORE;
        private HttpClient http;
        private Clock clock = Clock.systemUTC();

        private Builder(URI endpoint, String clientId, Secret clientSecret, Secret refreshToken) {
            Objects.requireNonNull(endpoint, "tokenEndpoint must not be null");
            Objects.requireNonNull(clientId, "clientId must not be null");
            Objects.requireNonNull(clientSecret, "clientSecret must not be null");
            if (!"https".equals(endpoint.getScheme()) && !"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("tokenEndpoint must be an https URL (or http for a local emulator) with a"
                        + " host name");
            }
            if (clientId.isBlank()) {
                throw new IllegalArgumentException("clientId must not be blank");
            }
            if (clientSecret.isEmpty()) {
                throw new IllegalArgumentException("clientSecret must not be empty");
            }
            if (refreshToken != null && refreshToken.isEmpty()) {
                throw new IllegalArgumentException("refreshToken must not be empty");
            }
            this.endpoint = endpoint;
            this.clientId = clientId.trim();
            this.clientSecret = clientSecret;
            this.refreshToken = refreshToken;
        }

        /**
         * The scope to request, for example {@code session:role:INGEST} (Snowflake's role scope). Default: none sent,
         * so the endpoint grants its default (for a refresh token, the scope it was issued with).
         *
         * @throws NullPointerException     if scope is null
         * @throws IllegalArgumentException if scope is blank
         */
        public Builder scope(String scope) {
            Objects.requireNonNull(scope, "scope must not be null");
            if (scope.isBlank()) {
                throw new IllegalArgumentException("scope must not be blank");
            }
            this.scope = scope.trim();
            return this;
        }

        /** The timeout of one token request (and of connecting). Default 30 s; must be &gt; 0. */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout must not be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be > 0, was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** How long before expiry a token is renewed (at most halfway through its life). Default 60 s; &gt;= 0. */
        public Builder refreshBefore(Duration refreshBefore) {
            Objects.requireNonNull(refreshBefore, "refreshBefore must not be null");
            if (refreshBefore.isNegative()) {
                throw new IllegalArgumentException("refreshBefore must be >= 0, was " + refreshBefore);
            }
            this.refreshBefore = refreshBefore;
            return this;
        }

        /** The HTTP client for token requests (for a proxy, say). Default: a new JDK client. */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "httpClient must not be null");
            return this;
        }

        /** The clock expiries are computed on. Default: the system UTC clock. For tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Builds the client; no request is sent until the first {@link OAuthTokenClient#token()}. */
        public OAuthTokenClient build() {
            return new OAuthTokenClient(this);
        }

        /** The settings, the secret and refresh token as {@code [hidden]}. */
        @Override
        public String toString() {
            List<String> secretText = new ArrayList<>(2);
            secretText.add(clientSecret.reveal());
            if (refreshToken != null) {
                secretText.add(refreshToken.reveal());
            }
            SecretFragments secrets = SecretFragments.of(secretText);
            return "OAuthTokenClient.Builder{grant=" + (refreshToken == null ? "client_credentials" : "refresh_token")
                    + ", tokenEndpoint=" + secrets.shown(endpoint.toString()) + ", clientId=" + secrets.shown(clientId)
                    + ", clientSecret=[hidden]" + (refreshToken == null ? "" : ", refreshToken=[hidden]")
                    + ", scope=" + secrets.shown(scope) + "}";
        }
    }
}
