package io.ksbridge.source;

import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A small chaos run inside the module: a table under random DML while the bridge is killed at random steps and
 * restarted; then the topic, read with read_committed, must hold no change twice (by its batch position) and, replayed
 * as a compacted topic, equal the table.
 */
@KsbridgeTest
class RandomKillsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void randomDml_randomKills_noChangeLostOrDoubled(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        TrackedTable t = SourceFixture.orders(snowflake, "CHAOS");
        for (int i = 0; i < 50; i++) {
            t.insert(row(i, "v0"));
        }
        kafka.createTopic("chaos.topic", 3);
        TableSpec spec = TableSpec.of("DB.PUBLIC.CHAOS").topic("chaos.topic");
        String name = SourceFixture.unique("chaos");
        Random random = new Random(2026);
        Random r = new Random(11);
        int[] next = {1_000};
        int kills = 0;
        for (int round = 0; round < 6; round++) {
            Thread dml = new Thread(() -> {
                for (int op = 0; op < 400; op++) {
                    int id = r.nextInt(80);
                    switch (r.nextInt(4)) {
                        case 0 -> t.insert(row(next[0]++, "n"));
                        case 1 -> t.update("ID", id, Map.of("NAME", "u" + op));
                        case 2 -> t.delete("ID", id);
                        default -> t.update("ID", id, Map.of("ID", next[0]++)); // a key change
                    }
                    if (op % 20 == 0) {
                        Thread.yield();
                    }
                }
            });
            Hook.Step step = Hook.Step.values()[random.nextInt(Hook.Step.values().length)];
            int after = 1 + random.nextInt(2);
            int[] seen = {0};
            try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).maxTransactionRows(7).hook((at, table, seq) -> {
                if (at == step && ++seen[0] == after) {
                    throw new Hook.Crash(at + " #" + after);
                }
            }).build()) {
                b.start();
                Await.until(WAIT, () -> b.isActive() || b.failure().isPresent(), () -> "the bridge to start");
                dml.start();
                Await.until(WAIT, () -> b.failure().isPresent() || !dml.isAlive()
                                && compacted(readCommitted(kafka, "chaos.topic")).equals(state(t)),
                        () -> "a kill at " + step + " or every change of the round published; " + b.failure());
                dml.join();
                if (b.failure().isPresent()) {
                    assertTrue(b.failure().get() instanceof Hook.Crash, b.failure().get().toString());
                    kills++;
                }
            }
        }
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).build()) {
            b.start();
            Map<String, String> expected = state(t);
            Await.until(WAIT, () -> compacted(readCommitted(kafka, "chaos.topic")).equals(expected),
                    () -> "the topic to equal the table (" + expected.size() + " rows); " + b.failure());
        }
        Set<String> positions = new HashSet<>();
        int changes = 0;
        for (ConsumerRecord<byte[], byte[]> rec : readCommitted(kafka, "chaos.topic")) {
            if (rec.value() == null) {
                continue;
            }
            JsonNode v = SourceFixture.json(rec.value());
            String at = v.path("source").path("seq").asLong() + ":"
                    + v.path("source").path("row").asLong() + ":" + v.path("op").asText();
            assertTrue(positions.add(at), "a change published twice: " + at);
            changes++;
        }
        System.out.printf("random kills: %d kills, %d changes published, 0 doubled, table equals topic%n", kills, changes);
        assertTrue(kills >= 2, "kills: " + kills);
    }

    private static Map<String, String> state(TrackedTable t) {
        Map<String, String> state = new TreeMap<>();
        for (Map<String, String> r : t.rows()) {
            state.put("{\"ID\":" + r.get("ID") + "}", r.get("NAME"));
        }
        return state;
    }

    private static Map<String, String> compacted(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> state = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode v = r.value() == null ? null : SourceFixture.json(r.value());
            if (v == null || "d".equals(v.path("op").asText())) {
                state.remove(key);
            } else {
                state.put(key, v.path("after").path("NAME").asText());
            }
        }
        return state;
    }
}
