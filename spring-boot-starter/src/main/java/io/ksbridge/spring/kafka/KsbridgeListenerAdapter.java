package io.ksbridge.spring.kafka;

import io.ksbridge.KafkaToSnowflakeBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Runs a host-loop bridge inside a Spring Kafka listener container: the container polls, a batch listener hands
 * each poll to {@link #onPoll}, and this adapter does what the bridge's host loop asks of a host.
 * <pre>{@code
 * @Bean ConcurrentKafkaListenerContainerFactory<byte[], byte[]> ksbridgeFactory(KsbridgeListenerAdapter adapter, ...) {
 *     var factory = new ConcurrentKafkaListenerContainerFactory<byte[], byte[]>();
 *     factory.setConsumerFactory(byteArrayConsumerFactory);   // ByteArrayDeserializer, enable.auto.commit=false
 *     adapter.configure(factory);
 *     return factory;
 * }
 * @KafkaListener(id = "payments", topics = "payments", containerFactory = "ksbridgeFactory")
 * void onPoll(ConsumerRecords<byte[], byte[]> records, Consumer<?, ?> consumer) {
 *     adapter.onPoll(records, consumer);
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Every poll reaches the bridge, empty ones too.</b> Spring does not call a listener on an empty poll, but it
 *       calls the container's {@link BatchInterceptor#setupThreadState} before every poll, on the consumer thread
 *       (spring-kafka 4.0, {@code KafkaMessageListenerContainer.ListenerConsumer.pollConsumer}), also while the
 *       container is paused. There the adapter gives the bridge the previous poll when the listener did not get it
 *       ({@code accept(ConsumerRecords.empty())}), so age-based flushes and completions are handled.</li>
 *   <li><b>Backpressure pauses the container, never its thread.</b> The bridge's {@code accept} blocks at its memory
 *       cap; the adapter never lets it get there. Before handing a poll over it estimates what the records will
 *       hold (twice their key, value and header bytes plus 1 KiB each, above what a JSON row with metadata takes);
 *       records that would pass 90% of {@code maxBufferedBytes} are not handed over: their partitions are sought
 *       back to them and the container is paused. It is also paused when the bridge holds 75% of the cap after a
 *       poll, and resumed once it holds at most half.</li>
 *   <li><b>Offsets follow durability.</b> {@link #configure} sets {@link ContainerProperties.AckMode#MANUAL} and the
 *       listener never acknowledges, so the container commits nothing; the adapter commits
 *       {@code bridge.durableOffsets()} with {@code commitSync} on the consumer thread when they moved (at most once
 *       per the bridge's {@code commitInterval}), and the bridge's rebalance listener commits on revocation.</li>
 *   <li><b>Rebalances</b> reach {@code bridge.rebalanceListener(consumer)} through the container's
 *       {@link ConsumerAwareRebalanceListener}; on assignment the partitions are sought to
 *       {@code bridge.seekTargets()}, where Snowflake holds data past Kafka's committed offset.</li>
 * </ul>
 *
 * <p>One adapter serves one bridge and one container with one consumer thread (concurrency 1: a bridge has one
 * polling thread). For more consumers, make more bridges and adapters. Threading: {@link #onPoll} and the callbacks
 * run on the container's consumer thread; {@link #configure} at start-up.
 */
public final class KsbridgeListenerAdapter implements BatchInterceptor<byte[], byte[]>, ConsumerAwareRebalanceListener {
    private static final Logger log = LoggerFactory.getLogger(KsbridgeListenerAdapter.class);
    static final long PER_RECORD_OVERHEAD = 1024;

    private final KafkaToSnowflakeBridge bridge;
    private final long cap;
    private volatile MessageListenerContainer container;
    private ConsumerRebalanceListener delegate;
    private Consumer<?, ?> delegateFor;
    private boolean polled;
    private boolean handedOver;
    private boolean pausedByUs;
    private Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
    private long lastCommitNanos;
    private volatile long emptyAccepts;
    private volatile long pauses;

    private KsbridgeListenerAdapter(KafkaToSnowflakeBridge bridge) {
        this.bridge = bridge;
        this.cap = bridge.settings().maxBufferedBytes();
    }

    /**
     * An adapter for {@code bridge}, a host-loop bridge (built without topics).
     *
     * @throws IllegalArgumentException if the bridge runs its own loop
     */
    public static KsbridgeListenerAdapter of(KafkaToSnowflakeBridge bridge) {
        Objects.requireNonNull(bridge, "bridge must not be null");
        if (bridge.settings().ownsConsumer()) {
            throw new IllegalArgumentException("bridge " + bridge.settings().name() + " runs its own consumer loop"
                    + " (topics were set); a listener container needs a host-loop bridge built without topics");
        }
        return new KsbridgeListenerAdapter(bridge);
    }

    /**
     * Sets up {@code factory} for this adapter: batch listener, concurrency 1, {@code AckMode.MANUAL}, no commit on
     * assignment, this adapter as batch interceptor and rebalance listener, and the created container bound for
     * pausing. Its consumer factory must deserialize byte arrays and have {@code enable.auto.commit=false}. Use the
     * factory for one listener only.
     */
    public void configure(ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory) {
        Objects.requireNonNull(factory, "factory must not be null");
        factory.setBatchListener(true);
        factory.setConcurrency(1);
        factory.setBatchInterceptor(this);
        ContainerProperties props = factory.getContainerProperties();
        props.setAckMode(ContainerProperties.AckMode.MANUAL);
        props.setAssignmentCommitOption(ContainerProperties.AssignmentCommitOption.NEVER);
        props.setConsumerRebalanceListener(this);
        factory.setContainerCustomizer(this::bind);
    }

    /**
     * Binds the container to pause and resume. {@link #configure} does it for containers its factory creates.
     *
     * @throws IllegalStateException if a different container was bound already
     */
    public void bind(MessageListenerContainer container) {
        Objects.requireNonNull(container, "container must not be null");
        synchronized (this) {
            if (this.container != null && this.container != container) {
                throw new IllegalStateException("one KsbridgeListenerAdapter serves one container; "
                        + this.container.getListenerId() + " is bound already, " + container.getListenerId() + " is not");
            }
            this.container = container;
        }
    }

    /**
     * Hands one poll's records to the bridge (call it from the batch listener, with the listener's consumer), seeking
     * back and pausing the container rather than letting the bridge block, then commits durable offsets.
     *
     * @throws io.ksbridge.BridgeException as {@code accept} does; the container is then stopped
     */
    public void onPoll(ConsumerRecords<byte[], byte[]> records, Consumer<?, ?> consumer) {
        Objects.requireNonNull(records, "records must not be null");
        Objects.requireNonNull(consumer, "consumer must not be null");
        handedOver = true;
        try {
            long room = cap * 9 / 10 - bridge.bufferedBytes();
            ConsumerRecords<byte[], byte[]> fits = fitting(records, room, consumer);
            bridge.accept(fits);
            if (fits.count() < records.count() || bridge.bufferedBytes() >= cap * 3 / 4) {
                pause();
            }
            commit(consumer, false);
        } catch (RuntimeException e) {
            stopOnFailure(e);
            throw e;
        }
    }

    /** Records in offset order per partition until the estimate passes {@code room}; the rest is sought back. */
    private ConsumerRecords<byte[], byte[]> fitting(ConsumerRecords<byte[], byte[]> records, long room,
                                                    Consumer<?, ?> consumer) {
        long total = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            total += estimate(r);
        }
        if (total <= room) {
            return records;
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> taken = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        long used = 0;
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            List<ConsumerRecord<byte[], byte[]>> keep = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : list) {
                long e = estimate(r);
                if (used + e > room) {
                    break;
                }
                used += e;
                keep.add(r);
            }
            if (!keep.isEmpty()) {
                taken.put(tp, keep);
            }
            if (keep.size() < list.size()) {
                consumer.seek(tp, list.get(keep.size()).offset()); // read again after the resume
            } else if (records.nextOffsets().containsKey(tp)) {
                next.put(tp, records.nextOffsets().get(tp));
            }
        }
        log.debug("ksbridge '{}': {} of {} records fit under the memory cap; the rest is read again after a pause",
                bridge.settings().name(), taken.values().stream().mapToInt(List::size).sum(), records.count());
        return new ConsumerRecords<>(taken, next);
    }

    static long estimate(ConsumerRecord<byte[], byte[]> r) {
        long bytes = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return 2 * bytes + PER_RECORD_OVERHEAD;
    }

    // ---------------------------------------------------------------- BatchInterceptor

    @Override
    public ConsumerRecords<byte[], byte[]> intercept(ConsumerRecords<byte[], byte[]> records, Consumer<byte[], byte[]> consumer) {
        return records;
    }

    /** Before every poll: the previous poll, if the listener did not get it, goes to the bridge empty. */
    @Override
    public void setupThreadState(Consumer<?, ?> consumer) {
        try {
            if (polled && !handedOver) {
                bridge.accept(ConsumerRecords.empty());
                emptyAccepts++;
            }
            polled = true;
            handedOver = false;
            if (pausedByUs && bridge.bufferedBytes() <= cap / 2) {
                resume();
            }
            commit(consumer, false);
        } catch (RuntimeException e) {
            stopOnFailure(e);
            throw e;
        }
    }

    /** How many empty polls were handed to the bridge; for tests and diagnostics. */
    public long emptyPollsAccepted() {
        return emptyAccepts;
    }

    /** How many times the adapter paused the container for memory; for tests and diagnostics. */
    public long containerPauses() {
        return pauses;
    }

    // ---------------------------------------------------------------- rebalance

    private ConsumerRebalanceListener delegate(Consumer<?, ?> consumer) {
        if (delegateFor != consumer) {
            delegate = bridge.rebalanceListener(consumer);
            delegateFor = consumer;
            committed = Map.of();
        }
        return delegate;
    }

    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        delegate(consumer).onPartitionsRevoked(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        delegate(consumer).onPartitionsLost(partitions);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        delegate(consumer).onPartitionsAssigned(partitions);
        Map<TopicPartition, Long> targets = bridge.seekTargets();
        for (TopicPartition tp : partitions) {
            Long target = targets.get(tp);
            if (target != null) {
                consumer.seek(tp, target);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void commit(Consumer<?, ?> consumer, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastCommitNanos < bridge.settings().commitInterval().toNanos()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> durable = bridge.durableOffsets();
        durable.keySet().retainAll(consumer.assignment());
        if (!durable.isEmpty() && !durable.equals(committed)) {
            try {
                consumer.commitSync(durable, Duration.ofSeconds(30));
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // the container woke its consumer to pause or resume it; the wake-up landed here: commit again
                consumer.commitSync(durable, Duration.ofSeconds(30));
            }
            committed = durable;
        }
        lastCommitNanos = now;
    }

    private void pause() {
        MessageListenerContainer c = container;
        if (c != null && !pausedByUs) {
            pausedByUs = true;
            pauses++;
            c.pause();
            log.info("ksbridge '{}': container {} paused, {} of {} bytes held", bridge.settings().name(),
                    c.getListenerId(), bridge.bufferedBytes(), cap);
        }
    }

    private void resume() {
        MessageListenerContainer c = container;
        pausedByUs = false;
        if (c != null) {
            c.resume();
            log.info("ksbridge '{}': container {} resumed, {} bytes held", bridge.settings().name(), c.getListenerId(),
                    bridge.bufferedBytes());
        }
    }

    private void stopOnFailure(RuntimeException e) {
        MessageListenerContainer c = container;
        log.error("ksbridge '{}' failed; stopping container {}: {}", bridge.settings().name(),
                c == null ? "(unbound)" : c.getListenerId(), e.toString());
        if (c != null) {
            c.stop(() -> { }); // asynchronous: this is the container's own thread
        }
    }
}
