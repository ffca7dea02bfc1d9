package io.ksbridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.emulator.Row;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import org.apache.kafka.common.TopicPartition;

/**
 * The exactly-once check of the integration tests: every record of some partitions landed once, none twice, none
 * missing, nothing else. Records are named by their Kafka coordinates (topic, partition, offset), read from each
 * row's {@code RECORD_METADATA} in the emulator, or from a {@link RecordingBackend}'s rows:
 * <pre>{@code
 * ExactlyOnce.assertEveryRecordOnce(snowflake, "DB.PUBLIC.ORDERS", kafka.endOffsets("orders"));
 * }</pre>
 * A failure names, per partition, the offset ranges lost, duplicated (with how often they landed) and unexpected,
 * for example {@code not exactly once in DB.PUBLIC.ORDERS (9,950 rows, 10,000 expected): orders-0 lost 100-149;
 * orders-1 duplicated 0-9 (x2)}.
 */
public final class ExactlyOnce {
    private static final int MAX_RANGES = 10;

    private ExactlyOnce() {
    }

    /**
     * Asserts that {@code table} holds each offset in {@code [0, end)} of every partition of {@code endOffsets}
     * exactly once, and no other record.
     *
     * @param emulator   the emulator, never null
     * @param table      a qualified table name such as {@code DB.PUBLIC.ORDERS}
     * @param endOffsets the end offset of each partition expected (as {@link EmbeddedKafka#endOffsets} gives them)
     * @throws AssertionError naming what was lost, duplicated or unexpected, or a row without the metadata to check
     */
    public static void assertEveryRecordOnce(SnowflakeEmulator emulator, String table, Map<TopicPartition, Long> endOffsets) {
        assertEveryRecordOnce(emulator, table, endOffsets, (tp, offset) -> true);
    }

    /**
     * As {@link #assertEveryRecordOnce(SnowflakeEmulator, String, Map)}, for records the bridge was to load: an
     * offset for which {@code expected} is false (a record skipped or dead-lettered) must not be in the table.
     *
     * @param expected whether a record of {@code [0, end)} belongs in the table, never null
     */
    public static void assertEveryRecordOnce(SnowflakeEmulator emulator, String table, Map<TopicPartition, Long> endOffsets,
                                             BiPredicate<TopicPartition, Long> expected) {
        Objects.requireNonNull(emulator, "emulator must not be null");
        List<Row> rows = emulator.table(table).rows();
        List<Landed> landed = new ArrayList<>(rows.size());
        for (Row row : rows) {
            JsonNode meta = row.metadata();
            if (meta == null || !meta.hasNonNull("topic") || !meta.hasNonNull("partition") || !meta.hasNonNull("offset")) {
                throw new AssertionError("a row of " + table + " has no RECORD_METADATA topic, partition and offset to"
                        + " check exactly once by: " + row);
            }
            landed.add(new Landed(new TopicPartition(meta.get("topic").asText(), meta.get("partition").asInt()),
                    meta.get("offset").asLong()));
        }
        check(table, landed, endOffsets, expected);
    }

    /**
     * As {@link #assertEveryRecordOnce(SnowflakeEmulator, String, Map)}, over the rows a {@link RecordingBackend}
     * took for {@code table} (each counted once per batch that carried it).
     */
    public static void assertEveryRecordOnce(RecordingBackend backend, String table, Map<TopicPartition, Long> endOffsets) {
        Objects.requireNonNull(backend, "backend must not be null");
        List<Landed> landed = new ArrayList<>();
        for (RecordingBackend.Row row : backend.rows(table)) {
            landed.add(new Landed(row.partition(), row.offset()));
        }
        check(table, landed, endOffsets, (tp, offset) -> true);
    }

    /** One record found in the table. */
    record Landed(TopicPartition partition, long offset) {
    }

    static void check(String table, List<Landed> landed, Map<TopicPartition, Long> endOffsets,
                      BiPredicate<TopicPartition, Long> expected) {
        Objects.requireNonNull(endOffsets, "endOffsets must not be null");
        Objects.requireNonNull(expected, "expected must not be null");
        Comparator<TopicPartition> order = Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
        Map<TopicPartition, TreeMap<Long, Integer>> counts = new TreeMap<>(order);
        for (Landed l : landed) {
            counts.computeIfAbsent(l.partition(), k -> new TreeMap<>()).merge(l.offset(), 1, Integer::sum);
        }
        Map<TopicPartition, Long> ends = new TreeMap<>(order);
        ends.putAll(endOffsets);
        List<String> problems = new ArrayList<>();
        long want = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            TopicPartition tp = e.getKey();
            TreeMap<Long, Integer> found = counts.getOrDefault(tp, new TreeMap<>());
            Ranges lost = new Ranges();
            Ranges duplicated = new Ranges();
            Ranges unexpected = new Ranges();
            for (long o = 0; o < e.getValue(); o++) {
                int c = found.getOrDefault(o, 0);
                if (expected.test(tp, o)) {
                    want++;
                    if (c == 0) {
                        lost.add(o, 0);
                    } else if (c > 1) {
                        duplicated.add(o, c);
                    }
                } else if (c > 0) {
                    unexpected.add(o, c);
                }
            }
            for (Map.Entry<Long, Integer> f : found.tailMap(e.getValue(), true).entrySet()) {
                unexpected.add(f.getKey(), f.getValue());
            }
            List<String> parts = new ArrayList<>();
            lost.describe("lost", parts);
            duplicated.describe("duplicated", parts);
            unexpected.describe(e.getValue() > 0 ? "unexpected (skipped, or at or past the end offset " + e.getValue() + ")"
                    : "unexpected", parts);
            if (!parts.isEmpty()) {
                problems.add(tp + " " + String.join(", ", parts));
            }
        }
        for (Map.Entry<TopicPartition, TreeMap<Long, Integer>> e : counts.entrySet()) {
            if (!ends.containsKey(e.getKey())) {
                Ranges unexpected = new Ranges();
                e.getValue().forEach(unexpected::add);
                List<String> parts = new ArrayList<>();
                unexpected.describe("unexpected (a partition not expected here)", parts);
                problems.add(e.getKey() + " " + String.join(", ", parts));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.format("not exactly once in %s (%,d rows, %,d expected): %s", table, landed.size(),
                    want, String.join("; ", problems)));
        }
    }

    /** Offsets gathered into ranges of consecutive offsets with the same count. */
    private static final class Ranges {
        private final List<long[]> ranges = new ArrayList<>(); // first, last, count

        void add(long offset, int count) {
            long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[1] == offset - 1 && last[2] == count) {
                last[1] = offset;
            } else {
                ranges.add(new long[] {offset, offset, count});
            }
        }

        void describe(String what, List<String> out) {
            if (ranges.isEmpty()) {
                return;
            }
            List<String> shown = new ArrayList<>();
            for (long[] r : ranges.subList(0, Math.min(MAX_RANGES, ranges.size()))) {
                String range = r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1];
                shown.add(r[2] > 1 ? range + " (x" + r[2] + ")" : range);
            }
            if (ranges.size() > MAX_RANGES) {
                shown.add("... (" + ranges.size() + " ranges)");
            }
            out.add(what + " " + String.join(", ", shown));
        }
    }
}
