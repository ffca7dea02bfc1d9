package io.ksbridge.testkit.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The emulator's clock for change tracking: table versions are stamped with it, {@code CURRENT_TIMESTAMP()} reads
 * it, and stream staleness is judged by it. It starts at the system time and then moves only forward: with real
 * time, or further when a test calls {@link #advance}; a test may {@link #freeze} it (then only {@link #advance} and
 * commits move it) and {@link #stampNextCommit stamp the next commit} at a past time, as Snowflake stamps a commit
 * that becomes visible only later. Millisecond resolution. Thread-safe.
 */
public final class ChangeClock {
    private long offsetMillis;
    private long last;
    private long frozenAt = -1;
    private long nextStamp = -1;

    /** The current time, in epoch milliseconds; never less than any earlier answer. */
    public synchronized long millis() {
        long now = frozenAt >= 0 ? frozenAt : System.currentTimeMillis() + offsetMillis;
        if (now < last) {
            now = last;
        }
        last = now;
        return now;
    }

    /** The current time as an instant. */
    public Instant now() {
        return Instant.ofEpochMilli(millis());
    }

    /**
     * Moves the clock forward, as if that much time had passed.
     *
     * @param by how far, never null nor negative
     * @return this clock
     */
    public synchronized ChangeClock advance(Duration by) {
        Objects.requireNonNull(by, "by must not be null");
        if (by.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward, was " + by);
        }
        if (frozenAt >= 0) {
            frozenAt += by.toMillis();
        } else {
            offsetMillis += by.toMillis();
        }
        return this;
    }

    /**
     * Stops the clock at its current time: {@code CURRENT_TIMESTAMP()} answers the same value until {@link #advance}
     * (or a commit that needs a later stamp) moves it, so a test knows the bridge's window ends exactly.
     *
     * @return this clock
     */
    public synchronized ChangeClock freeze() {
        if (frozenAt < 0) {
            frozenAt = millis();
        }
        return this;
    }

    /** Lets the clock run with real time again, from where it stood. @return this clock */
    public synchronized ChangeClock unfreeze() {
        if (frozenAt >= 0) {
            offsetMillis = frozenAt - System.currentTimeMillis();
            frozenAt = -1;
        }
        return this;
    }

    /**
     * Stamps the next commit of any table at {@code epochMillis} instead of now: a commit Snowflake stamped then but
     * made visible only now (a late-visible commit, which a CHANGES window that already ended after the stamp never
     * sees). The commit fails with an {@link IllegalStateException} when the stamp is not after its table's newest
     * version. Used once.
     *
     * @param epochMillis the stamp, not after now
     * @return this clock
     * @throws IllegalArgumentException when the stamp is after now
     */
    public synchronized ChangeClock stampNextCommit(long epochMillis) {
        if (epochMillis > millis()) {
            throw new IllegalArgumentException("a commit cannot be stamped after the clock's now (" + millis() + "), was "
                    + epochMillis);
        }
        nextStamp = epochMillis;
        return this;
    }

    /** A commit time strictly after {@code previous}: now, or previous + 1 ms when the clock has not moved on. */
    synchronized long commitTime(long previous) {
        if (nextStamp >= 0) {
            long stamp = nextStamp;
            nextStamp = -1;
            if (stamp <= previous) {
                throw new IllegalStateException("the commit cannot be stamped at " + stamp + ": its table's newest version is"
                        + " stamped " + previous + " (versions are ordered by time)");
            }
            return stamp;
        }
        long now = millis();
        if (now <= previous) {
            if (frozenAt >= 0) {
                frozenAt += previous + 1 - now;
            } else {
                offsetMillis += previous + 1 - now;
            }
            now = previous + 1;
            last = now;
        }
        return now;
    }
}
