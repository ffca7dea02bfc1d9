package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.ksbridge.BridgeListener;
import io.ksbridge.RetryPolicy;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.EncryptedKeyContract;
import io.ksbridge.testkit.EncryptedKeyScenario;
import io.ksbridge.testkit.TestRows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The Snowpipe backend signs in (SQL API, the JDBC driver's stage upload, Snowpipe REST) with the key Snowflake's
 * key-pair guide makes, {@code openssl pkcs8 -topk8 -v2 des3} (core's test key, see core's
 * {@code src/test/resources/keys/README.md}), given as PEM and as the connector's one-line body, and loads rows.
 */
class SnowpipeEncryptedKeyIT implements EncryptedKeyContract {
    @Override
    public EncryptedKeyScenario startKeys() {
        return EncryptedKeyScenario.start(Path.of("..", "core", "src", "test", "resources", "keys", "pbes2-des3-sha256.p8"),
                "Qx7-wombat-Zq81-pelican");
    }

    @Override
    public void load(SnowflakeAccount account, String table) throws Exception {
        try (SnowpipeBackend backend = SnowpipeBackend.builder().account(account).database("DB").schema("KEYS")
                .statusPollInterval(Duration.ofMillis(20)).build()) {
            backend.start(new BackendContext("keys", BridgeListener.noop(), RetryPolicy.defaults()));
            TopicPartition tp = new TopicPartition("keys", 0);
            backend.open(table, tp);
            IngestResult result = backend.ingest(new IngestBatch(table, tp, 0, 9, TestRows.ids(0, 9), 1))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertInstanceOf(IngestResult.Durable.class, result);
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), keys().ids("DB.KEYS." + table));
    }
}
