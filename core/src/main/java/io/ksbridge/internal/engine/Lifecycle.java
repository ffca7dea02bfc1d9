package io.ksbridge.internal.engine;

import io.ksbridge.BridgeException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bridge's one lifecycle, moved only by compare-and-set: {@code NEW → STARTING → RUNNING → DRAINING → STOPPED},
 * or {@code FAILED} from any live phase. A close or halt request is a flag any thread may set; the phase is moved by
 * the thread that owns the bridge's state (the loop thread, or the host thread under the host lock).
 */
final class Lifecycle {
    enum Phase { NEW, STARTING, RUNNING, DRAINING, STOPPED, FAILED }

    private final String bridge;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile boolean closeRequested;
    private volatile boolean haltRequested;
    private volatile long closeDeadlineNanos;

    Lifecycle(String bridge) {
        this.bridge = bridge;
    }

    Phase phase() {
        return phase.get();
    }

    /** {@code from → to} if the phase is still {@code from}. */
    boolean move(Phase from, Phase to) {
        return phase.compareAndSet(from, to);
    }

    /** Started and not yet draining or stopped: starting, or running. */
    boolean live() {
        Phase p = phase.get();
        return p == Phase.STARTING || p == Phase.RUNNING;
    }

    boolean ended() {
        Phase p = phase.get();
        return p == Phase.STOPPED || p == Phase.FAILED;
    }

    /** The terminal phase: {@code FAILED} when a failure was recorded, {@code STOPPED} otherwise. Once. */
    void terminate() {
        phase.set(failure == null ? Phase.STOPPED : Phase.FAILED);
        terminated.countDown();
    }

    boolean awaitTermination(long nanos) throws InterruptedException {
        return terminated.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records the first failure; false when one was already recorded. */
    boolean fail(Throwable t) {
        synchronized (this) {
            if (failure != null) {
                return false;
            }
            failure = t;
            return true;
        }
    }

    Throwable failure() {
        return failure;
    }

    /** The failure as a host call throws it: a bridge exception as it is, anything else wrapped, naming the bridge. */
    BridgeException failureAsException() {
        Throwable f = failure;
        return f instanceof BridgeException be ? be : new BridgeException("bridge " + bridge + " failed: " + f, f);
    }

    void requestClose(long deadlineNanos) {
        closeDeadlineNanos = deadlineNanos;
        closeRequested = true;
    }

    void requestHalt() {
        haltRequested = true;
        closeRequested = true;
    }

    boolean closeRequested() {
        return closeRequested;
    }

    boolean haltRequested() {
        return haltRequested;
    }

    /** The close deadline ({@link System#nanoTime()}), or 0 when none was set. */
    long closeDeadlineNanos() {
        return closeDeadlineNanos;
    }

    void closeDeadlineNanos(long deadline) {
        closeDeadlineNanos = deadline;
    }
}
