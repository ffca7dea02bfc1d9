package io.ksbridge.internal.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Offset arithmetic for one partition whose records spread over several tables (routing by record): the committable
 * offset is the lowest point below which every record is durable in its own table; on restart the partition resumes
 * at the lowest start among its tables and each table drops records already durable there. Not thread-safe: the
 * polling thread owns it. Not yet used by the engine (see docs/design-notes.md, "Routing by record").
 */
final class RoutedOffsets {

    /** offset of a record not yet durable, to the count of such records at that offset (one per table it went to). */
    private final TreeMap<Long, Integer> pending = new TreeMap<>();
    private final Map<String, Long> starts = new HashMap<>();
    private final long resumeAt;
    private long nextRead;

    /** @param starts each known table's next offset not yet durable there; @param committed the Kafka committed offset */
    RoutedOffsets(Map<String, Long> starts, long committed) {
        this.starts.putAll(starts);
        long resume = committed;
        for (long s : starts.values()) {
            resume = Math.min(resume, s);
        }
        this.resumeAt = resume;
        this.nextRead = resume;
    }

    /** Where the consumer resumes: the lowest start among the tables (and the committed offset). */
    long resumeAt() {
        return resumeAt;
    }

    /**
     * A record at {@code offset} routed to {@code table} was read. Returns false when the table already holds it
     * (drop it there), true when it is now pending for that table. A table first seen starts at the resume point.
     */
    boolean read(String table, long offset) {
        nextRead = Math.max(nextRead, offset + 1);
        Long start = starts.get(table);
        if (start != null && offset < start) {
            return false;
        }
        pending.merge(offset, 1, Integer::sum);
        return true;
    }

    /** A record at {@code offset}, pending for one table, is now durable there. */
    void durable(long offset) {
        pending.computeIfPresent(offset, (o, n) -> n == 1 ? null : n - 1);
    }

    /** A record at {@code offset} went to no table (filtered): it never holds a commit back. */
    void handled(long offset) {
        nextRead = Math.max(nextRead, offset + 1);
    }

    /** The offset to commit: the lowest pending offset, or the next offset to read when nothing is pending. */
    long committable() {
        return pending.isEmpty() ? nextRead : pending.firstKey();
    }
}
