package io.ksbridge;

import java.time.Duration;
import java.util.Objects;

/**
 * How the bridge waits between attempts at a batch the backend could not load for a transient reason.
 * While a batch waits, its partition's offsets wait too: nothing is committed past it. Immutable and
 * thread-safe.
 *
 * @param initial     the first delay, &gt; 0
 * @param max         the longest delay, &ge; initial
 * @param multiplier  growth per attempt, &ge; 1
 * @param maxAttempts attempts before the bridge stops with the last cause; 0 means retry forever
 */
public record RetryPolicy(Duration initial, Duration max, double multiplier, int maxAttempts) {

    public RetryPolicy {
        Objects.requireNonNull(initial, "initial must not be null");
        Objects.requireNonNull(max, "max must not be null");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("RetryPolicy initial must be > 0, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("RetryPolicy max must be >= initial (" + initial + "), was " + max);
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("RetryPolicy multiplier must be >= 1, was " + multiplier);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("RetryPolicy maxAttempts must be >= 0, was " + maxAttempts);
        }
    }

    /** 100 ms doubling up to 30 s, forever: the default. */
    public static RetryPolicy defaults() {
        return exponential(Duration.ofMillis(100), Duration.ofSeconds(30));
    }

    /** Doubling delays from {@code initial} up to {@code max}, retrying forever. */
    public static RetryPolicy exponential(Duration initial, Duration max) {
        return new RetryPolicy(initial, max, 2.0, 0);
    }

    /** A copy that gives up after {@code attempts} attempts (0: never gives up). */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(initial, max, multiplier, attempts);
    }

    /** The delay before attempt {@code attempt} (1 = the first retry), capped at {@link #max()}. */
    public Duration delay(int attempt) {
        // In seconds as a double, so a sub-millisecond initial delay does not truncate to zero (a hot retry loop).
        double seconds = seconds(initial) * Math.pow(multiplier, Math.max(0, attempt - 1));
        return seconds >= seconds(max) ? max : Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    /** True when another attempt is allowed after {@code attemptsSoFar} failed ones. */
    public boolean allows(int attemptsSoFar) {
        return maxAttempts == 0 || attemptsSoFar < maxAttempts;
    }
}
