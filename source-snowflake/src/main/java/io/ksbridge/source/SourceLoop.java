package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.BridgeException;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's loop, on its own thread. It keeps this instance in the election group (a consumer of the offsets topic
 * in group {@code ksbridge-<name>}: the member assigned its one partition is the active instance), and while active
 * opens the {@link Publisher} (fencing predecessors), reads the committed positions and lets the {@link SourceMode}
 * (the managed stream, or the CHANGES clause) work. Kafka errors close the producer, so the next round re-reads the
 * committed positions (the truth); transient SQL errors are retried; repeated failures stop the bridge.
 */
final class SourceLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceLoop.class);
    private static final int MAX_CONSECUTIVE_FAILURES = 10;

    private final SourceSettings s;
    private final PositionStore positions;
    private final Publisher publisher;
    private final SourceContext context;
    private final SourceMode mode;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile boolean active;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private boolean assigned;
    private int failures;

    SourceLoop(SourceSettings settings, SqlApiClient sql, Hook hook) {
        this.s = settings;
        this.positions = new PositionStore(settings);
        this.publisher = new Publisher(settings, positions, hook);
        this.context = new SourceContext(settings, sql, hook, publisher, new ChangeRecords(settings), this::requireLeader);
        this.mode = settings.source().isChanges() ? new ChangesMode(context) : new StreamMode(context);
    }

    Throwable failure() {
        return failure.get();
    }

    boolean isActive() {
        return active;
    }

    void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        boolean crashed = false;
        try {
            positions.ensureTopic();
            consumer = new KafkaConsumer<>(electionProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(s.offsetsTopic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (partitions.contains(positions.partition())) {
                        assigned = false;
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    consumer.pause(partitions); // membership only: the election consumer reads nothing
                    if (partitions.contains(positions.partition())) {
                        assigned = true;
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            });
            boolean idle = true;
            while (running) {
                consumer.poll(idle ? (active ? s.pollInterval() : Duration.ofMillis(200)) : Duration.ZERO);
                if (!assigned) {
                    stepDown("the election partition is assigned elsewhere");
                    idle = true;
                    continue;
                }
                try {
                    if (!publisher.isOpen()) {
                        becomeActive();
                    }
                    idle = !mode.step();
                    failures = 0;
                } catch (NotLeader e) {
                    LOG.info("bridge {}: no longer the active instance ({})", s.name(), e.getMessage());
                    stepDown(e.getMessage());
                    idle = true;
                } catch (KafkaException e) {
                    if (e instanceof WakeupException) {
                        throw e;
                    }
                    retryLater(e, true);
                    idle = true;
                } catch (SnowflakeSqlException e) {
                    if (!e.isRetriable()) {
                        throw e;
                    }
                    retryLater(e, false);
                    idle = true;
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (Hook.Crash e) {
            crashed = true;
            failure.set(e);
        } catch (Throwable e) {
            if (e instanceof Error && !(e instanceof AssertionError)) {
                failure.set(e);
                throw (Error) e;
            }
            failure.set(e);
            LOG.error("bridge {} stopped: {}", s.name(), e.toString());
            context.notify(() -> s.listener().onFailure(e));
        } finally {
            closeClients(crashed);
        }
    }

    /** A transient failure: count it, and resolve any doubt about Kafka state by re-reading the position. */
    private void retryLater(RuntimeException e, boolean kafka) {
        failures++;
        if (failures >= MAX_CONSECUTIVE_FAILURES) {
            throw new BridgeException("bridge " + s.name() + " gave up after " + failures + " consecutive failures; the last: "
                    + e.getMessage(), e);
        }
        LOG.warn("bridge {}: {} (attempt {}; retrying)", s.name(), e.toString(), failures);
        mode.doubt();
        if (kafka) {
            closeProducer(false); // the next round re-reads the committed positions
        }
    }

    private Map<String, Object> electionProperties() {
        Map<String, Object> props = new HashMap<>(s.consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) s.electionTimeout().toMillis());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) Math.min(45_000, Math.max(6_000, s.electionTimeout().toMillis())));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // a member joining or leaving does not take the partition from the active instance (no needless re-fencing)
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return props;
    }

    private void becomeActive() {
        publisher.open();
        try {
            Map<String, JsonNode> committed = positions.read(s.transactionTimeout().plusSeconds(30));
            mode.activate(committed);
        } catch (RuntimeException e) {
            closeProducer(false);
            throw e;
        }
        active = true;
        LOG.info("bridge {}: active", s.name());
        context.notify(() -> s.listener().onLeadership(true));
    }

    private void stepDown(String why) {
        if (publisher.isOpen()) {
            closeProducer(false);
        }
        if (active) {
            LOG.info("bridge {}: standing by ({})", s.name(), why);
            active = false;
            context.notify(() -> s.listener().onLeadership(false));
        }
    }

    /** Polls the election group at once, so a revocation is known before a Snowflake write. */
    private void requireLeader() {
        consumer.poll(Duration.ZERO);
        if (!assigned) {
            throw new NotLeader("the election partition was revoked", null);
        }
    }

    private void closeProducer(boolean crashed) {
        publisher.close(crashed);
        mode.deactivate();
    }

    private void closeClients(boolean crashed) {
        closeProducer(crashed);
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            try {
                c.close(crashed ? Duration.ZERO : Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the election consumer: {}", e.toString());
            }
        }
        if (active) {
            active = false;
            if (!crashed) {
                context.notify(() -> s.listener().onLeadership(false));
            }
        }
    }
}
