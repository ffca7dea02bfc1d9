package io.ksbridge.ingest;

import io.ksbridge.BridgeListener;
import io.ksbridge.RetryPolicy;

/**
 * What the bridge tells its backend at {@link IngestBackend#start}.
 *
 * @param bridgeName a name for this bridge instance (client and channel names may use it), never null
 * @param listener   the bridge's listener, for events only the backend sees ({@code onLoadFailure}), never null
 * @param retry      the bridge's retry policy, for a backend's own internal retries, never null
 */
public record BackendContext(String bridgeName, BridgeListener listener, RetryPolicy retry) {
}
