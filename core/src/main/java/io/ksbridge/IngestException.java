package io.ksbridge;

/**
 * Snowflake (or a backend) refused or failed an ingest. {@link #isRetriable()} separates transient faults
 * (throttling, 5xx, timeouts: retried with backoff) from fatal ones (authentication, privileges, a dropped
 * table: the bridge stops with this error, whose message says what to fix).
 */
public class IngestException extends BridgeException {
    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    public IngestException(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }

    public IngestException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** True when the same request may succeed later. */
    public boolean isRetriable() {
        return retriable;
    }
}
