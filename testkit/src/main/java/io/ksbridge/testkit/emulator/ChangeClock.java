package io.ksbridge.testkit.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The emulator's clock for change tracking: table versions are stamped with it, {@code CURRENT_TIMESTAMP()} reads
 * it, and stream staleness is judged by it. It starts at the system time and then moves only forward: with real
 * time, or further when a test calls {@link #advance}. Millisecond resolution. Thread-safe.
 */
public final class ChangeClock {
    private long offsetMillis;
    private long last;

    /** The current time, in epoch milliseconds; never less than any earlier answer. */
    public synchronized long millis() {
        long now = System.currentTimeMillis() + offsetMillis;
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
        offsetMillis += by.toMillis();
        return this;
    }

    /** A commit time strictly after {@code previous}: now, or previous + 1 ms when the clock has not moved on. */
    synchronized long commitTime(long previous) {
        long now = millis();
        if (now <= previous) {
            offsetMillis += previous + 1 - now;
            now = previous + 1;
            last = now;
        }
        return now;
    }
}
