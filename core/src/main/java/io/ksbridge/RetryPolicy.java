package io.ksbridge;

import java.time.Duration;
import java.util.Objects;

/**
 * How the bridge waits between attempts at a batch the backend could not load for a transient reason, and when it
 * gives up. While a batch waits, its partition's offsets wait too: nothing is committed past it. When the attempts
 * run out the bridge stops with the last cause (an {@link IngestException} naming the batch), committing only what
 * is durable; a restart resumes from there. Immutable and thread-safe.
 *
 * <p>Each delay is shortened by a random fraction of up to {@code jitter} (0.2: a delay of 10 s becomes one between
 * 8 and 10 s), so that many bridges that failed together do not retry together.
 *
 * @param initial     the first delay, &gt; 0
 * @param max         the longest delay, &ge; initial
 * @param multiplier  growth per attempt, &ge; 1
 * @param maxAttempts attempts before the bridge stops with the last cause; 0 means retry forever
 * @param jitter      the largest fraction of a delay taken off at random, 0 (none) to 1
 */
public record RetryPolicy(Duration initial, Duration max, double multiplier, int maxAttempts, double jitter) {

    /** The default jitter of the factories: up to a fifth of each delay. */
    public static final double DEFAULT_JITTER = 0.2;

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
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("RetryPolicy jitter must be between 0 and 1, was " + jitter);
        }
    }

    /** A policy without jitter: every delay exactly as {@link #delay(int)} computes it. */
    public RetryPolicy(Duration initial, Duration max, double multiplier, int maxAttempts) {
        this(initial, max, multiplier, maxAttempts, 0.0);
    }

    /**
     * The default: 100 ms doubling up to 30 s, with jitter, giving up after 40 attempts, which is a quarter of an
     * hour or so of a backend failing without a break (about 13 to 16 minutes). Long enough to ride out a
     * Snowflake incident's usual blips and a token or network hiccup, short enough that a broken setup stops with
     * its cause instead of retrying unseen.
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 2.0, 40, DEFAULT_JITTER);
    }

    /** {@link #defaults()} that never gives up: for a pipeline that must wait out any outage. */
    public static RetryPolicy forever() {
        return defaults().withMaxAttempts(0);
    }

    /** Doubling delays from {@code initial} up to {@code max}, with the default jitter, retrying forever. */
    public static RetryPolicy exponential(Duration initial, Duration max) {
        return new RetryPolicy(initial, max, 2.0, 0, DEFAULT_JITTER);
    }

    /** A copy that gives up after {@code attempts} attempts (0: never gives up). */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(initial, max, multiplier, attempts, jitter);
    }

    /** A copy with another jitter, 0 to 1 (0: no jitter). */
    public RetryPolicy withJitter(double fraction) {
        return new RetryPolicy(initial, max, multiplier, maxAttempts, fraction);
    }

    /** The delay before attempt {@code attempt} (1 = the first retry) without jitter, capped at {@link #max()}. */
    public Duration delay(int attempt) {
        // In seconds as a double, so a sub-millisecond initial delay does not truncate to zero (a hot retry loop).
        double seconds = seconds(initial) * Math.pow(multiplier, Math.max(0, attempt - 1));
        return seconds >= seconds(max) ? max : Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * The delay before attempt {@code attempt} with jitter: {@link #delay(int)} shortened by
     * {@code jitter * random}, where {@code random} is a number in [0, 1) the caller draws. Never longer than
     * {@link #delay(int)}, never shorter than one nanosecond.
     */
    public Duration delay(int attempt, double random) {
        if (!(random >= 0.0 && random < 1.0)) {
            throw new IllegalArgumentException("random must be in [0, 1), was " + random);
        }
        Duration nominal = delay(attempt);
        if (jitter == 0.0) {
            return nominal;
        }
        long nanos = Math.round(seconds(nominal) * 1e9 * (1.0 - jitter * random));
        return Duration.ofNanos(Math.max(1, nanos));
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    /** True when another attempt is allowed after {@code attemptsSoFar} failed ones. */
    public boolean allows(int attemptsSoFar) {
        return maxAttempts == 0 || attemptsSoFar < maxAttempts;
    }
}
