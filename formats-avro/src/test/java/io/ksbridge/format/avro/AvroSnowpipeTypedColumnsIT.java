package io.ksbridge.format.avro;

import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;

/**
 * Typed columns from the Avro schema through the Snowpipe backend (files loaded by a MATCH_BY_COLUMN_NAME pipe), with
 * schematization on: the cases of {@link TypedColumnsCases} (exact NUMBER(10,2), DATE and TIMESTAMP_LTZ(3) values; a field added mid-stream adding a
 * nullable column before its rows; a retyped field stopping the bridge with nothing committed past what landed).
 */
@KsbridgeTest
class AvroSnowpipeTypedColumnsIT extends TypedColumnsCases {
    @Override
    IngestBackend backend(SnowflakeEmulator snowflake, String schema) {
        return SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                .schematization(true).build();
    }

    @Override
    String prefix() {
        return "sp_";
    }
}
