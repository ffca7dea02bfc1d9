package io.ksbridge;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the bridge does with a record it cannot load: one that its {@link RecordFormat} rejects, one over
 * {@code maxRecordBytes}, or one Snowflake rejects row by row. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #failFast()} (default; the connector's {@code errors.tolerance=none}): the bridge stops
 *       with a {@link RecordFormatException} naming topic, partition and offset, and commits nothing past
 *       the last durable record.</li>
 *   <li>{@link #deadLetter(String)}: the original key, value and headers go to a dead-letter topic, with
 *       {@code ksbridge.error.*} headers saying why, and the bridge goes on. The record's offset is
 *       committed only once the dead-letter write is acknowledged.</li>
 *   <li>{@link #skip()}: the record is dropped, counted and reported to
 *       {@link BridgeListener#onSkip}. Only when asked for.</li>
 * </ul>
 */
public final class ErrorPolicy {

    /** The three ways to handle a bad record. */
    public enum Action { FAIL, DEAD_LETTER, SKIP }

    private static final ErrorPolicy FAIL_FAST = new ErrorPolicy(Action.FAIL, null, Map.of());
    private static final ErrorPolicy SKIP = new ErrorPolicy(Action.SKIP, null, Map.of());

    private final Action action;
    private final String deadLetterTopic;
    private final Map<String, Object> producerProperties;

    private ErrorPolicy(Action action, String deadLetterTopic, Map<String, Object> producerProperties) {
        this.action = action;
        this.deadLetterTopic = deadLetterTopic;
        this.producerProperties = producerProperties;
    }

    /** Stop on the first bad record. The default. */
    public static ErrorPolicy failFast() {
        return FAIL_FAST;
    }

    /** Drop bad records, reporting each to the listener. */
    public static ErrorPolicy skip() {
        return SKIP;
    }

    /**
     * Send bad records to {@code topic} on the same cluster as the consumer (its {@code bootstrap.servers}
     * and security settings are reused by the dead-letter producer).
     *
     * @param topic the dead-letter topic, never null or blank
     * @throws IllegalArgumentException if topic is blank
     */
    public static ErrorPolicy deadLetter(String topic) {
        return deadLetter(topic, Map.of());
    }

    /**
     * Like {@link #deadLetter(String)}, with extra producer properties (for example another cluster's
     * {@code bootstrap.servers}). {@code acks=all} and idempotence are always set.
     */
    public static ErrorPolicy deadLetter(String topic, Map<String, ?> producerProperties) {
        Objects.requireNonNull(topic, "deadLetter topic must not be null");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("deadLetter topic must not be blank");
        }
        Objects.requireNonNull(producerProperties, "producerProperties must not be null");
        return new ErrorPolicy(Action.DEAD_LETTER, topic, Map.copyOf(producerProperties));
    }

    public Action action() {
        return action;
    }

    /** The dead-letter topic, present only for {@link Action#DEAD_LETTER}. */
    public Optional<String> deadLetterTopic() {
        return Optional.ofNullable(deadLetterTopic);
    }

    /** Extra producer properties for the dead-letter producer; empty unless given. */
    public Map<String, Object> producerProperties() {
        return producerProperties;
    }

    @Override
    public String toString() {
        return switch (action) {
            case FAIL -> "failFast";
            case SKIP -> "skip";
            case DEAD_LETTER -> "deadLetter(" + deadLetterTopic + ")";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorPolicy p && p.action == action && Objects.equals(p.deadLetterTopic, deadLetterTopic)
                && p.producerProperties.equals(producerProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(action, deadLetterTopic, producerProperties);
    }
}
