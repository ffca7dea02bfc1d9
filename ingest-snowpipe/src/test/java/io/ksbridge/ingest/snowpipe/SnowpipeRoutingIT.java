package io.ksbridge.ingest.snowpipe;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RoutingCrashScenario;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One partition routed by a field into three tables through Snowpipe files (a folder and a pipe per table and
 * partition), crashed twice between batches and restarted: exactly once per table (issue 15, item 3).
 */
@KsbridgeTest
class SnowpipeRoutingIT {

    @Test
    void threeTablesFromOnePartition_crashedTwice_exactlyOncePerTable(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        RoutingCrashScenario.run(kafka, snowflake, "routed-files", "DB.ROUTED", () -> SnowpipeBackend.builder()
                .account(snowflake.account()).database("DB").schema("ROUTED")
                .statusPollInterval(Duration.ofMillis(50)).historyFallback(Duration.ofMillis(500))
                .closeTimeout(Duration.ZERO) // a crash waits for nothing
                .build());
    }
}
