package io.ksbridge.snowflake;

import io.ksbridge.Experimental;
import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where an account's OAuth access tokens come from, for {@link SnowflakeAccount.Builder#oauth}: the SQL API client
 * sends {@link #token()} as {@code Authorization: Bearer <token>} with
 * {@code X-Snowflake-Authorization-Token-Type: OAUTH}, and asks for {@link #refresh} once when Snowflake answers
 * 401. Three kinds come with ksbridge:
 * <ul>
 *   <li>{@link #fixed(Secret)}: one token, as it is (it is never renewed; when it expires, Snowflake refuses it);</li>
 *   <li>{@link #refreshing(Supplier)}: tokens from your own code (a vault, a sidecar), fetched again before each
 *       expires, one fetch at a time;</li>
 *   <li>{@link OAuthTokenClient}: the OAuth 2.0 client-credentials or refresh-token grant against a token endpoint
 *       (Snowflake OAuth or an External OAuth identity provider).</li>
 * </ul>
 * Which backends take which kind is said by each backend: the ingest SDK's Streaming client renews tokens itself
 * and takes only the refresh-token grant's settings; Snowpipe's REST API takes no OAuth token at all.
 *
 * <p>Implementations must be thread-safe: several threads ask at once. Tokens are {@link Secret}s, and an
 * implementation's {@code toString()} and exception messages must not show them.
 */
@Experimental
@FunctionalInterface
public interface AccessTokenProvider {
    /**
     * A token to send now. May block while a new one is fetched (bounded by the provider's own timeouts).
     *
     * @return the token, never null
     * @throws IngestException when no token can be had: {@code isRetriable()} when it may work later (the token
     *                         endpoint is down), else not (the client was refused); the message never contains a
     *                         secret
     */
    AccessToken token();

    /**
     * A token to use instead of {@code rejected}, which Snowflake just refused (HTTP 401). When another thread has
     * already replaced it, that replacement; otherwise a new token is fetched. Default: {@link #token()}.
     *
     * @param rejected the token that was refused, never null
     * @return the token to try next, never null; may equal {@code rejected} when nothing newer can be had
     * @throws IngestException as {@link #token()}
     */
    default AccessToken refresh(AccessToken rejected) {
        return token();
    }

    /**
     * One token, used as it is until the provider is dropped: for tokens that some other process renews, or for
     * tests. Expiry is unknown, so it is never refreshed; {@link #refresh} hands back the same token.
     *
     * @param token the access token, never null, not empty
     * @return a provider, never null; its {@code toString()} is {@code AccessTokenProvider.fixed([hidden])}
     * @throws NullPointerException     if token is null
     * @throws IllegalArgumentException if token is empty
     */
    static AccessTokenProvider fixed(Secret token) {
        return new FixedToken(AccessToken.of(Objects.requireNonNull(token, "token must not be null")));
    }

    /**
     * Tokens from {@code fetch}, each kept until it is about to expire: a token is fetched again 60 seconds before
     * its {@link AccessToken#expiresAt()} (or halfway through its life when that is shorter), by one thread while the
     * others go on with the still-valid token; only when there is no valid token do callers wait for the fetch. A
     * token without an expiry is kept until Snowflake refuses it. When a fetch fails while the current token is still
     * valid, the current token is used and the fetch is tried again on the next call.
     *
     * @param fetch gets a new token; called by one thread at a time, never concurrently; must bound its own time;
     *              may throw {@link IngestException}, which reaches the caller of {@link #token()} when no valid token
     *              is left
     * @return a thread-safe provider, never null
     * @throws NullPointerException if fetch is null
     */
    static AccessTokenProvider refreshing(Supplier<AccessToken> fetch) {
        return refreshing(fetch, RefreshingTokens.DEFAULT_REFRESH_BEFORE, Clock.systemUTC());
    }

    /**
     * As {@link #refreshing(Supplier)}, refreshing {@code refreshBefore} ahead of expiry (at most halfway through a
     * token's life), on {@code clock}'s time.
     *
     * @param fetch         gets a new token, as in {@link #refreshing(Supplier)}; never null
     * @param refreshBefore how long before expiry to fetch a new token; &gt;= 0, never null
     * @param clock         the time expiries are compared with; never null
     * @return a thread-safe provider, never null
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if refreshBefore is negative
     */
    static AccessTokenProvider refreshing(Supplier<AccessToken> fetch, Duration refreshBefore, Clock clock) {
        Objects.requireNonNull(fetch, "fetch must not be null");
        return new RefreshingTokens(fetch, refreshBefore, clock,
                "AccessTokenProvider.refreshing(" + fetch.getClass().getName() + ")");
    }
}
