package io.ksbridge.ingest.streaming;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TransformChainScenario;
import org.junit.jupiter.api.Test;

/** A transform chain (mask + drop + flatten + filter) through Snowpipe Streaming (Classic) channels (issue 15). */
@KsbridgeTest
class StreamingTransformsIT {

    @Test
    void chain_maskDropFlattenFilter_rowsShapedAndFilteredOffsetsCommitted(EmbeddedKafka kafka,
            SnowflakeEmulator snowflake) throws Exception {
        TransformChainScenario.run(kafka, snowflake, "shaped_rows", "DB.PUBLIC.SHAPED_ROWS",
                StreamingIts.backend(snowflake, "PUBLIC").build());
    }
}
