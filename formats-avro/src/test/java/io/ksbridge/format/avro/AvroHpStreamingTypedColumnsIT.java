package io.ksbridge.format.avro;

import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;

/**
 * Typed columns from the Avro schema through the high-performance Streaming backend (rows keyed by column name,
 * loaded by each table's default pipe), with schematization on: the cases of {@link TypedColumnsCases} (exact
 * NUMBER(10,2), DATE and TIMESTAMP_LTZ(3) values; a field added mid-stream adding a nullable column before its rows;
 * a retyped field stopping the bridge with nothing committed past what landed). The emulator converts each value to
 * its column's type with its own code, so a wrong rendering is refused there, not stored.
 */
@KsbridgeTest
class AvroHpStreamingTypedColumnsIT extends TypedColumnsCases {
    @Override
    IngestBackend backend(SnowflakeEmulator snowflake, String schema) {
        return HighPerformanceStreamingBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .commitPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(30))
                // the emulator serves the SDK's REST mode only: stay under its ~1 MiB-a-flush switch to file mode
                .maxChannelBytesPerSecond(400_000)
                .schematization(true).build();
    }

    @Override
    String prefix() {
        return "hp_";
    }
}
