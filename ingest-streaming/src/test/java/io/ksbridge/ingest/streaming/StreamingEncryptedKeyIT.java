package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.EncryptedKeyContract;
import io.ksbridge.testkit.EncryptedKeyScenario;
import io.ksbridge.testkit.TestRows;
import io.ksbridge.testkit.streaming.StreamingService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The Streaming backend (the ingest SDK, which gets the decoded key through its parameters and signs its own JWTs)
 * signs in with the key Snowflake's key-pair guide makes, {@code openssl pkcs8 -topk8 -v2 des3} (core's test key,
 * see core's {@code src/test/resources/keys/README.md}), given as PEM and as the connector's one-line body, and
 * loads rows.
 */
class StreamingEncryptedKeyIT implements EncryptedKeyContract {
    @Override
    public EncryptedKeyScenario startKeys() {
        return EncryptedKeyScenario.start(Path.of("..", "core", "src", "test", "resources", "keys", "pbes2-des3-sha256.p8"),
                "Qx7-wombat-Zq81-pelican");
    }

    @Override
    public Map<String, String> connectorProperties() {
        return Map.of("snowflake.ingestion.method", "SNOWPIPE_STREAMING");
    }

    @Override
    public void load(SnowflakeAccount account, String table) throws Exception {
        TopicPartition tp = new TopicPartition("keys", 0);
        try (StreamingBackend backend = StreamingBackend.builder().account(account).database("DB").schema("KEYS")
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5)).build()) {
            assertEquals(PartitionStart.unknown(), backend.open(table, tp));
            assertEquals(IngestResult.durable(), backend.ingest(new IngestBatch(table, tp, 0, 9, TestRows.ids(0, 9), 1))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
        assertEquals("9", StreamingService.of(keys().emulator()).committedOffsetToken("DB.KEYS." + table, "keys_0")
                .orElseThrow());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), keys().ids("DB.KEYS." + table));
    }
}
