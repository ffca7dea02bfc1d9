package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One change source's work on the bridge's tables while this instance is active ({@link StreamMode}, the managed
 * stream, or {@link ChangesMode}, the CHANGES clause). The {@link SourceLoop} keeps the election and the producer and
 * calls these on its thread.
 */
interface SourceMode {
    /** This instance became active: each table's last committed position (its JSON), absent when it has none. */
    void activate(Map<String, JsonNode> committed);

    /** One unit of work per table; true when some table did something (so the loop should not sleep). */
    boolean step();

    /** A transient failure happened: resolve any doubt about Snowflake's state at the next step. */
    void doubt();

    /** The producer closed (standing by, or a Kafka error): forget the positions held in memory. */
    void deactivate();
}
