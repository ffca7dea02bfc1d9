package io.ksbridge.source;

import static io.ksbridge.source.ChangesFixture.WAIT;
import static io.ksbridge.source.ChangesFixture.awaitPosition;
import static io.ksbridge.source.ChangesFixture.changes;
import static io.ksbridge.source.ChangesFixture.lastPosition;
import static io.ksbridge.source.ChangesFixture.positions;
import static io.ksbridge.source.ChangesFixture.windowEnd;
import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.orders;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static io.ksbridge.source.SourceFixture.setUp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ChangeClock;
import io.ksbridge.testkit.emulator.ChangeStore;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The read-only CHANGES source, scenarios 27-29: windows chained without gap or overlap (a commit on the boundary
 * millisecond included), the settle lag covering a late-visible commit (and its loss without it), a position older
 * than retention under each stale policy; and that the mode writes nothing to Snowflake and never turns tracking on.
 * Tests that freeze the emulator's clock let it run again at their end.
 */
@KsbridgeTest
class ChangesModeIT {
    @Test
    void readOnly_insertsUpdatesDeletesOnceEach_noStatementWritesToSnowflake(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        SourceFixture.Setup s = setUp(kafka, snowflake, "RO");
        s.table().changeTracking(true);
        ChangeStore.StatementFaults faults = snowflake.changes().faults();
        // any statement that writes or creates would fail (and be recorded): the mode sends none
        faults.on("^\\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|MERGE|TRUNCATE|BEGIN)\\b", ChangeStore.StatementFaults.Kind.FAIL_503,
                1_000);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(100)).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 2, () -> "the snapshot; " + b.failure());
            s.table().update("ID", 1, Map.of("NAME", "a2"));
            s.table().delete("ID", 2);
            s.table().insert(row(3, "c"));
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 6, () -> "the changes; " + b.failure());
            List<String> got = SourceFixture.changes(readCommitted(kafka, s.topic()));
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":2} b"), got.subList(0, 2));
            assertEquals(List.of("c {\"ID\":3} c", "d {\"ID\":2} b", "tombstone {\"ID\":2}", "u {\"ID\":1} a2 was a"),
                    got.subList(2, got.size()).stream().sorted().toList());
            assertEquals(List.of(), faults.applied());
            JsonNode last = lastPosition(kafka, s.name());
            assertEquals("changes", last.path("mode").asText());
            assertTrue(last.path("at_ms").asLong() <= snowflake.changes().clock().millis() - 100, "ends settle behind: " + last);
        } finally {
            faults.clear();
        }
    }

    /**
     * A table whose change tracking was turned on less than the settle lag before the bridge's first start is not
     * readable at T0 = now - settle ("before the object creation time"): the start waits for T0 to pass it, then
     * snapshots and goes on, instead of stopping as if the position had gone stale (the quickstart's case on a fast
     * machine).
     */
    @Test
    void aTableTrackedJustBeforeTheFirstStart_startWaitsForT0ToPassIt_notStale(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        SourceFixture.Setup s = setUp(kafka, snowflake, "YOUNG");
        s.table().changeTracking(true);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(2_000)).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 2 || b.failure().isPresent(),
                    () -> "the snapshot; " + b.failure());
            assertEquals(java.util.Optional.empty(), b.failure());
            s.table().insert(row(3, "c"));
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 3 || b.failure().isPresent(),
                    () -> "the insert; " + b.failure());
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":2} b", "c {\"ID\":3} c"),
                    SourceFixture.changes(readCommitted(kafka, s.topic())));
            assertTrue(positions(kafka, s.name()).get(0).path("snapshot").isObject(), "the first position is the snapshot's");
        }
    }

    @Test
    void changeTrackingOff_failsNamingTheAlter_andNeverTurnsItOn(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        TrackedTable t = orders(snowflake, "UNTRACKED");
        kafka.createTopic("untracked.topic", 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, SourceFixture.unique("untracked"),
                TableSpec.of("DB.PUBLIC.UNTRACKED").topic("untracked.topic")).source(changes(100)).build()) {
            b.start();
            Await.until(WAIT, () -> b.failure().isPresent(), () -> "the failure");
            String m = b.failure().get().getMessage();
            assertTrue(m.contains("ALTER TABLE DB.PUBLIC.UNTRACKED SET CHANGE_TRACKING = TRUE"), m);
            assertFalse(t.changeTracking());
        }
    }

    /** 27: window k ends at Q inclusive, window k+1 starts at Q exclusive: a commit stamped Q is in k and only in k. */
    @Test
    void windowsChainWithoutGapOrOverlap_aCommitOnTheBoundaryInTheEarlierWindow(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        ChangeClock clock = snowflake.changes().clock();
        SourceFixture.Setup s = setUp(kafka, snowflake, "CHAIN");
        s.table().changeTracking(true);
        clock.advance(Duration.ofSeconds(10)).freeze();
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(5_000)).build()) {
            long f = clock.millis();
            b.start();
            awaitPosition(kafka, s.name(), f - 5_000, b);
            clock.stampNextCommit(f - 3_001);
            s.table().insert(row(3, "c"));
            clock.stampNextCommit(f - 3_000); // exactly the next window's end
            s.table().update("ID", 1, Map.of("NAME", "a2"));
            clock.stampNextCommit(f - 2_999); // one millisecond after it
            s.table().delete("ID", 2);
            clock.advance(Duration.ofSeconds(2));
            awaitPosition(kafka, s.name(), f - 3_000, b);
            clock.advance(Duration.ofSeconds(3));
            awaitPosition(kafka, s.name(), f, b);
            List<ConsumerRecord<byte[], byte[]>> records = readCommitted(kafka, s.topic());
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":2} b", "c {\"ID\":3} c", "u {\"ID\":1} a2 was a", "d {\"ID\":2} b",
                    "tombstone {\"ID\":2}"), sortedWithinWindows(records));
            assertEquals(List.of(f - 5_000, f - 5_000, f - 3_000, f - 3_000, f, f), records.stream().map(ChangesFixture::windowEnd)
                    .toList());
            List<String> committed = positions(kafka, s.name()).stream().map(p -> p.path("at_ms").asLong() - f + ":"
                    + p.path("snapshot").isObject()).toList();
            assertEquals(List.of("-5000:true", "-5000:false", "-3000:false", "0:false"), committed);
        } finally {
            clock.unfreeze();
        }
    }

    /** Records in topic order, sorted only within each window (a window's rows have no order across commits). */
    private static List<String> sortedWithinWindows(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new java.util.ArrayList<>();
        int i = 0;
        while (i < records.size()) {
            int j = i;
            while (j < records.size() && windowEnd(records.get(j)) == windowEnd(records.get(i))) {
                j++;
            }
            out.addAll(SourceFixture.changes(records.subList(i, j)).stream().sorted().toList());
            i = j;
        }
        return out;
    }

    /** 28: a commit stamped 500 ms before it becomes visible: read with a 2 s settle lag, lost with none. */
    @ParameterizedTest(name = "settle {0} ms: kept {1}")
    @CsvSource({"2000,true", "0,false"})
    void lateVisibleCommit_coveredBySettle_lostWithout(long settle, boolean kept, EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        ChangeClock clock = snowflake.changes().clock();
        SourceFixture.Setup s = setUp(kafka, snowflake, "LATE_" + settle);
        s.table().changeTracking(true);
        clock.advance(Duration.ofSeconds(10)).freeze();
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(settle))
                .snapshot(Snapshot.never()).build()) {
            long f = clock.millis();
            b.start();
            awaitPosition(kafka, s.name(), f - settle, b);
            clock.advance(Duration.ofSeconds(1));
            awaitPosition(kafka, s.name(), f + 1_000 - settle, b); // window read at Snowflake time f + 1000
            clock.stampNextCommit(f + 500); // committed before that read, visible only after it
            s.table().insert(row(10, "late"));
            clock.advance(Duration.ofSeconds(5));
            awaitPosition(kafka, s.name(), f + 6_000 - settle, b);
            assertEquals(kept ? List.of("c {\"ID\":10} late") : List.of(), SourceFixture.changes(readCommitted(kafka, s.topic())));
        } finally {
            clock.unfreeze();
        }
    }

    /** 29: down longer than the table's retention: 000707; failFast stops naming table and fix, resnapshot goes on. */
    @Test
    void positionOlderThanRetention_failFastStops_resnapshotPublishesTheTableAndGoesOn(EmbeddedKafka kafka,
                                                                                      SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup s = setUp(kafka, snowflake, "OUTAGE");
        s.table().changeTracking(true);
        SnowflakeToKafkaBridge.Builder builder = bridge(kafka, snowflake, s.name(), s.spec()).source(changes(100))
                .snapshot(Snapshot.never());
        try (SnowflakeToKafkaBridge a = builder.build()) {
            a.start();
            Await.until(WAIT, () -> !positions(kafka, s.name()).isEmpty(), () -> "a position; " + a.failure());
            s.table().insert(row(3, "c"));
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() == 1, () -> "the insert; " + a.failure());
        }
        long stale = lastPosition(kafka, s.name()).path("at_ms").asLong();
        snowflake.changes().clock().advance(Duration.ofDays(2)); // retention is 1 day; CHANGES extends nothing
        s.table().delete("ID", 1);
        try (SnowflakeToKafkaBridge b = builder.onStale(Stale.failFast()).build()) {
            b.start();
            Await.until(WAIT, () -> b.failure().isPresent(), () -> "the stale failure");
            StaleStreamException e = assertInstanceOf(StaleStreamException.class, b.failure().get());
            assertTrue(e.getMessage().contains("table DB.PUBLIC.OUTAGE") && e.getMessage().contains("onStale(Stale.resnapshot())")
                    && e.getMessage().contains("Time travel data is not available"), e.getMessage());
        }
        assertEquals(1, readCommitted(kafka, s.topic()).size());
        assertEquals(stale, lastPosition(kafka, s.name()).path("at_ms").asLong());
        try (SnowflakeToKafkaBridge c = builder.onStale(Stale.resnapshot()).build()) {
            c.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 3, () -> "the new snapshot; " + c.failure());
            s.table().insert(row(4, "d"));
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 4, () -> "the insert after; " + c.failure());
            // the snapshot (in key order) holds the table as it is now: row 1, deleted during the outage, is not in it
            assertEquals(List.of("c {\"ID\":3} c", "r {\"ID\":2} b", "r {\"ID\":3} c", "c {\"ID\":4} d"),
                    SourceFixture.changes(readCommitted(kafka, s.topic())));
            assertTrue(lastPosition(kafka, s.name()).path("at_ms").asLong() > stale);
        }
    }
}
