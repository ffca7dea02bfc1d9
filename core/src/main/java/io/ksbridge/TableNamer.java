package io.ksbridge;

import io.ksbridge.internal.naming.ConnectorTableNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Maps a Kafka topic to the Snowflake table its records land in. Implementations must be pure
 * (same topic, same table) and thread-safe.
 */
@FunctionalInterface
public interface TableNamer {

    /**
     * Returns the table for {@code topic}: an identifier as Snowflake resolves it (unquoted identifiers
     * upper-case), without database or schema.
     *
     * @param topic the topic, never null
     * @return the table name, never null or empty
     * @throws IllegalArgumentException if no table can be derived (for example an empty topic)
     */
    String tableName(String topic);

    /**
     * Exactly the table Snowflake's Kafka connector (v3) would use for the same topic, upper-cased as
     * Snowflake resolves the unquoted name: {@code orders} → {@code ORDERS}, {@code my-topic} →
     * {@code MY_TOPIC_1894580786}, {@code 12345} → {@code _12345_46792755}.
     */
    static TableNamer connectorDefault() {
        return ConnectorTableNames.DEFAULT;
    }

    /**
     * Tables named from an explicit map, as the connector's {@code snowflake.topic2table.map}: a topic equal to
     * a key takes its table; otherwise the first key, in the map's iteration order, that matches the topic as a
     * regular expression does; otherwise this namer decides. Table names are used as written, upper-cased
     * unless quoted ({@code "MixedCase"} keeps its case, without the quotes).
     *
     * @param overrides topic (or topic regex) to table, never null; copied in iteration order
     * @throws IllegalArgumentException if a key is not a valid regex, or a table name is blank
     */
    default TableNamer withOverrides(Map<String, String> overrides) {
        Objects.requireNonNull(overrides, "overrides must not be null");
        return new ConnectorTableNames.Overrides(new LinkedHashMap<>(overrides), this);
    }

    /** Tables named from an explicit map alone; a topic the map does not name is an error. */
    static TableNamer mapping(Map<String, String> overrides) {
        return ((TableNamer) topic -> {
            throw new IllegalArgumentException("no table is mapped for topic '" + topic + "'");
        }).withOverrides(overrides);
    }

    /** Applies {@code after} to the name this namer returns, for example to add a prefix. */
    default TableNamer andThen(UnaryOperator<String> after) {
        Objects.requireNonNull(after, "after must not be null");
        return topic -> after.apply(tableName(topic));
    }
}
