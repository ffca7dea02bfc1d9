package io.ksbridge.ingest.snowpipe;

import io.ksbridge.BridgeEvents;
import io.ksbridge.ingest.BackendContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.snowflake.ingest.connection.HistoryResponse;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the loads of submitted files, on its own thread and sparingly (the connector's users saw throttled
 * {@code insertReport} calls send partitions into rebalance loops): one {@code insertReport} per pipe with pending
 * files every poll interval; {@code loadHistoryScan} only for files that stayed unseen past the fallback delay.
 * Loaded files are removed from the stage; failed ones go to the table stage and are reported to the listener;
 * files not loaded within the load timeout are treated as failed. Failed housekeeping is retried next round.
 */
final class LoadMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadMonitor.class);
    /**
     * Load events kept per pipe (one pipe per partition) for files not tracked yet: an event can arrive between a
     * submission and its tracking. Settled files drop theirs; this bounds the rest, and a file whose event was
     * dropped is found by the history scan.
     */
    private static final int RECENT_LIMIT = 1_000;

    /** A file Snowpipe accepted and whose load is not settled yet. */
    static final class Pending {
        final String table;
        final TopicPartition partition;
        final String stage;
        final String path;
        final long first;
        final long last;
        final Instant submitted;
        String status; // null while unknown; LOADED / LOAD_FAILED / PARTIALLY_LOADED once known
        String error;

        Pending(String table, TopicPartition partition, String stage, String path, long first, long last, Instant submitted) {
            this.table = table;
            this.partition = partition;
            this.stage = stage;
            this.path = path;
            this.first = first;
            this.last = last;
            this.submitted = submitted;
        }
    }

    private static final class PipeState {
        final PipeClient client;
        final Map<String, Pending> pending = new LinkedHashMap<>();
        final Map<String, HistoryResponse.FileEntry> recent = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, HistoryResponse.FileEntry> eldest) {
                return size() > RECENT_LIMIT;
            }
        };
        Instant lastScan = Instant.MIN;

        PipeState(PipeClient client) {
            this.client = client;
        }
    }

    private final SnowflakeObjects objects;
    private final BackendContext.LoadFailures failures;
    private final Duration fallbackAfter;
    private final Duration loadTimeout;
    private final Map<String, PipeState> pipes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread;
    private volatile boolean stopped;

    LoadMonitor(SnowflakeObjects objects, BackendContext.LoadFailures failures, Duration pollInterval, Duration fallbackAfter,
                Duration loadTimeout, String name) {
        this.objects = objects;
        this.failures = failures;
        this.fallbackAfter = fallbackAfter;
        this.loadTimeout = loadTimeout;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ksbridge-snowpipe-monitor-" + name);
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, pollInterval.toMillis());
        thread.scheduleWithFixedDelay(this::round, ms, ms, TimeUnit.MILLISECONDS);
    }

    void track(PipeClient client, Pending file) {
        PipeState state = pipes.computeIfAbsent(client.pipe(), k -> new PipeState(client));
        synchronized (state) {
            state.pending.putIfAbsent(file.path, file);
        }
    }

    /** Settles a file whose outcome is already known (from the load history at reconciliation). */
    void settle(PipeClient client, Pending file, String status, String error) {
        file.status = status;
        file.error = error;
        track(client, file);
    }

    /** Load events kept for files not tracked when they arrived, over all pipes (for tests). */
    int recentEvents() {
        int n = 0;
        for (PipeState s : pipes.values()) {
            synchronized (s) {
                n += s.recent.size();
            }
        }
        return n;
    }

    /** Files still pending, over all pipes. */
    int pendingCount() {
        int n = 0;
        for (PipeState s : pipes.values()) {
            synchronized (s) {
                n += s.pending.size();
            }
        }
        return n;
    }

    private void round() {
        for (PipeState state : pipes.values()) {
            if (stopped) {
                return;
            }
            try {
                poll(state);
            } catch (RuntimeException e) {
                LOG.warn("following loads of pipe {} failed, will try again: {}", state.client.pipe(), e.getMessage());
            }
        }
    }

    private void poll(PipeState state) {
        List<Pending> unknown = new ArrayList<>();
        synchronized (state) {
            for (Pending p : state.pending.values()) {
                if (p.status == null) {
                    unknown.add(p);
                }
            }
        }
        if (!unknown.isEmpty()) {
            for (HistoryResponse.FileEntry entry : state.client.insertReport()) {
                synchronized (state) {
                    Pending p = state.pending.get(entry.getPath());
                    if (p != null && p.status == null && entry.getStatus() != null
                            && entry.getStatus() != net.snowflake.ingest.connection.IngestStatus.LOAD_IN_PROGRESS) {
                        apply(p, entry); // a tracked file settles at once, whatever the bound below drops
                    } else {
                        state.recent.put(entry.getPath(), entry); // a file not tracked yet may be soon
                    }
                }
            }
            Instant now = Instant.now();
            boolean scan = false;
            Instant oldest = now;
            synchronized (state) {
                for (Pending p : unknown) {
                    if (p.status != null) {
                        continue; // settled by the report just read
                    }
                    HistoryResponse.FileEntry e = state.recent.get(p.path);
                    if (e != null && e.getStatus() != null && e.getStatus() != net.snowflake.ingest.connection.IngestStatus.LOAD_IN_PROGRESS) {
                        apply(p, e);
                    } else if (Duration.between(p.submitted, now).compareTo(fallbackAfter) > 0) {
                        scan = true;
                        oldest = p.submitted.isBefore(oldest) ? p.submitted : oldest;
                    }
                }
            }
            if (scan && Duration.between(state.lastScan, now).compareTo(fallbackAfter) > 0) {
                state.lastScan = now;
                for (HistoryResponse.FileEntry entry : state.client.loadHistoryScan(oldest.minus(Duration.ofMinutes(5)),
                        now.plusSeconds(1))) {
                    synchronized (state) {
                        Pending p = state.pending.get(entry.getPath());
                        if (p != null && p.status == null) {
                            apply(p, entry);
                        }
                    }
                }
            }
            synchronized (state) {
                for (Pending p : unknown) {
                    if (p.status == null && Duration.between(p.submitted, now).compareTo(loadTimeout) > 0) {
                        p.status = "LOAD_FAILED";
                        p.error = "not loaded within " + loadTimeout + " of submission";
                    }
                }
            }
        }
        List<Pending> settled = new ArrayList<>();
        synchronized (state) {
            for (Pending p : state.pending.values()) {
                if (p.status != null) {
                    settled.add(p);
                }
            }
        }
        for (Pending p : settled) {
            if (stopped) {
                return;
            }
            housekeep(p);
            synchronized (state) {
                state.pending.remove(p.path);
                state.recent.remove(p.path);
            }
        }
    }

    private static void apply(Pending p, HistoryResponse.FileEntry e) {
        p.status = e.getStatus().name();
        if (e.getStatus() != net.snowflake.ingest.connection.IngestStatus.LOADED) {
            p.error = e.getFirstError() != null ? e.getFirstError() + (e.getFirstErrorLineNum() != null ? " (line "
                    + e.getFirstErrorLineNum() + ")" : "") : "load " + e.getStatus();
        }
    }

    /** Removes a loaded file, or moves a failed one to the table stage and reports it. Throws to retry later. */
    private void housekeep(Pending p) {
        if ("LOADED".equals(p.status)) {
            objects.remove(p.stage, p.path);
            return;
        }
        String location;
        try {
            location = objects.moveToTableStage(p.stage, p.path, p.table);
        } catch (RuntimeException e) {
            if (e instanceof io.ksbridge.IngestException ie && !ie.isRetriable()) {
                // the table stage cannot take it (no COPY FILES privilege or support): leave it where it is
                location = "@" + objects.qualify(p.stage) + "/" + p.path;
                LOG.warn("could not move failed file {} to the table stage, it stays at {}: {}", p.path, location, e.getMessage());
            } else {
                throw e;
            }
        }
        LOG.error("Snowpipe could not load {} ({} offsets {}..{} into {}): {}; the file is kept at {}", p.path, p.partition,
                p.first, p.last, p.table, p.error, location);
        failures.failed(new BridgeEvents.LoadFailure(p.table, p.partition, p.first, p.last, location, p.error));
    }

    /** Waits until no file is pending, or {@code timeout} passed; true when none is pending. */
    boolean awaitSettled(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pendingCount() > 0) {
            if (System.nanoTime() > deadline || stopped) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        stopped = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops everything the monitor holds for a partition's lane into {@code table} (it moved to another instance). */
    void forget(String table, TopicPartition partition) {
        for (PipeState s : pipes.values()) {
            synchronized (s) {
                Iterator<Pending> it = s.pending.values().iterator();
                while (it.hasNext()) {
                    Pending p = it.next();
                    if (p.partition.equals(partition) && p.table.equals(table) && p.status == null) {
                        it.remove();
                    }
                }
            }
        }
    }
}
