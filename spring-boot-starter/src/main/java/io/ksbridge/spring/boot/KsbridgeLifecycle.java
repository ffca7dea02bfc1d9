package io.ksbridge.spring.boot;

import io.ksbridge.KafkaToSnowflakeBridge;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts an own-loop bridge when the application context starts and closes it, with a bounded graceful drain
 * ({@link KafkaToSnowflakeBridge#close(Duration)}: flush, wait for loads, commit what is durable), when the context
 * stops. Runs in the last start phase and so stops among the first, before the beans the bridge might use.
 *
 * <p>A host-loop bridge (no topics: a Spring Kafka listener container drives it through
 * {@link io.ksbridge.spring.kafka.KsbridgeListenerAdapter}) is not started here, and is closed in phase
 * {@link #HOST_LOOP_PHASE}, after the listener containers (phase {@code Integer.MAX_VALUE - 100}) have stopped and
 * committed on revocation.
 *
 * <p>A bridge is started once: after {@link #stop()} it cannot start again (build a new context). Thread-safe.
 */
public final class KsbridgeLifecycle implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(KsbridgeLifecycle.class);

    /** Where the lifecycle is. */
    public enum State { NEW, RUNNING, STOPPED }

    /** The phase of a host-loop bridge: below Spring Kafka's containers, so it stops after them. */
    public static final int HOST_LOOP_PHASE = Integer.MAX_VALUE - 200;

    private final KafkaToSnowflakeBridge bridge;
    private final Duration shutdownTimeout;
    private final String summary;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /**
     * @param bridge          an own-loop bridge (built with topics), never null
     * @param shutdownTimeout the longest the drain may take on stop, never null
     * @param summary         what to log on start (never a secret), never null
     */
    public KsbridgeLifecycle(KafkaToSnowflakeBridge bridge, Duration shutdownTimeout, String summary) {
        this.bridge = Objects.requireNonNull(bridge, "bridge must not be null");
        this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout must not be null");
        this.summary = Objects.requireNonNull(summary, "summary must not be null");
    }

    @Override
    public void start() {
        if (state.compareAndSet(State.NEW, State.RUNNING)) {
            if (bridge.settings().ownsConsumer()) {
                log.info("ksbridge starting: {}", summary);
                bridge.start();
            } else {
                log.info("ksbridge ready for a host loop: {}", summary);
            }
        }
    }

    @Override
    public void stop() {
        if (state.compareAndSet(State.RUNNING, State.STOPPED)) {
            log.info("ksbridge '{}' stopping: draining for at most {}", bridge.settings().name(), shutdownTimeout);
            bridge.close(shutdownTimeout);
            log.info("ksbridge '{}' stopped", bridge.settings().name());
        } else {
            state.compareAndSet(State.NEW, State.STOPPED);
        }
    }

    @Override
    public int getPhase() {
        return bridge.settings().ownsConsumer() ? DEFAULT_PHASE : HOST_LOOP_PHASE;
    }

    @Override
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /** Where the lifecycle is; never null. */
    public State state() {
        return state.get();
    }

    /** The bridge this lifecycle runs; never null. */
    public KafkaToSnowflakeBridge bridge() {
        return bridge;
    }
}
