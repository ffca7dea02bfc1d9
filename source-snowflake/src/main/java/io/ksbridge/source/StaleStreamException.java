package io.ksbridge.source;

import io.ksbridge.BridgeException;
import io.ksbridge.Experimental;

/** A table's stream is stale and the bridge was told to {@link Stale#FAIL_FAST}. The message names stream and fix. */
@Experimental
public class StaleStreamException extends BridgeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is stale and what to do, never null
     */
    public StaleStreamException(String message) {
        super(message);
    }
}
