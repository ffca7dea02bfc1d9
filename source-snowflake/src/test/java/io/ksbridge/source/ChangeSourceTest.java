package io.ksbridge.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The CHANGES source's settings, word for word, and its position's JSON. */
class ChangeSourceTest {
    @Test
    void changesDefaults_andSettle() {
        ChangeSource c = ChangeSource.changes();
        assertTrue(c.isChanges());
        assertFalse(ChangeSource.stream().isChanges());
        assertEquals(Duration.ofSeconds(1), c.settle());
        assertEquals(Duration.ZERO, c.settle(Duration.ZERO).settle());
        assertEquals("changes(settle=PT5S, appendOnly=true)", c.settle(Duration.ofSeconds(5)).appendOnly(true).toString());
        assertTrue(c.settle(Duration.ofSeconds(5)).appendOnly(true).isChanges());
    }

    @Test
    void settleAndStagingSchema_refusedNamingTheSetting() {
        assertEquals("Invalid value PT-1S for setting ChangeSource.settle: must be between 0 and PT1H",
                assertThrows(BridgeConfigException.class, () -> ChangeSource.changes().settle(Duration.ofSeconds(-1))).getMessage());
        assertEquals("Invalid value PT1H0.001S for setting ChangeSource.settle: must be between 0 and PT1H",
                assertThrows(BridgeConfigException.class, () -> ChangeSource.changes().settle(Duration.ofMillis(3_600_001)))
                        .getMessage());
        assertEquals("Invalid value PT0.0000015S for setting ChangeSource.settle: must be whole milliseconds (the CHANGES"
                + " clause's resolution)", assertThrows(BridgeConfigException.class, () -> ChangeSource.changes()
                .settle(Duration.ofNanos(1_500))).getMessage());
        assertEquals("Invalid value PT1S for setting ChangeSource.settle: only the CHANGES source has a settle lag (a stream's"
                + " boundary is the consuming transaction's version); use ChangeSource.changes().settle(...)",
                assertThrows(BridgeConfigException.class, () -> ChangeSource.stream().settle(Duration.ofSeconds(1))).getMessage());
        assertEquals("Invalid value KSB.CDC for setting ChangeSource.stagingSchema: the CHANGES source creates no objects in"
                + " Snowflake; a staging schema is for ChangeSource.stream() only", assertThrows(BridgeConfigException.class,
                () -> ChangeSource.changes().stagingSchema("KSB.CDC")).getMessage());
        assertEquals("settle must not be null", assertThrows(NullPointerException.class, () -> ChangeSource.changes().settle(null))
                .getMessage());
    }

    @Test
    void positionJson_roundTrips() {
        for (ChangesPosition p : new ChangesPosition[] {ChangesPosition.from(1_791_549_296_123L),
                ChangesPosition.snapshotAt(100).snapshotAfter(7), ChangesPosition.from(100).page(101, 1, 42)}) {
            assertEquals(p, ChangesPosition.parse(SourceFixture.json(p.toJson())));
        }
        assertEquals("{\"v\":1,\"mode\":\"changes\",\"at_ms\":1791549296123,\"snapshot\":null}",
                new String(ChangesPosition.from(1_791_549_296_123L).toJson(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("{\"v\":1,\"mode\":\"changes\",\"at_ms\":100,\"snapshot\":{\"t0_ms\":100,\"after\":7}}",
                new String(ChangesPosition.snapshotAt(100).snapshotAfter(7).toJson(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("{\"v\":1,\"mode\":\"changes\",\"at_ms\":100,\"snapshot\":null,\"window\":{\"end_ms\":101,\"pass\":1,"
                + "\"after\":42}}", new String(ChangesPosition.from(100).page(101, 1, 42).toJson(),
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
