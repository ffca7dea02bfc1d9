package io.ksbridge.ingest.snowpipe;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TransformChainScenario;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A transform chain (mask + drop + flatten + filter) through Snowpipe files into the emulator (issue 15). */
@KsbridgeTest
class SnowpipeTransformsIT {

    @Test
    void chain_maskDropFlattenFilter_rowsShapedAndFilteredOffsetsCommitted(EmbeddedKafka kafka,
            SnowflakeEmulator snowflake) throws Exception {
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("PUBLIC")
                .statusPollInterval(Duration.ofMillis(100)).build();
        TransformChainScenario.run(kafka, snowflake, "shaped-files", "DB.PUBLIC.SHAPED_FILES_" + Math.abs(
                "shaped-files".hashCode()), backend);
    }
}
