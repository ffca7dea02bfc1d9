package io.ksbridge.ingest;

import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.RetryPolicy;

/**
 * What the bridge tells its backend at {@link IngestBackend#start}.
 *
 * @param bridgeName a name for this bridge instance (client and channel names may use it), never null
 * @param listener   the bridge's listener, for events only the backend sees ({@code onLoadFailure}), never null
 * @param retry      the bridge's retry policy, for a backend's own internal retries, never null
 * @param errorPolicy the bridge's error policy, so a backend can choose how strictly to handle rows Snowflake
 *                    rejects (Streaming writes nothing of a batch with a rejected row under {@code failFast()}),
 *                    never null
 */
public record BackendContext(String bridgeName, BridgeListener listener, RetryPolicy retry, ErrorPolicy errorPolicy) {

    /** A context for a bridge with the default error policy, {@link ErrorPolicy#failFast()}. */
    public BackendContext(String bridgeName, BridgeListener listener, RetryPolicy retry) {
        this(bridgeName, listener, retry, ErrorPolicy.failFast());
    }
}
