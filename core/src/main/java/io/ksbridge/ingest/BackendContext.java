package io.ksbridge.ingest;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.RetryPolicy;
import java.util.Objects;

/**
 * What the bridge tells its backend at {@link IngestBackend#start}.
 *
 * @param bridgeName   a name for this bridge instance (client and channel names may use it), never null
 * @param listener     the bridge's listener, for events only the backend sees, never null
 * @param retry        the bridge's retry policy, for a backend's own internal retries, never null
 * @param errorPolicy  the bridge's error policy, so a backend can choose how strictly to handle rows Snowflake
 *                     rejects (Streaming writes nothing of a batch with a rejected row under {@code failFast()}),
 *                     never null
 * @param loadFailures where a backend reports rows that failed after their batch was already reported durable
 *                     ({@link #loadFailed}), never null
 */
public record BackendContext(String bridgeName, BridgeListener listener, RetryPolicy retry, ErrorPolicy errorPolicy,
                             LoadFailures loadFailures) {

    /**
     * Where a backend reports a failure that comes after the batch's outcome: Snowpipe accepts a file, the batch is
     * durable in the stage, and Snowflake's load of it fails minutes later. The bridge tells the listener
     * ({@code onLoadFailure}) and, under {@link ErrorPolicy#failFast()}, stops at its next turn naming the range.
     */
    @FunctionalInterface
    public interface LoadFailures {
        /**
         * Reports one failed load; any thread.
         *
         * @param failure the table, partition, offset range, where the rows are kept, and Snowflake's error
         */
        void failed(BridgeEvents.LoadFailure failure);
    }

    /** Checks that nothing is null. */
    public BackendContext {
        Objects.requireNonNull(bridgeName, "bridgeName");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(errorPolicy, "errorPolicy");
        Objects.requireNonNull(loadFailures, "loadFailures");
    }

    /**
     * A context whose load failures only reach the listener (for a backend run outside a bridge, as in its tests).
     *
     * @param bridgeName  a name for this bridge instance
     * @param listener    the listener
     * @param retry       the retry policy
     * @param errorPolicy the error policy
     */
    public BackendContext(String bridgeName, BridgeListener listener, RetryPolicy retry, ErrorPolicy errorPolicy) {
        this(bridgeName, listener, retry, errorPolicy, listener::onLoadFailure);
    }

    /**
     * A context for a bridge with the default error policy, {@link ErrorPolicy#failFast()}.
     *
     * @param bridgeName a name for this bridge instance
     * @param listener   the listener
     * @param retry      the retry policy
     */
    public BackendContext(String bridgeName, BridgeListener listener, RetryPolicy retry) {
        this(bridgeName, listener, retry, ErrorPolicy.failFast());
    }

    /**
     * Reports rows that failed after their batch was reported durable; see {@link LoadFailures}.
     *
     * @param failure what failed
     */
    public void loadFailed(BridgeEvents.LoadFailure failure) {
        loadFailures.failed(failure);
    }
}
