package io.ksbridge.snowflake;

import io.ksbridge.Experimental;
import io.ksbridge.Secret;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An OAuth access token and when it expires, as an {@link AccessTokenProvider} hands it out. Immutable and
 * thread-safe; {@link #toString()} never shows the token.
 *
 * @param value     the token, sent as {@code Authorization: Bearer <value>}; never null, never empty
 * @param expiresAt when the token stops working, or null when unknown (a token given as it is)
 */
@Experimental
public record AccessToken(Secret value, Instant expiresAt) {
    /**
     * @throws NullPointerException     if value is null
     * @throws IllegalArgumentException if value is empty
     */
    public AccessToken {
        Objects.requireNonNull(value, "value must not be null");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("an access token must not be empty");
        }
    }

    /** A token without a known expiry. */
    public static AccessToken of(Secret value) {
        return new AccessToken(value, null);
    }

    /** When the token expires, or empty when unknown. */
    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }

    /** The token as {@code [hidden]} and its expiry. */
    @Override
    public String toString() {
        return "AccessToken{value=[hidden], expiresAt=" + expiresAt + "}";
    }
}
