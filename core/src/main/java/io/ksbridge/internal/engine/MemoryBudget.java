package io.ksbridge.internal.engine;

/**
 * The bytes the bridge holds (buffered and in flight, with their source records) against {@code maxBufferedBytes}.
 * Polling thread; {@link #view()} for any thread.
 */
final class MemoryBudget {
    private final long max;
    private long used;
    private volatile long view;
    /** The consumer is paused because the cap was reached; it resumes below half of it. */
    boolean paused;

    MemoryBudget(long max) {
        this.max = max;
    }

    boolean fits(long size) {
        return used + size <= max;
    }

    boolean lowEnoughToResume() {
        return used <= max / 2;
    }

    void take(long bytes) {
        used += bytes;
        view = used;
    }

    void give(long bytes) {
        used -= bytes;
        view = used;
    }

    long used() {
        return used;
    }

    long view() {
        return view;
    }
}
