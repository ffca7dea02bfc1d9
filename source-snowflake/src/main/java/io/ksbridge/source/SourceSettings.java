package io.ksbridge.source;

import io.ksbridge.snowflake.SnowflakeAccount;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** A bridge's settings, fixed at build time. Immutable. */
record SourceSettings(String name, SnowflakeAccount account, Map<String, Object> producerProperties, List<TableSpec> tables,
                      ChangeSource source, Snapshot snapshot, ChangeFormat format, Deletes deletes, Duration pollInterval,
                      int maxTransactionRows, long maxTransactionBytes, Duration transactionTimeout, Stale onStale,
                      boolean transactional, SourceListener listener, String offsetsTopic, Duration electionTimeout,
                      Duration requestTimeout) {
    SourceSettings {
        producerProperties = Map.copyOf(producerProperties);
        tables = List.copyOf(tables);
    }

    /** The user's client settings a consumer understands (bootstrap, security), for the election and position reads. */
    Map<String, Object> consumerProperties() {
        Map<String, Object> out = new HashMap<>();
        producerProperties.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k) && !k.startsWith("key.") && !k.startsWith("value.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    Map<String, Object> adminProperties() {
        Map<String, Object> out = new HashMap<>();
        producerProperties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    String transactionalId() {
        return "ksbridge-" + name;
    }

    String groupId() {
        return "ksbridge-" + name;
    }
}
