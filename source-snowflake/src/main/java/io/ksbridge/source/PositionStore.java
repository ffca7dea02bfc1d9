package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The bridge's offsets topic: one partition, compacted, written only inside the bridge's transactions. Keys are
 * {@code {"bridge":<name>,"table":<DB.SCHEMA.TABLE>}}, values a position as JSON (a {@link Position} in stream mode).
 * Called on the bridge's thread.
 */
final class PositionStore {
    private final SourceSettings settings;
    private final TopicPartition partition;

    PositionStore(SourceSettings settings) {
        this.settings = settings;
        this.partition = new TopicPartition(settings.offsetsTopic(), 0);
    }

    TopicPartition partition() {
        return partition;
    }

    byte[] key(String table) {
        return Json.bytes(Json.MAPPER.createObjectNode().put("bridge", settings.name()).put("table", table));
    }

    /** Creates the topic when missing; refuses one with more than one partition. */
    void ensureTopic() {
        try (Admin admin = Admin.create(settings.adminProperties())) {
            String topic = settings.offsetsTopic();
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                if (d.partitions().size() != 1) {
                    throw new BridgeConfigException("offsetsTopic", topic, "the offsets topic must have exactly one partition"
                            + " (it has " + d.partitions().size() + "); give the bridge a topic of its own");
                }
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new BridgeException("cannot describe the offsets topic " + topic + ": " + e.getCause(), e.getCause());
                }
            }
            NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new BridgeException("cannot create the offsets topic " + topic + ": " + e.getCause(), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BridgeException("interrupted while checking the offsets topic", e);
        } catch (TimeoutException e) {
            throw new BridgeException("the offsets topic " + settings.offsetsTopic() + " could not be checked within 30 s", e);
        }
    }

    /**
     * Every table's last committed position, as its JSON. Waits until no transaction is open on the topic (its last stable offset
     * equals its high watermark), so a position committed by the predecessor is never missed.
     */
    Map<String, JsonNode> read(Duration deadline) {
        long until = System.nanoTime() + deadline.toNanos();
        try (Admin admin = Admin.create(settings.adminProperties())) {
            while (true) {
                long lso = admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
                long hw = admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                        .partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
                if (lso == hw) {
                    break;
                }
                if (System.nanoTime() > until) {
                    throw new BridgeException("the offsets topic " + settings.offsetsTopic() + " still has an open transaction"
                            + " after " + deadline + " (last stable offset " + lso + ", high watermark " + hw + "): another"
                            + " producer writes to it; give the bridge an offsets topic of its own");
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new BridgeException("cannot read the offsets of " + settings.offsetsTopic() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BridgeException("interrupted while reading positions", e);
        }
        Map<String, Object> props = new HashMap<>(settings.consumerProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, JsonNode> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                if (System.nanoTime() > until) {
                    throw new BridgeException("could not read the offsets topic " + settings.offsetsTopic() + " to its end ("
                            + end + ") within " + deadline);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode key = Json.MAPPER.readTree(r.key());
                    if (!settings.name().equals(key.path("bridge").asText())) {
                        continue;
                    }
                    String table = key.path("table").asText();
                    if (r.value() == null) {
                        out.remove(table);
                    } else {
                        out.put(table, Json.MAPPER.readTree(r.value()));
                    }
                }
            }
        } catch (IOException e) {
            throw new BridgeException("the offsets topic " + settings.offsetsTopic() + " holds a record that is not a ksbridge"
                    + " position: " + e.getMessage(), e);
        }
        return out;
    }
}
