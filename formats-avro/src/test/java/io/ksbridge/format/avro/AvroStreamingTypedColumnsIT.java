package io.ksbridge.format.avro;

import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;

/**
 * Typed columns from the Avro schema through the Streaming backend, with schematization on: the cases of
 * {@link TypedColumnsCases} (exact NUMBER(10,2), DATE and TIMESTAMP_LTZ(3) values; a field added mid-stream adding a
 * nullable column before its rows; a retyped field stopping the bridge with nothing committed past what landed).
 */
@KsbridgeTest
class AvroStreamingTypedColumnsIT extends TypedColumnsCases {
    @Override
    IngestBackend backend(SnowflakeEmulator snowflake, String schema) {
        return StreamingBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                .schematization(true).build();
    }

    @Override
    String prefix() {
        return "";
    }
}
