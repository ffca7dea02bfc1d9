package io.ksbridge.internal.engine;

import io.ksbridge.ingest.IngestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets revoked lanes go in the backend, with a bounded wait: the release runs on a thread of its own and the revoke
 * callback waits for it at most the bridge's {@code closeTimeout}. Almost always it ends in time, and the partition
 * moves only after the old owner's last word (a channel's close, a last file). One that overruns goes on in the
 * background with a warning naming the partitions, rather than hold the consumer past {@code max.poll.interval.ms}
 * (which would have the group move the partitions anyway, mid-release, and rebalance again); a partition given back
 * to this bridge opens only after its release ended ({@link #after}).
 */
final class Releaser {
    private static final Logger log = LoggerFactory.getLogger(Releaser.class);

    private final String bridge;
    private final IngestBackend backend;
    /** Releases still running after their wait, by partition (removed as they end). */
    private final Map<TopicPartition, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
    private ExecutorService thread;

    Releaser(String bridge, IngestBackend backend) {
        this.bridge = bridge;
        this.backend = backend;
    }

    /**
     * Releases {@code lanes} (partition, table) in one backend call and waits up to {@code wait} for it.
     *
     * @return true when the release ended within the wait
     */
    boolean release(List<Map.Entry<TopicPartition, String>> lanes, Duration wait) {
        if (lanes.isEmpty()) {
            return true;
        }
        CompletableFuture<Void> done;
        try {
            done = CompletableFuture.runAsync(() -> releaseQuietly(lanes), thread());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            releaseQuietly(lanes); // the bridge is closing: its closing thread waits for this one
            return true;
        }
        try {
            done.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            return true; // releaseQuietly does not throw; an Error ended it
        } catch (TimeoutException e) {
            log.warn("bridge {}: backend {} did not release {} within closeTimeout {}; the rebalance goes on and the"
                    + " release finishes in the background (a partition given back opens after it)", bridge,
                    backend.name(), lanes, wait);
        }
        for (Map.Entry<TopicPartition, String> lane : lanes) {
            TopicPartition tp = lane.getKey();
            running.put(tp, done); // one release thread: a later release of tp ends after an earlier one
            done.whenComplete((v, e) -> running.remove(tp, done));
        }
        return false;
    }

    /** What an open of {@code tp} must wait for: its release still running, or nothing (a completed future). */
    CompletableFuture<Void> after(TopicPartition tp) {
        if (running.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> r = running.get(tp);
        return r == null ? CompletableFuture.completedFuture(null) : r.handle((v, e) -> null);
    }

    /** Waits up to {@code timeout} for releases still running (the bridge's close, before the backend's). */
    void awaitIdle(Duration timeout) {
        if (running.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(running.values().toArray(new CompletableFuture[0]))
                    .get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("bridge {}: releases of {} still running as the backend closes", bridge, running.keySet());
        }
    }

    /** Lets the release thread end once it is idle. */
    void shutdown() {
        ExecutorService t = thread;
        if (t != null) {
            t.shutdown();
        }
    }

    /** Releases the lanes in one backend call; never throws. Any thread. */
    void releaseQuietly(List<Map.Entry<TopicPartition, String>> lanes) {
        if (lanes.isEmpty()) {
            return;
        }
        try {
            backend.releaseAll(lanes);
        } catch (RuntimeException e) {
            log.warn("backend {} failed to release {}: {}", backend.name(), lanes, e.toString());
        }
    }

    private synchronized ExecutorService thread() {
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ksbridge-" + bridge + "-release");
                t.setDaemon(true);
                return t;
            });
        }
        return thread;
    }
}
