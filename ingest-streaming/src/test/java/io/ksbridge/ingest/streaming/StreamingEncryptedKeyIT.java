package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.Secret;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaming.StreamingService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Streaming backend (the ingest SDK, which gets the decoded key through its parameters and signs its own JWTs)
 * signs in with the key Snowflake's key-pair guide makes, {@code openssl pkcs8 -topk8 -v2 des3} (core's test key,
 * see core's {@code src/test/resources/keys/README.md}), given as PEM and as the connector's one-line body, and
 * loads rows.
 */
class StreamingEncryptedKeyIT {
    private static final String PASSPHRASE = "Qx7-wombat-Zq81-pelican";
    static SnowflakeEmulator snowflake;
    static StreamingService streaming;
    static String pem;

    @BeforeAll
    static void start() throws Exception {
        pem = Files.readString(Path.of("..", "core", "src", "test", "resources", "keys", "pbes2-des3-sha256.p8"));
        SnowflakeAccount decoded = SnowflakeAccount.builder().url("http://127.0.0.1:1").allowInsecureHttp().user("any")
                .privateKey(Secret.of(pem)).passphrase(Secret.of(PASSPHRASE)).build();
        snowflake = SnowflakeEmulator.builder().keyPair(new KeyPair(decoded.publicKey(), decoded.privateKey())).start();
        streaming = StreamingService.of(snowflake);
    }

    @AfterAll
    static void stop() {
        snowflake.close();
    }

    private static String oneLine(String pem) {
        return pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    }

    private static void load(SnowflakeAccount account, String table) throws Exception {
        TopicPartition tp = new TopicPartition("keys", 0);
        try (StreamingBackend backend = StreamingBackend.builder().account(account).database("DB").schema("KEYS")
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5)).build()) {
            assertEquals(PartitionStart.unknown(), backend.open(table, tp));
            List<IngestRow> rows = new ArrayList<>();
            for (long o = 0; o < 10; o++) {
                rows.add(new IngestRow(o, ("{\"id\":" + o + "}").getBytes(StandardCharsets.UTF_8),
                        ("{\"offset\":" + o + "}").getBytes(StandardCharsets.UTF_8)));
            }
            assertEquals(IngestResult.durable(), backend.ingest(new IngestBatch(table, tp, 0, 9, rows, 1))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
        assertEquals("9", streaming.committedOffsetToken("DB.KEYS." + table, "keys_0").orElseThrow());
        List<Long> ids = new ArrayList<>();
        for (Row r : snowflake.table("DB.KEYS." + table).rows()) {
            ids.add(r.content().get("id").asLong());
        }
        ids.sort(Long::compare);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), ids);
    }

    @Test
    void backend_des3EncryptedPemKey_signsInAndLoadsRows() throws Exception {
        load(SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp().user(SnowflakeEmulator.USER).role(SnowflakeEmulator.ROLE)
                .privateKey(Secret.of(pem)).passphrase(Secret.of(PASSPHRASE)).build(), "PEM_KEY");
    }

    @Test
    void backend_des3EncryptedOneLineBodyFromConnectorProperties_signsInAndLoadsRows() throws Exception {
        BridgeConfig config = BridgeConfig.from(Map.of("snowflake.url.name", snowflake.url(), BridgeConfig.ALLOW_INSECURE_HTTP, "true",
                "snowflake.user.name", SnowflakeEmulator.USER, "snowflake.role.name", SnowflakeEmulator.ROLE,
                "snowflake.private.key", oneLine(pem), "snowflake.private.key.passphrase", PASSPHRASE,
                "snowflake.ingestion.method", "SNOWPIPE_STREAMING"));
        load(config.account(), "BODY_KEY");
    }
}
