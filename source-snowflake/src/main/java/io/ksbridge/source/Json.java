package io.ksbridge.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The built-in JSON formats and the bridge's mapper. Thread-safe. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** A table's name split once (the envelope names it in every record). */
    private static final java.util.Map<String, List<String>> PARTS = new java.util.concurrent.ConcurrentHashMap<>();

    static final ChangeFormat ENVELOPE = new ChangeFormat() {
        @Override
        public byte[] value(ChangeEvent e) {
            ObjectNode v = MAPPER.createObjectNode();
            v.set("before", e.before());
            v.set("after", e.after());
            v.put("op", e.op().code());
            v.put("ts_ms", e.batchMillis());
            ObjectNode source = v.putObject("source");
            List<String> parts = PARTS.computeIfAbsent(e.table(), Names::split);
            source.put("db", parts.get(0));
            source.put("schema", parts.get(1));
            source.put("table", parts.get(2));
            source.put("snapshot", e.op() == ChangeEvent.Op.READ);
            source.put("seq", e.seq());
            source.put("row", e.row());
            source.put("row_id", e.rowId());
            return bytes(v);
        }

        @Override
        public String toString() {
            return "envelopeJson";
        }
    };

    static final ChangeFormat ROW = new ChangeFormat() {
        @Override
        public byte[] value(ChangeEvent e) {
            ObjectNode v = MAPPER.createObjectNode();
            boolean deleted = e.op() == ChangeEvent.Op.DELETE;
            ObjectNode image = deleted ? e.before() : e.after();
            if (image != null) {
                v.setAll(image);
            }
            if (deleted) {
                v.put("__deleted", true);
            }
            v.put("__op", e.op().code());
            return bytes(v);
        }

        @Override
        public String toString() {
            return "rowJson";
        }
    };

    private Json() {
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
