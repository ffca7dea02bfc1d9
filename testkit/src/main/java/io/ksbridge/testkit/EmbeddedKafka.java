package io.ksbridge.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker (KRaft, one combined broker and controller node) running inside this JVM, for
 * tests and the quickstart. Starts in about 3 s; share one per test class. Thread-safe.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopic("orders", 4);
 *     kafka.produce("orders", 0, "k1", "{\"id\":1}");
 *     // consumerProperties: kafka.consumerProperties("my-group")
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final Path dir;
    private final Admin admin;
    private volatile KafkaProducer<byte[], byte[]> producer;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path dir) {
        this.cluster = cluster;
        this.dir = dir;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    /**
     * Starts a broker with settings fit for one node: replication factor 1 for internal topics, no initial
     * rebalance delay, no automatic topic creation.
     *
     * @return the running broker, never null
     * @throws IllegalStateException if the broker does not start
     */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /** Like {@link #start()}, with extra broker settings that override the defaults. */
    public static EmbeddedKafka start(Map<String, ?> brokerSettings) {
        Path dir = null;
        KafkaClusterTestKit cluster = null;
        try {
            dir = Files.createTempDirectory("ksbridge-kafka-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            Map<String, Object> props = new HashMap<>();
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("auto.create.topics.enable", "false");
            props.putAll(brokerSettings);
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
            props.forEach(builder::setConfigProp);
            cluster = builder.build();
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster, dir);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("embedded Kafka did not start: " + e.getMessage(), e);
        }
    }

    /** Kafka's storage formatter prints its bootstrap metadata to stdout; keep the quickstart's output readable. */
    private static synchronized void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(out);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Consumer properties for a bridge or a test consumer in {@code groupId}: bootstrap servers, the group, and
     * {@code auto.offset.reset=earliest}.
     */
    public Map<String, Object> consumerProperties(String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    /** Creates a topic and waits until every partition has a leader. */
    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    /** Creates a topic with topic settings and waits until every partition has a leader. */
    public void createTopic(String topic, int partitions, Map<String, String> config) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(config))).all()
                    .get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                TopicDescription d = null;
                try {
                    d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                } catch (java.util.concurrent.ExecutionException notYet) {
                    // metadata not propagated yet: the topic is unknown for a few milliseconds after creation
                }
                if (d != null && d.partitions().size() == partitions && d.partitions().stream()
                        .map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has partitions without a leader after 30 s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /** A new producer of byte arrays (acks=all, idempotent, one request in flight); the caller closes it. */
    public KafkaProducer<byte[], byte[]> newProducer() {
        return newProducer(Map.of());
    }

    /** A new producer with extra settings; the caller closes it. */
    public KafkaProducer<byte[], byte[]> newProducer(Map<String, ?> settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight: with more, a request to a partition the broker has not opened yet can fail and be
        // overtaken by the next one, and its records are then lost despite idempotence (KAFKA-15591).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.putAll(settings);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one record synchronously with UTF-8 key and value (either may be null). */
    public void produce(String topic, Integer partition, String key, String value) {
        produce(new ProducerRecord<>(topic, partition, utf8(key), utf8(value)));
    }

    /** Sends one record synchronously through the shared producer. */
    public void produce(ProducerRecord<byte[], byte[]> record) {
        try {
            sharedProducer().send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + record.topic() + ": " + e.getMessage(), e);
        }
    }

    /** Sends many records through the shared producer and waits for all of them. */
    public void produceAll(List<ProducerRecord<byte[], byte[]>> records) {
        KafkaProducer<byte[], byte[]> p = sharedProducer();
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> r : records) {
            futures.add(p.send(r));
        }
        p.flush();
        try {
            for (java.util.concurrent.Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce: " + e.getMessage(), e);
        }
    }

    /** The next offset to be written, per partition of {@code topic}. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        try {
            Set<TopicPartition> parts = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            ListOffsetsResult result = admin.listOffsets(parts.stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())));
            Map<TopicPartition, Long> out = new HashMap<>();
            for (TopicPartition tp : parts) {
                out.put(tp, result.partitionResult(tp).get(30, TimeUnit.SECONDS).offset());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read end offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    /** The offsets {@code groupId} has committed (next offset to read), per partition; empty when none. */
    public Map<TopicPartition, Long> committedOffsets(String groupId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            committed.forEach((tp, om) -> {
                if (om != null) {
                    out.put(tp, om.offset());
                }
            });
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read offsets of group " + groupId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code topic} from its beginning, with a consumer of its own in group {@code reader-<topic>}, until at
     * least {@code count} records have arrived: what a bridge dead-lettered, for example.
     *
     * @param topic   the topic, never null
     * @param count   how many records to wait for, &ge; 0
     * @param timeout how long to wait for them, never null
     * @return the records in the order they were polled: at least {@code count}, more if more came in the last poll
     * @throws AssertionError if fewer than {@code count} arrive within {@code timeout}, saying how many did
     */
    public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties("reader-" + topic),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            if (out.size() < count) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + count + " records on "
                        + topic + ", read " + out.size());
            }
            return out;
        }
    }

    /**
     * Every committed record of {@code topic}, read with {@code isolation.level=read_committed} from the beginning of
     * each partition to its end offset as of the call (assigned, no group): what a transactional producer's consumers
     * see. In partition order, each partition in offset order.
     *
     * @param topic   the topic, never null
     * @param timeout how long reading to the end may take, never null
     * @throws AssertionError if the end is not reached within {@code timeout}
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, timeout).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end + " in " + timeout);
                }
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }

    /** An admin client for this broker, owned by this object (do not close it). */
    public Admin admin() {
        return admin;
    }

    private KafkaProducer<byte[], byte[]> sharedProducer() {
        KafkaProducer<byte[], byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = newProducer();
                }
                p = producer;
            }
        }
        return p;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stops the broker and deletes its files. Idempotent. */
    @Override
    public synchronized void close() {
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
            admin.close(Duration.ofSeconds(5));
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka did not stop cleanly: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // best effort: temp files
        }
    }
}
