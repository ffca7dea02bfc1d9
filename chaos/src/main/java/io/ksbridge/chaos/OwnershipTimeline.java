package io.ksbridge.chaos;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who owned which partition when, during one chaos run: the coordinator feeds it the {@code ASSIGNED}/{@code REVOKED}
 * lines its workers print, the moments it kills, stops or sees a worker exit, and samples of the group's committed
 * offsets; the verdict asks it which worker incarnations held a partition while a lost or duplicated range of
 * offsets went through. Times are epoch milliseconds. Thread-safe.
 */
final class OwnershipTimeline {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /**
     * One worker incarnation's hold on one partition.
     *
     * @param partition   {@code topic-partition}
     * @param worker      the worker slot (0..N-1)
     * @param incarnation the slot's process number, 1 for its first launch; each restart is a new incarnation
     * @param mode        {@code own} or {@code host} loop
     * @param from        when it was assigned
     * @param to          when it ended; {@link Long#MAX_VALUE} while it lasts
     * @param end         how it ended: {@code revoked}, {@code killed}, {@code stopped}, {@code exited}, or
     *                    {@code held} while it lasts
     */
    record Tenure(String partition, int worker, int incarnation, String mode, long from, long to, String end) {
        boolean overlaps(long start, long finish) {
            return from <= finish && to >= start;
        }

        /** The incarnation's name, as the worker's {@code --id}: {@code worker.incarnation}. */
        String who() {
            return worker + "." + incarnation;
        }
    }

    private final Map<String, List<Tenure>> closed = new HashMap<>();
    /** Open tenures by incarnation ({@code worker.incarnation}), then partition. */
    private final Map<String, Map<String, Tenure>> open = new HashMap<>();
    /** Committed-offset samples per partition: time -> next offset to consume. */
    private final Map<String, TreeMap<Long, Long>> committed = new HashMap<>();

    /**
     * Applies one line of a worker's output when it is an ownership line, {@code ASSIGNED at=MILLIS id=W.I [p, q]} or
     * {@code REVOKED at=MILLIS id=W.I [p, q]} (what {@link ChaosWorker} prints); other lines are ignored.
     *
     * @return true when the line was an ownership line
     */
    boolean apply(String line, int worker, int incarnation, String mode) {
        boolean assigned = line.startsWith("ASSIGNED ");
        if (!assigned && !line.startsWith("REVOKED ")) {
            return false;
        }
        int at = line.indexOf(" at=");
        int open = line.indexOf('[');
        int close = line.lastIndexOf(']');
        if (at < 0 || open < 0 || close < open) {
            return false;
        }
        int atEnd = line.indexOf(' ', at + 4);
        long millis;
        try {
            millis = Long.parseLong(line.substring(at + 4, atEnd < 0 ? line.length() : atEnd));
        } catch (NumberFormatException e) {
            return false;
        }
        List<String> partitions = new ArrayList<>();
        for (String p : line.substring(open + 1, close).split(",")) {
            if (!p.isBlank()) {
                partitions.add(p.trim());
            }
        }
        if (assigned) {
            assigned(millis, worker, incarnation, mode, partitions);
        } else {
            revoked(millis, worker, incarnation, partitions);
        }
        return true;
    }

    /** A worker incarnation got these partitions (added to what it holds). */
    synchronized void assigned(long at, int worker, int incarnation, String mode, Collection<String> partitions) {
        Map<String, Tenure> mine = open.computeIfAbsent(worker + "." + incarnation, k -> new TreeMap<>());
        for (String p : partitions) {
            mine.putIfAbsent(p, new Tenure(p, worker, incarnation, mode, at, Long.MAX_VALUE, "held"));
        }
    }

    /** A worker incarnation gave up these partitions (revoked or lost). */
    synchronized void revoked(long at, int worker, int incarnation, Collection<String> partitions) {
        Map<String, Tenure> mine = open.get(worker + "." + incarnation);
        if (mine == null) {
            return;
        }
        for (String p : partitions) {
            Tenure t = mine.remove(p);
            if (t != null) {
                close(t, at, "revoked");
            }
        }
    }

    /** A worker incarnation ended ({@code killed}, {@code stopped}, {@code exited}): everything it held ends too. */
    synchronized void ended(long at, int worker, int incarnation, String how) {
        Map<String, Tenure> mine = open.remove(worker + "." + incarnation);
        if (mine != null) {
            mine.values().forEach(t -> close(t, at, how));
        }
    }

    private void close(Tenure t, long at, String how) {
        closed.computeIfAbsent(t.partition(), k -> new ArrayList<>())
                .add(new Tenure(t.partition(), t.worker(), t.incarnation(), t.mode(), t.from(), Math.max(t.from(), at), how));
    }

    /** A sample of the group's committed offsets (next offset to consume), by {@code topic-partition}. */
    synchronized void committed(long at, Map<String, Long> offsets) {
        offsets.forEach((p, o) -> {
            TreeMap<Long, Long> samples = committed.computeIfAbsent(p, k -> new TreeMap<>());
            Map.Entry<Long, Long> last = samples.lastEntry();
            if (last == null || !last.getValue().equals(o)) {
                samples.put(at, o); // only changes: a long run keeps few samples
            }
        });
    }

    /** The first sampled moment the group's committed offset was past {@code offset}; -1 when never seen. */
    synchronized long committedPast(String partition, long offset) {
        TreeMap<Long, Long> samples = committed.get(partition);
        if (samples != null) {
            for (Map.Entry<Long, Long> e : samples.entrySet()) {
                if (e.getValue() > offset) {
                    return e.getKey();
                }
            }
        }
        return -1;
    }

    /** The group's committed offset for {@code partition} at {@code at} (the last sample before); -1 when none. */
    synchronized long committedAt(String partition, long at) {
        TreeMap<Long, Long> samples = committed.get(partition);
        Map.Entry<Long, Long> e = samples == null ? null : samples.floorEntry(at);
        return e == null ? -1 : e.getValue();
    }

    /** Every tenure of {@code partition} that overlaps {@code [from, to]}, in the order they began. */
    synchronized List<Tenure> owners(String partition, long from, long to) {
        List<Tenure> out = new ArrayList<>();
        for (Tenure t : closed.getOrDefault(partition, List.of())) {
            if (t.overlaps(from, to)) {
                out.add(t);
            }
        }
        for (Map<String, Tenure> mine : open.values()) {
            Tenure t = mine.get(partition);
            if (t != null && t.overlaps(from, to)) {
                out.add(t);
            }
        }
        out.sort((a, b) -> a.from() != b.from() ? Long.compare(a.from(), b.from())
                : Integer.compare(a.worker(), b.worker()));
        return out;
    }

    /** One tenure for a verdict: {@code worker 1.3 (host) 12:00:01.234-12:00:05.678 revoked, committed 1200->2300}. */
    String describe(Tenure t) {
        long atStart = committedAt(t.partition(), t.from());
        long atEnd = committedAt(t.partition(), t.to() == Long.MAX_VALUE ? Long.MAX_VALUE : t.to());
        return "worker " + t.who() + " (" + t.mode() + ") " + time(t.from()) + "-"
                + (t.to() == Long.MAX_VALUE ? "end" : time(t.to())) + " " + t.end() + ", committed "
                + (atStart < 0 ? "none" : Long.toString(atStart)) + "->" + (atEnd < 0 ? "none" : Long.toString(atEnd));
    }

    /** {@code HH:mm:ss.SSS} (UTC) of epoch milliseconds. */
    static String time(long epochMillis) {
        return TIME.format(Instant.ofEpochMilli(epochMillis));
    }
}
