package io.ksbridge.source;

import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.changes;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Metering;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scenario 15 (an idle source costs no warehouse time) and 22 (a NOT NULL column over historical NULLs). */
@KsbridgeTest
class CostAndSchemaIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void idleSource_twentyDaysOfEmulatorTime_noWarehouseResume_probesKeepTheStreamFresh(EmbeddedKafka kafka,
            SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup s = SourceFixture.setUp(kafka, snowflake, "IDLE");
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() == 2, () -> "the snapshot; " + b.failure());
            Metering m = snowflake.changes().metering();
            // the snapshot's batch is dropped right after its last commit: wait for the loop to be probing
            long probes = m.streamProbes();
            Await.until(WAIT, () -> m.streamProbes() > probes + 2, () -> "the bridge probing its stream; " + m);
            m.reset();
            for (int day = 0; day < 20; day++) { // past the 14-day extension a stream nobody probed would be stale
                snowflake.changes().advance(Duration.ofDays(1));
                long before = m.streamProbes();
                Await.until(WAIT, () -> m.streamProbes() > before, () -> "a probe after the clock moved; " + m + "; " + b.failure());
            }
            assertEquals(0, m.warehouseResumes(), "an idle source never resumes the warehouse: " + m);
            assertEquals(0, m.warehouseStatements(), m.toString());
            assertEquals(0.0, m.billedWarehouseSeconds());
            assertTrue(m.streamProbes() >= 20 && m.cloudServicesStatements() >= m.streamProbes(), m.toString());
            assertTrue(b.failure().isEmpty(), "not stale: " + b.failure());

            s.table().insert(row(3, "c"));
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() == 3, () -> "the change after 20 idle days; " + b.failure());
            assertEquals("c {\"ID\":3} c", changes(readCommitted(kafka, s.topic())).get(2));
            assertEquals(1, m.warehouseResumes(), "the change resumed the warehouse once: " + m);
        }
    }

    @Test
    void notNullColumnOverHistoricalNulls_theStreamReadFails_andTheBridgeStopsNamingIt(EmbeddedKafka kafka,
            SnowflakeEmulator snowflake) throws Exception {
        SourceFixture.Setup s = SourceFixture.setUp(kafka, snowflake, "NOTNULL");
        Map<String, Object> nameless = row(3, "x");
        nameless.put("NAME", null);
        s.table().insert(nameless);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() == 3, () -> "the snapshot; " + b.failure());
            String stream = snowflake.changes().streamNames().stream().filter(n -> n.contains("_S")).findFirst().orElseThrow();
            long offset = snowflake.changes().streamOffset(stream);
            s.table().update("ID", 3, Map.of("NAME", "named")); // the delta's DELETE image still holds the NULL
            s.table().setNotNull("NAME");
            Await.until(WAIT, () -> b.failure().isPresent(), () -> "the bridge to stop on the failed stream read");
            String message = b.failure().get().getMessage();
            assertTrue(message.contains("NULL result in a non-nullable column") && message.contains("NAME"), message);
            assertEquals(offset, snowflake.changes().streamOffset(stream), "nothing consumed, so nothing lost");
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":2} b", "r {\"ID\":3} null"), changes(readCommitted(kafka, s.topic())));
        }
    }
}
