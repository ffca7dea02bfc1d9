package io.ksbridge.internal.engine;

/** The engine's monotonic clock in nanoseconds, injected so that tests move time by hand. */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences mean anything, as with {@link System#nanoTime()}. */
    long nanoTime();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
