package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Helpers of the CHANGES-mode ITs: committed positions read back from the offsets topic, records' window ends. */
final class ChangesFixture {
    static final Duration WAIT = Duration.ofSeconds(60);

    private ChangesFixture() {
    }

    /** A CHANGES source with this settle lag in ms. */
    static ChangeSource changes(long settleMillis) {
        return ChangeSource.changes().settle(Duration.ofMillis(settleMillis));
    }

    /** Every committed position of the bridge, in commit order (read_committed). */
    static List<JsonNode> positions(EmbeddedKafka kafka, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("ksbridge-" + name + "-offsets", Duration.ofSeconds(20))) {
            if (r.value() != null) {
                out.add(SourceFixture.json(r.value()));
            }
        }
        return out;
    }

    /** The bridge's last committed position. */
    static JsonNode lastPosition(EmbeddedKafka kafka, String name) {
        List<JsonNode> p = positions(kafka, name);
        return p.get(p.size() - 1);
    }

    /** Waits until the last committed position is a plain one (no snapshot or page in progress) at {@code atMillis}. */
    static void awaitPosition(EmbeddedKafka kafka, String name, long atMillis, SnowflakeToKafkaBridge bridge)
            throws InterruptedException {
        awaitPosition(kafka, name, p -> p.path("at_ms").asLong() == atMillis && p.path("snapshot").isNull()
                && !p.has("window"), () -> "position at " + atMillis + "; " + bridge.failure());
    }

    static void awaitPosition(EmbeddedKafka kafka, String name, Predicate<JsonNode> last, java.util.function.Supplier<String> what)
            throws InterruptedException {
        Await.until(WAIT, () -> {
            List<JsonNode> p = positions(kafka, name);
            return !p.isEmpty() && last.test(p.get(p.size() - 1));
        }, () -> what.get() + "; committed: " + positions(kafka, name));
    }

    /** The window end (CHANGES mode's {@code seq}) a record was published with, from its {@code ksb.position} header. */
    static long windowEnd(ConsumerRecord<byte[], byte[]> r) {
        String p = new String(r.headers().lastHeader("ksb.position").value(), StandardCharsets.UTF_8);
        return Long.parseLong(p.substring(0, p.indexOf(':')));
    }

    /** The ID in a record's key. */
    static long id(ConsumerRecord<byte[], byte[]> r) {
        return SourceFixture.json(r.key()).path("ID").asLong();
    }
}
