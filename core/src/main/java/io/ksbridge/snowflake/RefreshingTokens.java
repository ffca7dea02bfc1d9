package io.ksbridge.snowflake;

import io.ksbridge.IngestException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last token of a fetch function and fetches a new one before it expires, one fetch at a time. Thread-safe:
 * readers take the volatile current token without locking; a fetch holds the lock.
 */
final class RefreshingTokens implements AccessTokenProvider {
    static final Duration DEFAULT_REFRESH_BEFORE = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(RefreshingTokens.class);

    private record Held(AccessToken token, Instant refreshAt) {
        boolean expired(Instant now) {
            return token.expiresAt() != null && !now.isBefore(token.expiresAt());
        }

        boolean due(Instant now) {
            return refreshAt != null && !now.isBefore(refreshAt);
        }
    }

    private final Supplier<AccessToken> fetch;
    private final Duration refreshBefore;
    private final Clock clock;
    private final String shown;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Held current;

    RefreshingTokens(Supplier<AccessToken> fetch, Duration refreshBefore, Clock clock, String shown) {
        this.fetch = Objects.requireNonNull(fetch, "fetch must not be null");
        this.refreshBefore = Objects.requireNonNull(refreshBefore, "refreshBefore must not be null");
        if (refreshBefore.isNegative()) {
            throw new IllegalArgumentException("refreshBefore must be >= 0, was " + refreshBefore);
        }
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.shown = shown;
    }

    @Override
    public AccessToken token() {
        Held held = current;
        Instant now = clock.instant();
        if (held != null && !held.due(now)) {
            return held.token();
        }
        if (held != null && !held.expired(now)) {
            // due but still valid: one thread refreshes, the others go on with the current token
            if (!lock.tryLock()) {
                return held.token();
            }
            try {
                Held again = current;
                if (again != held) {
                    return again.token();
                }
                try {
                    return fetchLocked().token();
                } catch (IngestException e) {
                    LOG.warn("could not renew the OAuth access token ahead of its expiry at {}; going on with the current"
                            + " one: {}", held.token().expiresAt(), e.getMessage());
                    return held.token();
                }
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            Held again = current;
            if (again != null && again != held && !again.expired(clock.instant())) {
                return again.token();
            }
            return fetchLocked().token();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AccessToken refresh(AccessToken rejected) {
        Objects.requireNonNull(rejected, "rejected must not be null");
        lock.lock();
        try {
            Held held = current;
            if (held != null && !held.token().value().equals(rejected.value()) && !held.expired(clock.instant())) {
                return held.token(); // another thread has replaced it already
            }
            return fetchLocked().token();
        } finally {
            lock.unlock();
        }
    }

    private Held fetchLocked() {
        Instant fetchedAt = clock.instant();
        AccessToken token = Objects.requireNonNull(fetch.get(), "the token supplier returned null");
        Instant refreshAt = null;
        if (token.expiresAt() != null) {
            Duration life = Duration.between(fetchedAt, token.expiresAt());
            Duration margin = life.isNegative() ? Duration.ZERO : min(refreshBefore, life.dividedBy(2));
            refreshAt = token.expiresAt().minus(margin);
        }
        Held held = new Held(token, refreshAt);
        current = held;
        return held;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return shown;
    }
}
