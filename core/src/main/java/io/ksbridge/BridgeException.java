package io.ksbridge;

/**
 * The root of every exception ksbridge throws on purpose. Unchecked, like Kafka's {@code KafkaException}.
 * Programming errors stay JDK types ({@link NullPointerException}, {@link IllegalArgumentException},
 * {@link IllegalStateException}).
 */
public class BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BridgeException(String message) {
        super(message);
    }

    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
