package io.ksbridge.internal.engine;

import io.ksbridge.BridgeException;
import io.ksbridge.BridgeSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's engine, as the public API sees it: a {@link Core} that owns all buffer and offset state, driven either
 * by its own consumer loop ({@link OwnLoop}, on a thread of its own) or by the host's calls ({@link HostLoop}, under a
 * lock), with one {@link Lifecycle}. Which driver a bridge has is fixed by its settings (topics set: own loop); a call
 * meant for the other one is refused with a message saying what to call instead.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /**
     * Checks of the backends' promises, on when Java assertions are ({@code -ea}, as in every test run of this
     * project): a broken promise stops the bridge with an {@link AssertionError} naming the batches.
     */
    static final boolean CHECKS = checksEnabled();

    @SuppressWarnings("AssertWithSideEffects")
    private static boolean checksEnabled() {
        boolean on = false;
        assert on = true;
        return on;
    }

    private final BridgeSettings s;
    private final Lifecycle lifecycle;
    private final Core core;
    private final OwnLoop ownLoop;
    private final HostLoop hostLoop;
    /** Makes start() and close() of an own-loop bridge one step each: close never sees a half-started loop. */
    private final Object startLock = new Object();
    private volatile Thread loopThread;

    public Engine(BridgeSettings settings) {
        this(settings, Ticker.system());
    }

    /**
     * An engine whose timers (flush age, retry backoff, batch deadlines, commit and lag intervals) read
     * {@code ticker}: tests move time by hand. Close and revoke waits are real waits and read the system clock.
     */
    public Engine(BridgeSettings settings, Ticker ticker) {
        this.s = settings;
        this.lifecycle = new Lifecycle(settings.name());
        this.core = new Core(settings, ticker, lifecycle);
        this.ownLoop = settings.ownsConsumer() ? new OwnLoop(core, this::rebalanceListener) : null;
        this.hostLoop = settings.ownsConsumer() ? null : new HostLoop(core);
    }

    // ------------------------------------------------------------------ own loop

    public void start() {
        Thread t = new Thread(this::runLoop, "ksbridge-" + s.name());
        t.setDaemon(false);
        synchronized (startLock) {
            beginOwnLoop();
            loopThread = t;
            t.start();
        }
    }

    public void runHere() {
        synchronized (startLock) {
            beginOwnLoop();
            loopThread = Thread.currentThread();
        }
        runLoop();
        if (lifecycle.failure() != null) {
            throw lifecycle.failureAsException();
        }
    }

    private void beginOwnLoop() {
        if (ownLoop == null) {
            throw new IllegalStateException("start() needs topics and consumerProperties; this bridge was built for "
                    + "the host loop: call accept(records) from your consumer loop instead");
        }
        if (!lifecycle.move(Lifecycle.Phase.NEW, Lifecycle.Phase.STARTING)) {
            throw new IllegalStateException("bridge " + s.name() + " was already started or closed");
        }
    }

    private void runLoop() {
        ownLoop.run();
    }

    // ------------------------------------------------------------------ host loop

    public void accept(ConsumerRecords<byte[], byte[]> records) {
        host("accept()").accept(records);
    }

    public Map<TopicPartition, OffsetAndMetadata> durableOffsets() {
        return hostLoop == null ? core.ledger.published() : hostLoop.durableOffsets();
    }

    public Map<TopicPartition, Long> seekTargets() {
        return hostLoop == null ? Map.of() : hostLoop.seekTargets(); // the own loop seeks its consumer itself
    }

    private HostLoop host(String call) {
        if (hostLoop == null) {
            throw new IllegalStateException("this bridge runs its own consumer loop (topics were set); " + call
                    + " is for host-loop bridges built without topics");
        }
        return hostLoop;
    }

    /**
     * The listener the consumer must be subscribed with: opens assigned partitions (asynchronously when a consumer is
     * given: paused until open), and flushes, waits for and commits revoked ones. {@code consumer} may be null for a
     * host that cannot hand it over (then opens happen in place and seeks become {@link #seekTargets()}).
     */
    public ConsumerRebalanceListener rebalanceListener(Consumer<?, ?> consumer) {
        @SuppressWarnings("unchecked")
        Consumer<byte[], byte[]> c = (Consumer<byte[], byte[]>) consumer;
        if (c != null && hostLoop != null) {
            hostLoop.hostConsumer(c);
        }
        Commands commands = c != null ? Commands.of(c) : hostLoop != null ? hostLoop.detached
                : Commands.detached(new java.util.HashMap<>());
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                guarded(() -> core.partitions.revoke(revoked, commands, true));
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                guarded(() -> core.partitions.revoke(lost, commands, false));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                guarded(() -> core.partitions.assign(assigned, commands));
            }
        };
    }

    private void guarded(Runnable r) {
        if (hostLoop != null) {
            hostLoop.lock.lock();
        }
        try {
            if (lifecycle.haltRequested() || lifecycle.failure() != null) {
                return; // crashed or failed: nothing more is flushed, waited for or committed
            }
            if (hostLoop != null) {
                if (lifecycle.closeRequested() || lifecycle.ended()) {
                    return; // the host's consumer closes after the bridge: its partitions are already released
                }
                hostLoop.ensureRunning();
            }
            r.run();
        } catch (Throwable t) {
            if (t instanceof WakeupException wakeup && lifecycle.closeRequested()) {
                throw wakeup; // close() woke the consumer inside a rebalance: the loop ends cleanly, not as a failure
            }
            recordFailure(core, t);
            throw asThrown(core, t);
        } finally {
            if (hostLoop != null) {
                hostLoop.lock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ both

    public void close(Duration timeout) {
        lifecycle.requestClose(System.nanoTime() + timeout.toNanos());
        if (hostLoop != null) {
            hostLoop.close();
            return;
        }
        // the loop thread drains and lets go; this thread only wakes it and waits (never drains itself)
        Thread t;
        synchronized (startLock) {
            if (lifecycle.move(Lifecycle.Phase.NEW, Lifecycle.Phase.STOPPED)) {
                lifecycle.terminate(); // never started: nothing to drain or release
                return;
            }
            t = loopThread;
        }
        ownLoop.wakeup();
        join(t, Math.max(1, timeout.toMillis() + 10_000));
    }

    /** Stops at once, as a crash would: no flush, no commit ({@code KafkaToSnowflakeBridge.abort()}). */
    public void halt() {
        lifecycle.requestHalt();
        if (hostLoop != null) {
            hostLoop.halt();
            return;
        }
        Thread t;
        synchronized (startLock) {
            if (lifecycle.move(Lifecycle.Phase.NEW, Lifecycle.Phase.STOPPED)) {
                lifecycle.terminate();
                return;
            }
            t = loopThread;
        }
        ownLoop.wakeup();
        join(t, 30_000);
    }

    private static void join(Thread t, long millis) {
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        boolean done = lifecycle.awaitTermination(timeout.toNanos());
        if (done && lifecycle.failure() != null) {
            throw lifecycle.failureAsException();
        }
        return done;
    }

    public boolean isRunning() {
        return lifecycle.live() && lifecycle.failure() == null;
    }

    public Throwable failure() {
        return lifecycle.failure();
    }

    public long bufferedBytes() {
        return core.budget.view();
    }

    /** Records the bridge's first failure: logged, and told to the listener. */
    static void recordFailure(Core core, Throwable t) {
        if (core.lifecycle.fail(t)) {
            log.error("bridge {} stopped: {}", core.s.name(), t.toString());
            core.listener.onFailure(t);
        }
    }

    /** What a host call throws for {@code t}: a bridge exception as it is, an {@link Error} never wrapped. */
    static RuntimeException asThrown(Core core, Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof BridgeException be ? be
                : new BridgeException("bridge " + core.s.name() + " failed: " + t, t);
    }
}
