package io.ksbridge;

/** Thrown when a bridge is used after {@code close()}, or after it stopped on a failure. */
public class BridgeClosedException extends BridgeException {
    private static final long serialVersionUID = 1L;

    public BridgeClosedException(String message) {
        super(message);
    }

    public BridgeClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
