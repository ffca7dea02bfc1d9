package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A table's position, as committed in the offsets topic with the records before it: batches below {@code seq} are
 * published; batch {@code seq} is published in pass {@code pass} (0: delete images, 1: insert images) up to its row
 * {@code after}. {@code uid} names the bridge's Snowflake objects for this table (a new one after a resnapshot);
 * {@code t0} is the snapshot instant the stream was created at; {@code prevCreated} is the {@code created_on} of batch
 * {@code seq - 1}, to tell its leftover from a table a fenced predecessor made under the same name.
 */
record Position(String uid, long seq, int pass, long after, long t0, String prevCreated) {
    static Position parse(JsonNode v) {
        return new Position(v.path("uid").asText(), v.path("seq").asLong(), v.path("pass").asInt(), v.path("after").asLong(),
                v.path("t0_ms").asLong(), v.hasNonNull("prev_created") ? v.get("prev_created").asText() : null);
    }

    byte[] toJson() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("v", 1);
        v.put("mode", "stream");
        v.put("uid", uid);
        v.put("seq", seq);
        v.put("pass", pass);
        v.put("after", after);
        v.put("t0_ms", t0);
        v.put("prev_created", prevCreated);
        return Json.bytes(v);
    }

    Position at(int nextPass, long nextAfter) {
        return new Position(uid, seq, nextPass, nextAfter, t0, prevCreated);
    }

    Position nextBatch(String created) {
        return new Position(uid, seq + 1, 0, 0, t0, created);
    }
}
