package io.ksbridge.internal.engine;

import java.time.Duration;

/** A clock that moves only when the test moves it. */
final class FakeTicker implements Ticker {
    private long nanos = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    synchronized void advance(Duration d) {
        nanos += d.toNanos();
    }
}
