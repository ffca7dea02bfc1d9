package io.ksbridge;

import io.ksbridge.ingest.IngestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The immutable settings a {@link KafkaToSnowflakeBridge} was built with. Obtained from
 * {@link KafkaToSnowflakeBridge#settings()}. {@link #toString()} lists every setting with secret-looking consumer
 * properties (passwords, JAAS configs, keys) shown as {@code [hidden]}. {@code transform} is null when no
 * {@link RecordTransform} is set, {@code router} when no
 * {@link TableRouter} is set (each topic's records go to its {@code tableNamer} table).
 */
public record BridgeSettings(
        String name,
        Map<String, Object> consumerProperties,
        List<String> topics,
        Pattern topicPattern,
        RecordFormat format,
        RecordFormat keyFormat,
        TableNamer tableNamer,
        FlushPolicy flushPolicy,
        MetadataOptions metadata,
        ErrorPolicy errorPolicy,
        NullValueBehavior nullValues,
        long maxBufferedBytes,
        long maxRecordBytes,
        int maxInFlightBatches,
        RetryPolicy retryPolicy,
        Duration pollTimeout,
        Duration commitInterval,
        Duration closeTimeout,
        Duration batchTimeout,
        IngestBackend backend,
        BridgeListener listener,
        RecordTransform transform,
        TableRouter router) {

    public BridgeSettings {
        consumerProperties = Map.copyOf(consumerProperties);
        topics = List.copyOf(topics);
    }

    /** True when the bridge runs its own consumer loop ({@code start()}), false for the host loop. */
    public boolean ownsConsumer() {
        return !topics.isEmpty() || topicPattern != null;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>();
        consumerProperties.forEach((k, v) -> shown.put(k, looksSecret(k) ? "[hidden]" : v));
        return "BridgeSettings{name=" + name
                + ", consumerProperties=" + shown
                + ", topics=" + topics
                + ", topicPattern=" + topicPattern
                + ", format=" + format
                + ", keyFormat=" + keyFormat
                + ", tableNamer=" + tableNamer
                + ", flushPolicy=" + flushPolicy
                + ", metadata=" + metadata
                + ", errorPolicy=" + errorPolicy
                + ", nullValues=" + nullValues
                + ", maxBufferedBytes=" + maxBufferedBytes
                + ", maxRecordBytes=" + maxRecordBytes
                + ", maxInFlightBatches=" + maxInFlightBatches
                + ", retryPolicy=" + retryPolicy
                + ", pollTimeout=" + pollTimeout
                + ", commitInterval=" + commitInterval
                + ", closeTimeout=" + closeTimeout
                + ", batchTimeout=" + batchTimeout
                + ", backend=" + (backend == null ? null : backend.name())
                + ", transform=" + (transform == null ? null : transform.name())
                + ", router=" + router
                + "}";
    }

    /** Consumer property names whose values must never be printed. */
    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.contains("key") && !k.contains("deserializer") && !k.equals("ssl.key.type")
                || k.contains("credential");
    }
}
