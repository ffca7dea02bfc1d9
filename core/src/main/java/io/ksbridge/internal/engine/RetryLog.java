package io.ksbridge.internal.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * Rate-limits retry warnings per key (a partition): the first retry is a warning, then at most one warning per
 * {@link #INTERVAL_NANOS}, each saying how many retries went to DEBUG since the last one. Polling thread only.
 */
final class RetryLog {
    static final long INTERVAL_NANOS = 10_000_000_000L;

    private final Ticker ticker;
    private final Map<Object, long[]> byKey = new HashMap<>(); // {last warning, retries since}

    RetryLog(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * For one retry of {@code key}: -1 when it goes to DEBUG, otherwise warn, and the result is how many retries of
     * the key were not warned about since the previous warning.
     */
    long admit(Object key) {
        long now = ticker.nanoTime();
        long[] state = byKey.get(key);
        if (state == null) {
            byKey.put(key, new long[] {now, 0});
            return 0;
        }
        if (now - state[0] >= INTERVAL_NANOS) {
            long quiet = state[1];
            state[0] = now;
            state[1] = 0;
            return quiet;
        }
        state[1]++;
        return -1;
    }

    /** A policy's attempt limit as a log line shows it: the number, or "unlimited". */
    static String limit(io.ksbridge.RetryPolicy policy) {
        return policy.maxAttempts() == 0 ? "unlimited" : String.valueOf(policy.maxAttempts());
    }

    /** Forgets a key (its partition was revoked). */
    void forget(Object key) {
        byKey.remove(key);
    }
}
