package io.ksbridge.peers;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.testkit.EmbeddedKafka;
import java.util.Map;
import java.util.function.Function;

/**
 * ksbridge built from a connector's properties, step by step as {@code docs/migrating-from-the-connector.md} says:
 * {@link BridgeConfig#from(Map)} of the same map, {@code applyTo} the builder, the backend the ingestion method
 * names, and the connector's consumer group {@code connect-<name>} so the bridge starts where the connector's
 * committed offsets are. The backend is the caller's (the guide's {@code switch}), so this module needs neither.
 */
public final class Takeover {
    private Takeover() {
    }

    /**
     * A bridge builder for {@code properties}: named after the connector, in its consumer group, its key and value
     * formats as the connector's string key and JSON value converters give them, the backend from
     * {@code backendFor}.
     */
    public static KafkaToSnowflakeBridge.Builder bridge(Map<String, String> properties, EmbeddedKafka kafka,
                                                       Function<BridgeConfig, IngestBackend> backendFor) {
        BridgeConfig config = BridgeConfig.from(properties);
        String name = config.name().orElseThrow(() -> new IllegalArgumentException("the properties have no name"));
        Map<String, Object> consumer = kafka.consumerProperties(ConnectWorker.groupOf(name));
        return config.applyTo(KafkaToSnowflakeBridge.builder())
                .consumerProperties(consumer)
                .backend(backendFor.apply(config));
    }
}
