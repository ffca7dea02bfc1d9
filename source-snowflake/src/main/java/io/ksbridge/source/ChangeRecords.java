package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.BridgeException;
import io.ksbridge.snowflake.SqlResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Change rows (as a batch table or a {@code CHANGES} window returns them, ordered by {@code METADATA$ROW_ID} then
 * {@code METADATA$ACTION}) into Kafka records: rows grouped into {@link Unit}s (an update is its DELETE row then its
 * INSERT row), values decoded from the SQL API's text, then each unit's records in two passes (0: delete images, 1:
 * insert images) through the {@link ChangeFormat} and the {@link Deletes} choice. Stateless; called on the bridge's
 * thread.
 */
final class ChangeRecords {
    /** Where one table's records go: the source table, its topic, its key columns (empty: no key). */
    record Target(String table, String topic, List<String> key) {
    }

    /** One group of rows: a change of one ROW_ID (an update is a DELETE row then an INSERT row). */
    record Unit(long lastRow, long firstRow, String rowId, ObjectNode before, ObjectNode after) {
    }

    private final SourceSettings s;

    ChangeRecords(SourceSettings settings) {
        this.s = settings;
    }

    /**
     * Groups a page's rows by ROW_ID; a full page's last update half waits for the next page (its pair is there). Rows
     * are numbered by the {@link SnowflakeObjects#ROW} column, or, when the page has none, from {@code after + 1} on.
     */
    List<Unit> units(SqlResult page, boolean snapshot, boolean full, long after) {
        List<SqlResult.Column> cols = page.columnTypes();
        int action = page.columnIndex(SnowflakeObjects.ACTION);
        int isUpdate = page.columnIndex(SnowflakeObjects.IS_UPDATE);
        int rowId = page.columnIndex(SnowflakeObjects.ROW_ID);
        int ordinal = page.columnIndex(SnowflakeObjects.ROW);
        List<Unit> out = new ArrayList<>();
        Unit open = null;
        long counted = after;
        for (List<String> row : page.rows()) {
            long n = ordinal >= 0 ? Long.parseLong(row.get(ordinal)) : ++counted;
            ObjectNode image = Json.MAPPER.createObjectNode();
            for (int i = 0; i < cols.size(); i++) {
                String name = cols.get(i).name();
                if (i != ordinal && !name.startsWith("METADATA$")) {
                    image.set(name, decode(cols.get(i), row.get(i), n));
                }
            }
            if (snapshot) {
                out.add(new Unit(n, n, null, null, image));
                continue;
            }
            String id = row.get(rowId);
            boolean delete = "DELETE".equals(row.get(action));
            if (open != null && open.rowId().equals(id) && !delete) {
                out.add(new Unit(n, open.firstRow(), id, open.before(), image));
                open = null;
                continue;
            }
            if (open != null) {
                out.add(open);
                open = null;
            }
            if (delete && "true".equalsIgnoreCase(row.get(isUpdate))) {
                open = new Unit(n, n, id, image, null);
            } else {
                out.add(delete ? new Unit(n, n, id, image, null) : new Unit(n, n, id, null, image));
            }
        }
        if (open != null && !full) {
            out.add(open);
        }
        return out;
    }

    private static JsonNode decode(SqlResult.Column column, String text, long row) {
        try {
            return TextValues.decode(column, text);
        } catch (IllegalArgumentException e) {
            throw new BridgeException("batch row " + row + ": " + e.getMessage(), e);
        }
    }

    /**
     * The records of one unit in one pass: pass 0 emits delete images, pass 1 insert images.
     *
     * @param seq    the batch (stream mode) or the window's end (CHANGES mode), for the events
     * @param millis the events' {@code ts_ms}
     */
    List<ProducerRecord<byte[], byte[]>> records(Target t, Unit u, int pass, boolean snapshot, long seq, long millis) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
        ObjectNode oldKey = key(t, u.before());
        ObjectNode newKey = key(t, u.after());
        boolean keyChanged = u.before() != null && u.after() != null && !Objects.equals(oldKey, newKey);
        if (pass == 0) {
            if (u.before() != null && (u.after() == null || keyChanged)) {
                ChangeEvent e = new ChangeEvent(ChangeEvent.Op.DELETE, t.table(), oldKey, u.before(), null, seq, u.firstRow(),
                        u.rowId(), millis);
                if (s.deletes().event()) {
                    out.add(record(t, e, s.format().value(e)));
                }
                if (s.deletes().tombstone() && oldKey != null) {
                    out.add(record(t, e, null));
                }
            }
            return out;
        }
        if (u.after() == null) {
            return out;
        }
        ChangeEvent.Op op = snapshot ? ChangeEvent.Op.READ : u.before() != null && !keyChanged ? ChangeEvent.Op.UPDATE
                : ChangeEvent.Op.CREATE;
        ChangeEvent e = new ChangeEvent(op, t.table(), newKey, op == ChangeEvent.Op.UPDATE ? u.before() : null, u.after(), seq,
                u.firstRow(), u.rowId(), millis);
        out.add(record(t, e, s.format().value(e)));
        return out;
    }

    /** The summed key and value bytes of some records. */
    static long bytes(List<ProducerRecord<byte[], byte[]>> records) {
        long size = 0;
        for (ProducerRecord<byte[], byte[]> r : records) {
            size += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        }
        return size;
    }

    private ProducerRecord<byte[], byte[]> record(Target t, ChangeEvent e, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ksb.op", (value == null ? "tombstone" : e.op().code()).getBytes(StandardCharsets.UTF_8));
        headers.add("ksb.table", e.table().getBytes(StandardCharsets.UTF_8));
        headers.add("ksb.position", (e.seq() + ":" + e.row()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(t.topic(), null, null, s.format().key(e), value, headers);
    }

    private static ObjectNode key(Target t, ObjectNode image) {
        if (image == null || t.key().isEmpty()) {
            return null;
        }
        ObjectNode k = Json.MAPPER.createObjectNode();
        for (String c : t.key()) {
            JsonNode v = image.get(c);
            if (v == null) {
                List<String> names = new ArrayList<>();
                image.fieldNames().forEachRemaining(names::add);
                throw new BridgeException("table " + t.table() + " has no key column " + c + " (columns: " + names + ")");
            }
            k.set(c, v);
        }
        return k;
    }
}
