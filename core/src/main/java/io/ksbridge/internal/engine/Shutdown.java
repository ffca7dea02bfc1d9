package io.ksbridge.internal.engine;

import io.ksbridge.ingest.IngestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of what the bridge holds, once, after its polling thread stopped using it: the partitions (released, or
 * after a crash dropped by the backend's {@code halt()}), the dead-letter producer and the backend; within what is left
 * of the close deadline (at least {@code closeTimeout} when none was set), on a closing thread that the caller waits
 * for until then and a second longer, so a backend that hangs delays {@code close(Duration)} by at most that second.
 */
final class Shutdown {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private Shutdown() {
    }

    static void run(Core core) {
        Lifecycle lifecycle = core.lifecycle;
        IngestBackend backend = core.backend;
        boolean crash = lifecycle.haltRequested(); // a crash releases nothing: the backend's halt() drops it all at once
        List<Map.Entry<TopicPartition, String>> open = Assignments.held(core.partitions.open.values());
        core.partitions.open.clear();
        core.partitions.opener.shutdown(crash ? (tp, table) -> { } : core.partitions::releaseQuietly);
        long deadline = lifecycle.closeDeadlineNanos();
        Duration left = Duration.ofNanos(deadline == 0 ? core.s.closeTimeout().toNanos()
                : Math.max(0, deadline - System.nanoTime()));
        Thread closer = new Thread(() -> {
            core.partitions.opener.awaitIdle(left); // no open racing the close
            if (!crash) {
                core.partitions.releaser.awaitIdle(left); // nor a revoke's release that overran its wait
            }
            core.partitions.releaser.shutdown();
            if (!crash) {
                core.partitions.releaseQuietly(open);
            }
            core.router.close(left);
            try {
                if (crash) {
                    backend.halt();
                } else {
                    backend.close(left);
                }
            } catch (RuntimeException e) {
                log.warn("closing backend {} failed: {}", backend.name(), e.toString());
            }
        }, "ksbridge-" + core.s.name() + "-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(left.toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("bridge {}: backend {} did not close within {} (what was left of the close timeout) and a second; "
                    + "leaving it to finish in the background", core.s.name(), backend.name(), left);
        }
    }
}
