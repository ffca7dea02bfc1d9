package io.ksbridge.snowflake;

/** {@link AccessTokenProvider#fixed}: one token, as it is. Immutable and thread-safe. */
final class FixedToken implements AccessTokenProvider {
    private final AccessToken token;

    FixedToken(AccessToken token) {
        this.token = token;
    }

    @Override
    public AccessToken token() {
        return token;
    }

    @Override
    public String toString() {
        return "AccessTokenProvider.fixed([hidden])";
    }
}
