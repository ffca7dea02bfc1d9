package io.ksbridge.source;

import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.changes;
import static io.ksbridge.source.SourceFixture.orders;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ChangeStore;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Scenarios 2-5 and 13: a kill at each step of the loop, a lost CTAS response, a zombie leader, two instances at once,
 * a batch over several transactions resumed mid-batch. Each ends with every change in the topic exactly once.
 */
@KsbridgeTest
class RecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** snapshot rows 1, 2, then one transaction: update 1, delete 2, insert 3..8. */
    private static final List<String> EXPECTED = List.of("c {\"ID\":3} n3", "c {\"ID\":4} n4", "c {\"ID\":5} n5", "c {\"ID\":6} n6",
            "c {\"ID\":7} n7", "c {\"ID\":8} n8", "d {\"ID\":2} b", "r {\"ID\":1} a", "r {\"ID\":2} b", "tombstone {\"ID\":2}",
            "u {\"ID\":1} a2 was a");

    private static void changeInOneTransaction(TrackedTable t) {
        t.transaction(tx -> {
            tx.update("ID", 1, Map.of("NAME", "a2"));
            tx.delete("ID", 2);
            for (int i = 3; i <= 8; i++) {
                tx.insert(row(i, "n" + i));
            }
        });
    }

    private static List<String> sorted(List<String> in) {
        List<String> out = new ArrayList<>(in);
        out.sort(null);
        return out;
    }

    @ParameterizedTest(name = "kill at {0} (occurrence {1})")
    @CsvSource({"BEFORE_CTAS,1", "AFTER_CTAS,1", "BEFORE_COMMIT,1", "BEFORE_COMMIT,3", "AFTER_COMMIT,1", "AFTER_COMMIT,2",
            "BEFORE_DROP,1"})
    void killAtEachStep_restartPublishesEveryChangeOnce(Hook.Step step, int occurrence, EmbeddedKafka kafka,
                                                        SnowflakeEmulator snowflake) throws Exception {
        String name = SourceFixture.unique("kill");
        String table = "KILL_" + step + "_" + occurrence;
        TrackedTable t = orders(snowflake, table);
        t.insert(row(1, "a"), row(2, "b"));
        String topic = "kill." + step + "." + occurrence;
        kafka.createTopic(topic, 1);
        TableSpec spec = TableSpec.of("DB.PUBLIC." + table).topic(topic);
        AtomicInteger seen = new AtomicInteger();
        try (SnowflakeToKafkaBridge a = bridge(kafka, snowflake, name, spec).maxTransactionRows(3)
                .hook((at, tableName, seq) -> {
                    if (at == step && seq == 1 && seen.incrementAndGet() == occurrence) {
                        throw new Hook.Crash(at + " of batch " + seq);
                    }
                }).build()) {
            a.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 2, () -> "the snapshot; " + a.failure());
            changeInOneTransaction(t);
            Await.until(WAIT, () -> a.failure().isPresent(), () -> "the crash at " + step);
            assertInstanceOf(Hook.Crash.class, a.failure().get());
        }
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).maxTransactionRows(3).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size()
                            && snowflake.changes().tableNames().stream().noneMatch(n -> n.startsWith("DB.PUBLIC.KSB_" + name.toUpperCase()
                            .replaceAll("[^A-Z0-9]", "_") + "_") && n.contains("_B0")),
                    () -> "every change and no batch table left: " + changes(readCommitted(kafka, topic)) + " "
                            + snowflake.changes().tableNames() + " " + b.failure());
            assertEquals(EXPECTED, sorted(changes(readCommitted(kafka, topic))));
            assertTrue(b.failure().isEmpty());
        }
    }

    @Test
    void lostCtasResponse_retriedWithoutConsumingTwice(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        String name = SourceFixture.unique("lost");
        TrackedTable t = orders(snowflake, "LOST");
        t.insert(row(1, "a"), row(2, "b"));
        String topic = "lost.ctas";
        kafka.createTopic(topic, 1);
        // the first CTAS of batch 1 commits and its answer is lost with its request id forgotten: the resubmission runs
        // the statement again, and IF NOT EXISTS makes that a no-op; batch 2's answer is lost and replayed by request id
        snowflake.changes().faults().on("_B000000000001\" DATA_RETENTION", ChangeStore.StatementFaults.Kind.DROP_RESPONSE_FORGET, 1)
                .on("_B000000000002\" DATA_RETENTION", ChangeStore.StatementFaults.Kind.DROP_RESPONSE, 1)
                .on("SYSTEM\\$STREAM_HAS_DATA", ChangeStore.StatementFaults.Kind.FAIL_503, 2)
                .on("WHERE KSB\\$ROW > 0", ChangeStore.StatementFaults.Kind.SLOW_202, 2);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, TableSpec.of("DB.PUBLIC.LOST").topic(topic))
                .requestTimeout(Duration.ofSeconds(1)).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 2, () -> "the snapshot; " + b.failure());
            changeInOneTransaction(t);
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size(), () -> "batch 1; " + b.failure());
            t.insert(row(9, "n9"));
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size() + 1, () -> "batch 2; " + b.failure());
            List<String> expected = new ArrayList<>(EXPECTED);
            expected.add("c {\"ID\":9} n9");
            assertEquals(sorted(expected), sorted(changes(readCommitted(kafka, topic))));
            assertTrue(b.failure().isEmpty());
        } finally {
            snowflake.changes().faults().clear();
        }
        assertEquals(6, snowflake.changes().faults().applied().stream().filter(f -> f.contains("LOST") || f.contains("KSB")).count(),
                "every fault was applied: " + snowflake.changes().faults().applied());
    }

    @Test
    void zombieLeader_isFenced_standbyPublishesEverythingOnce(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup setup = SourceFixture.setUp(kafka, snowflake, "ZOMBIE");
        String name = setup.name();
        TrackedTable t = setup.table();
        String topic = setup.topic();
        TableSpec spec = setup.spec();
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger leadershipsOfB = new AtomicInteger();
        // A stalls (a long GC pause) with a transaction open
        try (SnowflakeToKafkaBridge a = bridge(kafka, snowflake, name, spec).maxTransactionRows(3)
                .hook(SourceFixture.pauseOnce(Hook.Step.BEFORE_COMMIT, paused, release)).build()) {
            a.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 2, () -> "the snapshot; " + a.failure());
            try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).maxTransactionRows(3).listener(new SourceListener() {
                @Override
                public void onLeadership(boolean active) {
                    if (active) {
                        leadershipsOfB.incrementAndGet();
                    }
                }
            }).build()) {
                b.start();
                Await.until("B standing by", WAIT, () -> !b.isActive());
                changeInOneTransaction(t);
                assertTrue(paused.await(60, TimeUnit.SECONDS), "A paused with a transaction open");
                Await.until(WAIT, b::isActive, () -> "B to take over from the stalled A");
                Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size(), () -> "B publishes; " + b.failure());
                release.countDown(); // A wakes up: its commit is fenced
                Await.until(WAIT, () -> !a.isActive(), () -> "A to step down");
                t.insert(row(9, "n9"));
                Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size() + 1, () -> "B goes on");
                List<String> expected = new ArrayList<>(EXPECTED);
                expected.add("c {\"ID\":9} n9");
                assertEquals(sorted(expected), sorted(changes(readCommitted(kafka, topic))));
                assertTrue(a.failure().isEmpty(), "a fenced instance stands by, it does not fail: " + a.failure());
                assertEquals(1, leadershipsOfB.get());
            }
            // B closed: A, standing by, takes over
            Await.until(WAIT, a::isActive, () -> "A to take over after B closed");
            t.insert(row(10, "n10"));
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size() + 2, () -> "A publishes again");
            assertEquals("c {\"ID\":10} n10", changes(readCommitted(kafka, topic)).get(EXPECTED.size() + 1));
        }
    }

    @Test
    void zombieBehind_recreatesAPublishedBatch_newLeaderAdoptsIt(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup setup = SourceFixture.setUp(kafka, snowflake, "BEHIND");
        String name = setup.name();
        TrackedTable t = setup.table();
        String topic = setup.topic();
        TableSpec spec = setup.spec();
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // A checks it leads, then stalls just before its CTAS of batch 1
        try (SnowflakeToKafkaBridge a = bridge(kafka, snowflake, name, spec)
                .hook(SourceFixture.pauseOnce(Hook.Step.BEFORE_CTAS, paused, release)).build();
             SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).build()) {
            a.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 2, () -> "the snapshot; " + a.failure());
            b.start();
            changeInOneTransaction(t);
            assertTrue(paused.await(60, TimeUnit.SECONDS));
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size(), () -> "B publishes batch 1; " + b.failure());
            Await.until(WAIT, () -> snowflake.changes().tableNames().stream().noneMatch(n -> n.startsWith("DB.PUBLIC.KSB_BEHIND") && n.contains("_B0")),
                    () -> "batch 1 dropped by B: " + snowflake.changes().tableNames());
            t.insert(row(9, "n9"));
            release.countDown(); // A wakes: its CTAS IF NOT EXISTS of batch 1 (dropped) consumes the new change
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size() + 1,
                    () -> "B to adopt A's late batch: " + snowflake.changes().tableNames() + " " + b.failure());
            List<String> expected = new ArrayList<>(EXPECTED);
            expected.add("c {\"ID\":9} n9");
            assertEquals(sorted(expected), sorted(changes(readCommitted(kafka, topic))));
            Await.until(WAIT, () -> !a.isActive(), () -> "A to step down");
        }
    }

    @Test
    void twoInstancesAtOnce_oneActive_noPingPong(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup setup = SourceFixture.setUp(kafka, snowflake, "PAIR");
        String name = setup.name();
        TrackedTable t = setup.table();
        String topic = setup.topic();
        TableSpec spec = setup.spec();
        AtomicInteger leaderships = new AtomicInteger();
        SourceListener counting = new SourceListener() {
            @Override
            public void onLeadership(boolean active) {
                if (active) {
                    leaderships.incrementAndGet();
                }
            }
        };
        try (SnowflakeToKafkaBridge a = bridge(kafka, snowflake, name, spec).listener(counting).build();
             SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).listener(counting).build()) {
            a.start();
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 2, () -> "the snapshot");
            changeInOneTransaction(t);
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= EXPECTED.size(), () -> "the changes");
            for (int i = 0; i < 5; i++) {
                t.insert(row(20 + i, "m" + i));
                int want = EXPECTED.size() + i + 1;
                Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= want, () -> "insert " + want);
            }
            assertTrue(a.isActive() ^ b.isActive(), "exactly one is active");
            assertEquals(1, leaderships.get(), "no ping-pong: one leadership in all");
            assertEquals(EXPECTED.size() + 5, readCommitted(kafka, topic).size());
            assertFalse(a.failure().isPresent() || b.failure().isPresent());
        }
    }
}
