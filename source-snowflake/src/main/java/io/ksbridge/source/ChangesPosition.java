package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A table's position in CHANGES mode, as committed in the offsets topic with the records before it: every change
 * stamped at or before {@code atMillis} is published. While a snapshot is in progress ({@code snapshot}), the table's
 * rows at {@code atMillis} are published in key order up to row {@code after}. While a one-millisecond window too
 * large for one transaction is published in pages ({@code endMillis > 0}), the window up to {@code endMillis} is
 * published in pass {@code pass} (0: delete images, 1: insert images) up to its row {@code after}.
 */
record ChangesPosition(long atMillis, boolean snapshot, long endMillis, int pass, long after) {
    static final String MODE = "changes";

    /** Changes after {@code atMillis}, nothing in progress. */
    static ChangesPosition from(long atMillis) {
        return new ChangesPosition(atMillis, false, 0, 0, 0);
    }

    /** A snapshot of the table at {@code t0}, nothing of it published yet. */
    static ChangesPosition snapshotAt(long t0) {
        return new ChangesPosition(t0, true, 0, 0, 0);
    }

    static ChangesPosition parse(JsonNode v) {
        JsonNode snap = v.path("snapshot");
        JsonNode window = v.path("window");
        long at = v.path("at_ms").asLong();
        if (snap.isObject()) {
            return new ChangesPosition(at, true, 0, 0, snap.path("after").asLong());
        }
        if (window.isObject()) {
            return new ChangesPosition(at, false, window.path("end_ms").asLong(), window.path("pass").asInt(),
                    window.path("after").asLong());
        }
        return from(at);
    }

    /** Whether a one-millisecond window is being published in pages. */
    boolean paging() {
        return endMillis > 0;
    }

    ChangesPosition snapshotAfter(long row) {
        return new ChangesPosition(atMillis, true, 0, 0, row);
    }

    ChangesPosition page(long end, int nextPass, long nextAfter) {
        return new ChangesPosition(atMillis, false, end, nextPass, nextAfter);
    }

    byte[] toJson() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("v", 1);
        v.put("mode", MODE);
        v.put("at_ms", atMillis);
        if (snapshot) {
            v.putObject("snapshot").put("t0_ms", atMillis).put("after", after);
        } else {
            v.putNull("snapshot");
        }
        if (paging()) {
            v.putObject("window").put("end_ms", endMillis).put("pass", pass).put("after", after);
        }
        return Json.bytes(v);
    }
}
