package io.ksbridge.peers;

import io.ksbridge.config.BridgeConfig;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Snowflake Kafka connector properties for the emulator, as a user would write them: the same map runs the connector
 * in a {@link ConnectWorker} and ksbridge through {@link BridgeConfig#from(Map)} ({@link Takeover}). The Snowpipe
 * mode needs the emulator's cloud-style stages ({@link SnowflakeEmulator#cloudStyleStages(boolean)}): the connector
 * refuses {@code LOCAL_FS}.
 */
public final class ConnectorProperties {
    /** The connector's class. */
    public static final String CONNECTOR_CLASS = "com.snowflake.kafka.connector.SnowflakeSinkConnector";

    private ConnectorProperties() {
    }

    /**
     * Connector {@code name} in Snowpipe (file) mode into {@code database.PUBLIC}: the connector's own JSON converter for values (what its
     * Snowpipe documentation prescribes), string keys, files flushed every {@code countRecords} records per partition
     * or 10 s (the connector's minimum).
     */
    public static Map<String, String> snowpipe(SnowflakeEmulator emulator, String name, String database,
                                               String topics, int countRecords) {
        Map<String, String> p = common(emulator, name, database, topics, countRecords);
        p.put(BridgeConfig.INGESTION_METHOD, "SNOWPIPE");
        p.put(BridgeConfig.BUFFER_FLUSH_TIME, "10");
        p.put("value.converter", "com.snowflake.kafka.connector.records.SnowflakeJsonConverter");
        return p;
    }

    /**
     * Connector {@code name} in Snowpipe Streaming (classic channels) mode into {@code database.PUBLIC}: Connect's JSON converter without
     * schemas for values, string keys, a flush every {@code countRecords} records or 1 s, 1 s client lag.
     */
    public static Map<String, String> streaming(SnowflakeEmulator emulator, String name, String database,
                                                String topics, int countRecords) {
        Map<String, String> p = common(emulator, name, database, topics, countRecords);
        p.put(BridgeConfig.INGESTION_METHOD, "SNOWPIPE_STREAMING");
        p.put(BridgeConfig.BUFFER_FLUSH_TIME, "1");
        p.put(BridgeConfig.STREAMING_MAX_CLIENT_LAG, "1");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "false");
        // 2.5.0 asks Snowflake at each channel open to move the token of a channel named the 2.x way
        // (<connector>_<topic>_<partition>) to <topic>_<partition> (SYSTEM$SNOWPIPE_STREAMING_MIGRATE_CHANNEL_OFFSET_TOKEN),
        // which the emulator does not answer; no such channel exists here, so there is nothing to move
        p.put("enable.streaming.channel.offset.migration", "false");
        return p;
    }

    private static Map<String, String> common(SnowflakeEmulator emulator, String name, String database,
                                              String topics, int countRecords) {
        Objects.requireNonNull(emulator, "emulator must not be null");
        Map<String, String> p = new LinkedHashMap<>();
        p.put(BridgeConfig.NAME, Objects.requireNonNull(name, "name must not be null"));
        p.put("connector.class", CONNECTOR_CLASS);
        p.put("tasks.max", "1");
        p.put(BridgeConfig.TOPICS, topics);
        p.put(BridgeConfig.URL, emulator.url()); // http://127.0.0.1:<port>: the connector derives ssl=off from it
        p.put(BridgeConfig.USER, SnowflakeEmulator.USER);
        p.put(BridgeConfig.ROLE, SnowflakeEmulator.ROLE);
        p.put(BridgeConfig.PRIVATE_KEY, keyBody(emulator.privateKeyPem().reveal()));
        p.put(BridgeConfig.DATABASE, database);
        p.put(BridgeConfig.SCHEMA, "PUBLIC");
        p.put(BridgeConfig.BUFFER_COUNT_RECORDS, Integer.toString(countRecords));
        p.put(BridgeConfig.BUFFER_SIZE_BYTES, "5000000");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("jmx", "false");
        // the emulator is plain http on loopback; ksbridge takes http:// only when asked (the connector ignores it)
        p.put(BridgeConfig.ALLOW_INSECURE_HTTP, "true");
        return p;
    }

    /** A PKCS#8 PEM key as the connector takes it: the base64 body on one line, without the header lines. */
    static String keyBody(String pem) {
        StringBuilder body = new StringBuilder();
        for (String line : pem.split("\\R")) {
            if (!line.startsWith("-----") && !line.isBlank()) {
                body.append(line.trim());
            }
        }
        return body.toString();
    }
}
