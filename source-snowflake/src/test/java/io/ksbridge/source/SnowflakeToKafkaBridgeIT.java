package io.ksbridge.source;

import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.changes;
import static io.ksbridge.source.SourceFixture.orders;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The core loop end to end: snapshot, then inserts, updates, deletes and key changes, each once, across a restart. */
@KsbridgeTest
class SnowflakeToKafkaBridgeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void snapshotThenChanges_publishedOnce_restartPublishesNothingTwice(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        String name = SourceFixture.unique("core");
        TrackedTable t = orders(snowflake, "CORE");
        t.insert(row(1, "a"), row(2, "b"), row(3, "c"));
        String topic = "db.public.core";
        kafka.createTopic(topic, 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, TableSpec.of("DB.PUBLIC.CORE").topic(topic)).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 3, () -> "the snapshot; failure " + b.failure());
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":2} b", "r {\"ID\":3} c"), changes(readCommitted(kafka, topic)));
            t.update("ID", 1, Map.of("NAME", "a2"));
            t.delete("ID", 2);
            t.insert(row(4, "d"));
            t.update("ID", 3, Map.of("ID", 30)); // a key change
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 10, () -> "the changes: " + changes(readCommitted(kafka, topic)));
            List<String> all = changes(readCommitted(kafka, topic));
            List<String> batch = all.subList(3, all.size());
            // delete images first (pure deletes, the old key of a key change), then inserts and updates
            assertEquals(List.of("d {\"ID\":2} b", "d {\"ID\":3} c", "tombstone {\"ID\":2}", "tombstone {\"ID\":3}"),
                    batch.subList(0, 4).stream().sorted().toList());
            assertEquals(List.of("c {\"ID\":30} c", "c {\"ID\":4} d", "u {\"ID\":1} a2 was a"), batch.subList(4, 7).stream().sorted().toList());
            assertEquals(7, batch.size());
            JsonNode update = SourceFixture.json(readCommitted(kafka, topic).stream().filter(r -> r.value() != null
                    && SourceFixture.json(r.value()).path("op").asText().equals("u")).findFirst().orElseThrow().value());
            assertEquals("1.50", update.path("after").path("QTY").asText());
            assertEquals(1, update.path("source").path("seq").asLong());
            assertEquals("CORE", update.path("source").path("table").asText());
            Await.until(WAIT, () -> snowflake.changes().tableNames().stream().noneMatch(n -> n.contains("_B0")),
                    () -> "the batch tables to be dropped: " + snowflake.changes().tableNames());
        }
        int before = readCommitted(kafka, topic).size();
        t.insert(row(5, "e"));
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, TableSpec.of("DB.PUBLIC.CORE").topic(topic)).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() > before, () -> "the insert after the restart");
            List<ConsumerRecord<byte[], byte[]>> all = readCommitted(kafka, topic);
            assertEquals(List.of("c {\"ID\":5} e"), changes(all.subList(before, all.size())));
            assertTrue(b.failure().isEmpty());
        }
    }
}
