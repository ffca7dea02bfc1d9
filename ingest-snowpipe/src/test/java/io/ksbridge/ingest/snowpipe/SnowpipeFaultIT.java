package io.ksbridge.ingest.snowpipe;

import static io.ksbridge.ingest.snowpipe.SnowpipeIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RetryPolicy;
import io.ksbridge.Secret;
import io.ksbridge.TableNamer;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failing requests, lost responses, a file that cannot load, and refused credentials. */
@KsbridgeTest
class SnowpipeFaultIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;
    /** The tests' own uploaders wrap the production one: their files, too, reach the stage by the driver's PUT. */
    static StageUploader driver;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
        driver = StageUploader.jdbc(snowflake.account());
    }

    @AfterAll
    static void stop() {
        driver.close();
    }

    private static String table(String topic) {
        return "DB.FAULTS." + TableNamer.connectorDefault().tableName(topic);
    }

    private static String stage(String topic) {
        return "DB.FAULTS." + SnowpipeBackend.stageName("KSBRIDGE", TableNamer.connectorDefault().tableName(topic));
    }

    private static KafkaToSnowflakeBridge.Builder bridge(String topic, SnowpipeBackend backend, BridgeListener listener) {
        return KafkaToSnowflakeBridge.builder()
                .name("faults-" + topic)
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(200).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(100))
                .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)))
                .backend(backend)
                .listener(listener);
    }

    @Test
    void requests_tenPercentFailOrLoseTheirResponse_noLossNoDuplicatesRetriesReported() throws Exception {
        String topic = "flaky";
        int records = 20_000;
        kafka.createTopic(topic, 3);
        SnowpipeIts.produceIds(kafka, topic, 3, 0, records);
        AtomicInteger retries = new AtomicInteger();
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onRetry(BridgeEvents.Retry event) {
                retries.incrementAndGet();
            }
        };
        // uploads (a PUT in Snowflake) fail too: 5% before writing, 5% after writing (the answer is lost)
        java.util.Random random = new java.util.Random(11);
        AtomicInteger uploadFaults = new AtomicInteger();
        StageUploader flaky = (stageName, path, data) -> {
            double dice;
            synchronized (random) {
                dice = random.nextDouble();
            }
            if (dice < 0.05) {
                uploadFaults.incrementAndGet();
                throw new java.io.IOException("injected: connection reset before the upload");
            }
            driver.upload(stageName, path, data);
            if (dice < 0.10) {
                uploadFaults.incrementAndGet();
                throw new java.io.IOException("injected: the upload's answer was lost");
            }
        };
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("FAULTS")
                .compression(Compression.ZSTD).stageUploader(flaky).statusPollInterval(Duration.ofMillis(50))
                .historyFallback(Duration.ofMillis(500)).build();
        long failedBefore = snowflake.faults().injectedFailures();
        long droppedBefore = snowflake.faults().droppedResponses();
        snowflake.faults().seed(7).failRate(0.05).dropRate(0.05 / 0.95);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend, listener).build()) {
            bridge.start();
            Await.until("all rows", Duration.ofSeconds(60), () -> rowCount(snowflake, table(topic)) >= records);
            Await.until("the stage to empty", Duration.ofSeconds(30), () -> snowflake.stageFiles(stage(topic)).isEmpty());
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == records);
        } finally {
            snowflake.faults().reset();
        }
        snowflake.awaitIdle(Duration.ofSeconds(30)); // whatever was submitted has loaded: anything extra is there now
        long failed = snowflake.faults().injectedFailures() - failedBefore;
        long dropped = snowflake.faults().droppedResponses() - droppedBefore;
        System.out.printf("SNOWPIPE-FAULTS: %d requests answered 503, %d responses dropped, %d uploads failed, %d batch"
                + " retries%n", failed, dropped, uploadFaults.get(), retries.get());
        assertTrue(failed > 0 && dropped > 0 && uploadFaults.get() > 0, "faults were injected: 503s " + failed + ", dropped "
                + dropped + ", uploads " + uploadFaults.get());
        assertTrue(retries.get() > 0, "the listener saw retries");
        ExactlyOnce.assertEveryRecordOnce(snowflake, table(topic), kafka.endOffsets(topic));
        assertEquals(records, rowCount(snowflake, table(topic)));
    }

    @Test
    void load_fileCorruptedOnTheStage_endsOnTableStageAndIsReportedWhileTheRestLoads() throws Exception {
        String topic = "corrupt";
        int records = 3_000;
        kafka.createTopic(topic, 1);
        SnowpipeIts.produceIds(kafka, topic, 1, 0, records);
        List<BridgeEvents.LoadFailure> failures = new CopyOnWriteArrayList<>();
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onLoadFailure(BridgeEvents.LoadFailure event) {
                failures.add(event);
            }
        };
        AtomicInteger uploads = new AtomicInteger();
        StageUploader corrupting = (stageName, path, data) -> {
            byte[] bytes = uploads.incrementAndGet() == 2 ? "{\"RECORD_CONTENT\": {not json".getBytes(StandardCharsets.UTF_8) : data;
            driver.upload(stageName, path, bytes);
        };
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("FAULTS")
                .stageUploader(corrupting).statusPollInterval(Duration.ofMillis(50)).build();
        // skip: a policy that goes on after bad data (how the engine applies ErrorPolicy to load failures is its call)
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend, listener).errorPolicy(io.ksbridge.ErrorPolicy.skip()).build()) {
            bridge.start();
            Await.until("the load failure", Duration.ofSeconds(30), () -> !failures.isEmpty());
            Await.until("the stage to empty", Duration.ofSeconds(30), () -> snowflake.stageFiles(stage(topic)).isEmpty());
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == records);
            assertFalse(bridge.awaitTermination(Duration.ofMillis(10)), "the bridge goes on after a load failure");
        }
        assertEquals(1, failures.size(), failures.toString());
        BridgeEvents.LoadFailure failure = failures.get(0);
        String t = TableNamer.connectorDefault().tableName(topic);
        assertEquals(t, failure.table());
        assertTrue(failure.error().startsWith("Error parsing JSON: "), failure.error());
        assertTrue(failure.location().startsWith("@\"DB\".\"FAULTS\".%\"" + t + "\"/failed/KSBRIDGE/" + t + "/"), failure.location());
        String file = failure.location().substring(failure.location().lastIndexOf('/') + 1);
        assertEquals(failure.firstOffset() + "_" + failure.lastOffset() + ".json.zst", file);
        List<String> onTableStage = snowflake.stageFiles("DB.FAULTS.%" + t).stream().map(f -> f.path()).toList();
        assertEquals(1, onTableStage.size(), onTableStage.toString());
        assertTrue(onTableStage.get(0).endsWith("/" + file), onTableStage.toString());
        // every other record landed once; the failed file's records are not in the table
        Set<Integer> ids = new HashSet<>();
        for (Row row : snowflake.table(table(topic)).rows()) {
            assertTrue(ids.add(row.content().get("id").asInt()), "duplicate " + row);
        }
        long missing = failure.lastOffset() - failure.firstOffset() + 1;
        assertEquals(records - missing, ids.size());
        for (long o = failure.firstOffset(); o <= failure.lastOffset(); o++) {
            assertFalse(ids.contains((int) o), "id " + o + " of the failed file is in the table");
        }
    }

    @Test
    void load_fileCorruptedUnderFailFast_bridgeStopsNamingTheRangeAndWhereTheFileIs() throws Exception {
        String topic = "corrupt-fail";
        kafka.createTopic(topic, 1);
        SnowpipeIts.produceIds(kafka, topic, 1, 0, 1_000);
        AtomicInteger uploads = new AtomicInteger();
        StageUploader corrupting = (stageName, path, data) -> {
            byte[] bytes = uploads.incrementAndGet() == 1 ? "{\"RECORD_CONTENT\": {not json".getBytes(StandardCharsets.UTF_8) : data;
            driver.upload(stageName, path, bytes);
        };
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("FAULTS")
                .stageUploader(corrupting).statusPollInterval(Duration.ofMillis(50)).build();
        KafkaToSnowflakeBridge bridge = bridge(topic, backend, BridgeListener.noop()).build();   // failFast by default
        bridge.start();
        IngestException e = assertThrows(IngestException.class, () -> bridge.awaitTermination(Duration.ofSeconds(30)));
        String t = TableNamer.connectorDefault().tableName(topic);
        assertTrue(e.getMessage().startsWith("Snowflake could not load the rows of corrupt-fail-0 offsets 0-"), e.getMessage());
        assertTrue(e.getMessage().contains("Error parsing JSON: "), e.getMessage());
        assertTrue(e.getMessage().contains("(the file is kept at @\"DB\".\"FAULTS\".%\"" + t + "\"/failed/KSBRIDGE/"), e.getMessage());
        assertFalse(e.isRetriable());
        bridge.close();
    }

    @Test
    void auth_wrongKey_bridgeStopsWithClearErrorAndCommitsNothing() throws Exception {
        String topic = "wrong-key";
        kafka.createTopic(topic, 1);
        SnowpipeIts.produceIds(kafka, topic, 1, 0, 100);
        SnowflakeAccount wrong = SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                .role(SnowflakeEmulator.ROLE)
                .privateKey(Secret.of(SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate()))).build();
        Throwable failure = runUntilFailure(topic, wrong);
        assertTrue(failure.getMessage().contains("Snowflake refused the key-pair JWT of user KSBRIDGE in account 127"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("Check that the user's RSA_PUBLIC_KEY matches the configured private key"
                + " (its fingerprint is " + wrong.publicKeyFingerprint()), failure.getMessage());
        assertEquals(0, kafka.committedOffsets("group-" + topic).values().stream().mapToLong(Long::longValue).sum());
        assertFalse(snowflake.tables().find(table(topic)).isPresent());
    }

    @Test
    void auth_expiredToken_bridgeStopsWithClearErrorAndCommitsNothing() throws Exception {
        String topic = "expired";
        kafka.createTopic(topic, 1);
        SnowpipeIts.produceIds(kafka, topic, 1, 0, 100);
        snowflake.clockSkew(Duration.ofHours(2));
        Throwable failure;
        try {
            failure = runUntilFailure(topic, snowflake.account());
        } finally {
            snowflake.clockSkew(Duration.ZERO);
        }
        assertTrue(failure.getMessage().contains("JWT token is invalid. [token expired]"), failure.getMessage());
        assertTrue(failure.getMessage().contains("this machine's clock is correct"), failure.getMessage());
        assertEquals(0, kafka.committedOffsets("group-" + topic).values().stream().mapToLong(Long::longValue).sum());
    }

    private static Throwable runUntilFailure(String topic, SnowflakeAccount account) throws Exception {
        SnowpipeBackend backend = SnowpipeBackend.builder().account(account).database("DB").schema("FAULTS").build();
        AtomicInteger failures = new AtomicInteger();
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onFailure(Throwable cause) {
                failures.incrementAndGet();
            }
        };
        KafkaToSnowflakeBridge bridge = bridge(topic, backend, listener).build();
        try {
            bridge.start();
            Throwable thrown = org.junit.jupiter.api.Assertions.assertThrows(io.ksbridge.IngestException.class,
                    () -> bridge.awaitTermination(Duration.ofSeconds(30)), "awaitTermination throws the failure");
            assertFalse(((io.ksbridge.IngestException) thrown).isRetriable());
            assertNotNull(bridge.failure());
            assertEquals(1, failures.get());
            Throwable f = bridge.failure();
            assertFalse(f.getMessage().contains("PRIVATE KEY"), "no key material in the error");
            return f;
        } finally {
            try {
                bridge.close();
            } catch (RuntimeException expected) {
                // close reports the failure again
            }
        }
    }
}
