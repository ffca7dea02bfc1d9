package io.ksbridge.internal.engine;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lanes and offsets of one partition whose records a {@link io.ksbridge.TableRouter} spreads over several tables.
 * Each table is a lane of its own (a {@link PartitionState}: buffer, batches, durable point in the backend). The
 * committable offset is the lowest point below which every record is durable in its own table: the lowest first
 * offset still pending (buffered or in flight) in any lane, or, when nothing is pending, the next offset after the
 * last record handled. The consumer resumes at Kafka's committed offset, and each lane drops the records below its
 * own start, the larger of the committed offset and what the backend says that table holds. Polling thread.
 */
final class RoutedOffsets {
    /** The committed offset's metadata: the tables the partition fed, so a new owner opens them before reading. */
    static final String METADATA_PREFIX = "ksbridge.tables=";
    /** At most this many characters of metadata (Kafka's {@code offset.metadata.max.bytes} defaults to 4096). */
    static final int MAX_METADATA_CHARS = 2048;

    /** The lanes by table, in the order the tables were first fed. */
    final Map<String, PartitionState> lanes = new LinkedHashMap<>();
    /** Kafka's committed offset when the partition was assigned, -1 when none (or not known: a host loop). */
    final long committed;
    /** The next offset after the last record handled (taken by a lane, dropped, or producing no row); -1 before. */
    private long nextRead;
    private String metadata;

    RoutedOffsets(long committed) {
        this.committed = committed;
        this.nextRead = committed;
    }

    /** Adds the lane of a table the backend opened; {@code backendStart} is where its data ends, -1 when unknown. */
    void add(PartitionState lane, long backendStart) {
        lane.dropBelow = Math.max(backendStart, committed);
        lanes.put(lane.table, lane);
        metadata = null;
    }

    /** A record at {@code offset} was handled: it holds a commit back only while pending in a lane. */
    void handled(long offset) {
        if (offset >= nextRead) {
            nextRead = offset + 1;
        }
    }

    /** The offset Kafka may be told, -1 when nothing is known yet. */
    long committable() {
        long low = nextRead;
        for (PartitionState lane : lanes.values()) {
            long p = lane.lowestPending();
            if (p >= 0 && (low < 0 || p < low)) {
                low = p;
            }
        }
        return low;
    }

    /** The committed offset's metadata: the tables fed, as many as fit in {@link #MAX_METADATA_CHARS}. */
    String metadata() {
        if (metadata == null) {
            StringBuilder b = new StringBuilder(METADATA_PREFIX);
            boolean first = true;
            for (String table : lanes.keySet()) {
                String enc = URLEncoder.encode(table, StandardCharsets.UTF_8);
                if (b.length() + enc.length() + 1 > MAX_METADATA_CHARS) {
                    break; // the rest open on their first record: the resume point never depends on this list
                }
                b.append(first ? "" : ",").append(enc);
                first = false;
            }
            metadata = b.toString();
        }
        return metadata;
    }

    /** The tables a committed offset's metadata lists (written by {@link #metadata()}); empty for any other text. */
    static List<String> tables(String metadata) {
        List<String> out = new ArrayList<>();
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
            return out;
        }
        for (String enc : metadata.substring(METADATA_PREFIX.length()).split(",")) {
            if (!enc.isEmpty()) {
                out.add(URLDecoder.decode(enc, StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
