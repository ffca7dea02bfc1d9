package io.ksbridge.ingest.streaming;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RoutingCrashScenario;
import io.ksbridge.testkit.SnowflakeEmulator;
import org.junit.jupiter.api.Test;

/**
 * One partition routed by a field into three tables through Snowpipe Streaming (Classic): a channel per table, each
 * named {@code <topic>_<partition>} with its own offset token; crashed twice between batches and restarted: exactly
 * once per table (issue 15, item 3).
 */
@KsbridgeTest
class StreamingRoutingIT {

    @Test
    void threeTablesFromOnePartition_crashedTwice_exactlyOncePerTable(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        RoutingCrashScenario.run(kafka, snowflake, "routed_rows", "DB.ROUTED",
                () -> StreamingIts.backend(snowflake, "ROUTED").build());
    }
}
