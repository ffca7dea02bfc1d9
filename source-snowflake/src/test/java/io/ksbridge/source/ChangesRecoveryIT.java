package io.ksbridge.source;

import static io.ksbridge.source.ChangesFixture.WAIT;
import static io.ksbridge.source.ChangesFixture.awaitPosition;
import static io.ksbridge.source.ChangesFixture.changes;
import static io.ksbridge.source.ChangesFixture.id;
import static io.ksbridge.source.ChangesFixture.positions;
import static io.ksbridge.source.ChangesFixture.windowEnd;
import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static io.ksbridge.source.SourceFixture.setUp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ChangeClock;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CHANGES source across failures, scenario 30 and more: a kill between reading a window and committing it, a full
 * window halved and a one-millisecond window published in pages with a kill between pages, a zombie leader fenced.
 * Each ends with every change in the topic exactly once.
 */
@KsbridgeTest
class ChangesRecoveryIT {
    /** Snapshot rows 1, 2, then one transaction: update 1, delete 2, insert 3..8. */
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

    private static List<String> sorted(List<ConsumerRecord<byte[], byte[]>> records) {
        return SourceFixture.changes(records).stream().sorted().toList();
    }

    @ParameterizedTest(name = "kill at {0}")
    @EnumSource(value = Hook.Step.class, names = {"AFTER_READ", "BEFORE_COMMIT"})
    void killBetweenReadAndCommit_resumeRereadsTheWindow_eachChangeOnce(Hook.Step step, EmbeddedKafka kafka,
                                                                      SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup s = setUp(kafka, snowflake, "CKILL_" + step);
        s.table().changeTracking(true);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean rowsRead = new AtomicBoolean();
        AtomicInteger crashes = new AtomicInteger();
        Hook crashOnce = (at, table, seq) -> {
            if (at == Hook.Step.AFTER_READ) {
                rowsRead.set(seq > 0);
            }
            if (armed.get() && at == step && rowsRead.get() && crashes.getAndIncrement() == 0) {
                throw new Hook.Crash(at + " of a window with rows");
            }
        };
        SnowflakeToKafkaBridge.Builder builder = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(100));
        try (SnowflakeToKafkaBridge a = builder.hook(crashOnce).build()) {
            a.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 2, () -> "the snapshot; " + a.failure());
            armed.set(true);
            changeInOneTransaction(s.table());
            Await.until(WAIT, () -> a.failure().isPresent(), () -> "the crash at " + step);
            assertInstanceOf(Hook.Crash.class, a.failure().get());
        }
        assertEquals(2, readCommitted(kafka, s.topic()).size(), "nothing of the window is visible before its commit");
        try (SnowflakeToKafkaBridge b = builder.hook(Hook.NONE).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= EXPECTED.size(), () -> "the resume; " + b.failure());
            s.table().insert(row(9, "n9")); // published after everything before it: nothing doubled in between
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= EXPECTED.size() + 1, () -> "row 9; " + b.failure());
        }
        List<String> expected = new java.util.ArrayList<>(EXPECTED);
        expected.add("c {\"ID\":9} n9");
        expected.sort(null);
        assertEquals(expected, sorted(readCommitted(kafka, s.topic())));
    }

    /**
     * 30: six commits in six milliseconds and one of seven change rows in one millisecond, read with at most three rows
     * a transaction: windows halved until they fit, the one-millisecond window published in pages, a kill between two
     * of its pages, and the restart publishing the rest from the committed row.
     */
    @Test
    void fullWindowHalved_oneMillisecondWindowPaged_resumedMidWindow(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        ChangeClock clock = snowflake.changes().clock();
        SourceFixture.Setup s = setUp(kafka, snowflake, "HALVED");
        s.table().changeTracking(true);
        clock.advance(Duration.ofSeconds(10)).freeze();
        try {
            long f = clock.millis();
            long bulk = f - 300;
            AtomicInteger bulkCommits = new AtomicInteger();
            Hook killOnSecondPage = (at, table, seq) -> {
                if (at == Hook.Step.BEFORE_COMMIT && seq == bulk && bulkCommits.incrementAndGet() == 2) {
                    throw new Hook.Crash("between pages of the window at " + bulk);
                }
            };
            SnowflakeToKafkaBridge.Builder builder = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(1_000))
                    .snapshot(Snapshot.never()).maxTransactionRows(3);
            try (SnowflakeToKafkaBridge a = builder.hook(killOnSecondPage).build()) {
                a.start();
                awaitPosition(kafka, s.name(), f - 1_000, a);
                for (int i = 0; i < 6; i++) {
                    clock.stampNextCommit(f - 900 + i * 100L);
                    s.table().insert(row(10 + i, "n" + i));
                }
                clock.stampNextCommit(bulk);
                s.table().transaction(tx -> {
                    tx.update("ID", 1, Map.of("NAME", "a2"));
                    tx.update("ID", 2, Map.of("NAME", "b2"));
                    tx.insert(row(20, "x")).insert(row(21, "y")).insert(row(22, "z"));
                });
                clock.advance(Duration.ofSeconds(2));
                Await.until(WAIT, () -> a.failure().isPresent(), () -> "the kill between pages; " + positions(kafka, s.name()));
            }
            JsonNode paged = positions(kafka, s.name()).stream().filter(p -> p.has("window")).reduce((x, y) -> y).orElseThrow();
            assertEquals(bulk, paged.path("window").path("end_ms").asLong(), paged.toString());
            assertEquals(1, paged.path("window").path("pass").asInt(), paged.toString());
            try (SnowflakeToKafkaBridge b = builder.hook(Hook.NONE).build()) {
                b.start();
                awaitPosition(kafka, s.name(), f + 1_000, b);
            }
            List<ConsumerRecord<byte[], byte[]>> records = readCommitted(kafka, s.topic());
            assertEquals(List.of("c {\"ID\":10} n0", "c {\"ID\":11} n1", "c {\"ID\":12} n2", "c {\"ID\":13} n3", "c {\"ID\":14} n4",
                    "c {\"ID\":15} n5", "c {\"ID\":20} x", "c {\"ID\":21} y", "c {\"ID\":22} z", "u {\"ID\":1} a2 was a",
                    "u {\"ID\":2} b2 was b"), sorted(records));
            TreeMap<Long, Integer> perWindow = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                long end = windowEnd(r);
                perWindow.merge(end, 1, Integer::sum);
                assertEquals(id(r) < 20 && id(r) >= 10, end < bulk, "record " + id(r) + " in the window ending " + (end - f));
            }
            perWindow.remove(bulk);
            assertTrue(perWindow.size() >= 3 && perWindow.values().stream().allMatch(n -> n <= 3), "halved windows: " + perWindow);
            long previous = Long.MIN_VALUE;
            for (JsonNode p : positions(kafka, s.name())) {
                long at = p.path("at_ms").asLong();
                assertTrue(at >= previous, "positions never move back: " + positions(kafka, s.name()));
                previous = at;
            }
        } finally {
            clock.unfreeze();
        }
    }

    /** A leader paused after reading a window while a standby takes over: its late commit is fenced, nothing doubles. */
    @Test
    void zombieLeaderPausedAfterRead_isFenced_eachChangeOnce(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup s = setUp(kafka, snowflake, "CZOMBIE");
        s.table().changeTracking(true);
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Hook pause = (at, table, seq) -> {
            if (armed.get() && at == Hook.Step.AFTER_READ && seq > 0 && paused.getCount() > 0) {
                paused.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SnowflakeToKafkaBridge.Builder builder = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(100));
        try (SnowflakeToKafkaBridge a = builder.hook(pause).build(); SnowflakeToKafkaBridge b = builder.hook(Hook.NONE).build()) {
            a.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 2, () -> "the snapshot; " + a.failure());
            armed.set(true);
            changeInOneTransaction(s.table());
            assertTrue(paused.await(60, TimeUnit.SECONDS), "A paused after reading the window");
            b.start();
            Await.until(WAIT, () -> b.isActive() && readCommitted(kafka, s.topic()).size() >= EXPECTED.size(),
                    () -> "B took over and published; " + b.failure());
            release.countDown(); // A goes on with the window it read: its commit must be refused
            Await.until(WAIT, () -> !a.isActive(), () -> "A stood down");
            s.table().insert(row(9, "n9"));
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= EXPECTED.size() + 1, () -> "row 9; " + b.failure());
            assertTrue(b.isActive() && a.failure().isEmpty() && b.failure().isEmpty(), a.failure() + " / " + b.failure());
        } finally {
            release.countDown();
        }
        List<String> expected = new java.util.ArrayList<>(EXPECTED);
        expected.add("c {\"ID\":9} n9");
        expected.sort(null);
        assertEquals(expected, sorted(readCommitted(kafka, s.topic())));
    }
}
