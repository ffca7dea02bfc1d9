package io.ksbridge.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The source chaos run's verdict: the topic's change events compared, change by change, with the emulator's history
 * of every row (by ROW_ID). Events are put in the bridge's order (batch, then delete images before insert images,
 * then row), and each row's events must walk its history forwards: a {@code u} or {@code d} starts from the image the
 * previous event left ({@code before} equal to it), every {@code after} is an image the row really had, later than
 * the previous one, and the last event leaves the row's final image. Net changes may skip intermediate images (a
 * batch holds one change per row); nothing else may be missing.
 * <ul>
 *   <li><b>duplicated</b>: an event at a position ({@code seq:row:op}) already seen;</li>
 *   <li><b>lost</b>: a chain break (a {@code before} other than the row's last published image, a row's first event
 *       not a create or snapshot read), or a row whose last published image is not its final one;</li>
 *   <li><b>invented</b>: an {@code after} that is no later image of that row.</li>
 * </ul>
 */
public final class SourceChaosVerdict {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SourceChaosVerdict() {
    }

    /** The figures; {@link #passed()} when nothing was lost, doubled or invented. */
    public record Result(int events, int tombstones, int rows, int duplicated, int lost, int invented, List<String> details) {
        public boolean passed() {
            return duplicated == 0 && lost == 0 && invented == 0 && events > 0;
        }

        public String line() {
            return String.format(Locale.ROOT, "%,d change events (%,d tombstones) over %,d rows: lost %d, duplicated %d,"
                    + " invented %d", events, tombstones, rows, lost, duplicated, invented)
                    + (details.isEmpty() ? "" : "; first problems: " + details.subList(0, Math.min(5, details.size())));
        }
    }

    private record Event(long seq, int pass, long row, String op, String rowId, Map<String, String> before,
            Map<String, String> after) {
    }

    /**
     * @param records the topic, read_committed
     * @param history the emulator's {@code TrackedTable.history()}: per ROW_ID its images in commit order, null = deleted
     * @param finalRows the table's rows at the end
     */
    public static Result compare(List<ConsumerRecord<byte[], byte[]>> records, Map<String, List<Map<String, String>>> history,
            List<Map<String, String>> finalRows) {
        List<Event> events = new ArrayList<>();
        int tombstones = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() == null) {
                tombstones++;
                continue;
            }
            JsonNode v = json(r.value());
            String op = v.path("op").asText();
            JsonNode src = v.path("source");
            events.add(new Event(src.path("seq").asLong(), "d".equals(op) ? 0 : 1, src.path("row").asLong(), op,
                    src.path("row_id").isTextual() ? src.path("row_id").asText() : null, image(v.get("before")), image(v.get("after"))));
        }
        events.sort(Comparator.comparingLong(Event::seq).thenComparingInt(Event::pass).thenComparingLong(Event::row));
        Map<String, String> byKey = snapshotIndex(history);
        Set<String> positions = new HashSet<>();
        Map<String, Integer> at = new HashMap<>(); // ROW_ID -> index of its last published image (-1: none yet)
        Map<String, Map<String, String>> state = new HashMap<>(); // ROW_ID -> last published image (absent: none/deleted)
        int duplicated = 0;
        int lost = 0;
        int invented = 0;
        List<String> details = new ArrayList<>();
        for (Event e : events) {
            if (!positions.add(e.seq() + ":" + e.row() + ":" + e.op())) {
                duplicated++;
                details.add("duplicate " + e.op() + " at " + e.seq() + ":" + e.row());
                continue;
            }
            String id = e.rowId() != null ? e.rowId() : byKey.get(e.after() == null ? null : e.after().get("ID") + "|" + e.after());
            List<Map<String, String>> h = id == null ? null : history.get(id);
            if (h == null) {
                invented++;
                details.add("no such row: " + e.op() + " " + e.after() + " at " + e.seq() + ":" + e.row());
                continue;
            }
            int pos = at.getOrDefault(id, -1);
            Map<String, String> current = state.get(id);
            if (e.op().equals("u") || e.op().equals("d")) {
                if (!Objects.equals(current, e.before())) {
                    lost++;
                    details.add(e.op() + " of " + id.substring(id.length() - 6) + " from " + e.before() + " but the topic left it at "
                            + current + " (at " + e.seq() + ":" + e.row() + ")");
                }
            } else if (current != null) {
                lost++;
                details.add(e.op() + " of " + id.substring(id.length() - 6) + " over a live image " + current);
            }
            if (e.op().equals("d")) {
                state.remove(id);
                continue; // a delete image: the row is gone, or (a key change) its new key follows as a create
            }
            int next = indexAfter(h, pos, e.after());
            if (next < 0) {
                invented++;
                details.add(e.op() + " " + e.after() + " is no later image of its row (at " + e.seq() + ":" + e.row() + ")");
                continue;
            }
            at.put(id, next);
            state.put(id, e.after());
        }
        for (Map.Entry<String, List<Map<String, String>>> row : history.entrySet()) {
            List<Map<String, String>> h = row.getValue();
            Map<String, String> last = h.get(h.size() - 1);
            if (!Objects.equals(last, state.get(row.getKey()))) {
                lost++;
                details.add("row " + row.getKey().substring(row.getKey().length() - 6) + " ends as " + last + " but the topic left it at "
                        + state.get(row.getKey()));
            }
        }
        if (finalRows.size() != history.values().stream().filter(h -> h.get(h.size() - 1) != null).count()) {
            lost++;
            details.add("the table's rows do not match its history");
        }
        return new Result(events.size(), tombstones, history.size(), duplicated, lost, invented, details);
    }

    /** ROW_ID by "ID|image" for the snapshot's reads (which carry no ROW_ID). */
    private static Map<String, String> snapshotIndex(Map<String, List<Map<String, String>>> history) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, List<Map<String, String>>> e : history.entrySet()) {
            for (Map<String, String> image : e.getValue()) {
                if (image != null) {
                    out.putIfAbsent(image.get("ID") + "|" + image, e.getKey());
                }
            }
        }
        return out;
    }

    private static int indexAfter(List<Map<String, String>> h, int pos, Map<String, String> image) {
        for (int i = pos + 1; i < h.size(); i++) {
            if (Objects.equals(h.get(i), image)) {
                return i;
            }
        }
        return -1;
    }

    /** An image as column → text (NULL as null), in the table's column order. */
    private static Map<String, String> image(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            out.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText());
        }
        return out;
    }

    /** The topic replayed as a compacted topic would keep it: key → NAME. */
    static Map<String, String> replay(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode v = r.value() == null ? null : json(r.value());
            if (v == null || "d".equals(v.path("op").asText())) {
                out.remove(key);
            } else {
                out.put(key, v.path("after").path("NAME").asText() + "/" + v.path("after").path("QTY").asText());
            }
        }
        return out;
    }

    /** The table's rows as {@link #replay} gives them. */
    static Map<String, String> state(List<Map<String, String>> rows) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, String> r : rows) {
            out.put("{\"ID\":" + r.get("ID") + "}", r.get("NAME") + "/" + r.get("QTY"));
        }
        return out;
    }

    /** Every committed record of a topic, read_committed, per partition in offset order. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(EmbeddedKafka kafka, String topic) {
        return kafka.readCommitted(topic, Duration.ofSeconds(60));
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
